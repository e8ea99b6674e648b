package dev.djlquant.benchmarks;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizer;
import dev.djlquant.Quantizers;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Model-level costs of quantization on the shared AlexNet-CIFAR and VGG16-CIFAR weights imported
 * into DJL-native blocks, each as a ratio with its target: {@code Quantizers.apply} in SIMULATE and
 * COMPRESSED mode, with the report's statistics and without them, against copying every parameter
 * out of the engine and back through memory views into one reused array (≤ 2x; DJL's array calls
 * are timed beside), COMPRESSED forward latency against float32 at batch 1 and at the evaluation
 * batch (≤ 1.5x), and the resident weight memory of the COMPRESSED model against its packed size (≤
 * 1.1x). Two informational floor rows bound the first two from below: the quantize kernel alone,
 * and the restore of the convolution weights alone at batch 1.
 *
 * <p>Not JMH: every timed run needs a fresh copy of the weights, made untimed; times are the median
 * of N runs after warm-up runs (see {@link Timing}). Run {@link #main} with {@code --model
 * alexnet|vgg16|all}, {@code --full}, {@code --shared DIR}, {@code --out FILE}.
 */
public final class ModelBench {

    /** How much to measure. */
    public record Settings(int warmup, int repetitions, List<String> specs, List<Integer> batches) {

        /** A few minutes for both models on 2 cores: 2 warm-up and 5 timed runs, 3 schemes. */
        public static Settings quick() {
            return new Settings(
                    2, 5, List.of("int8@row", "dt8@row", "dt4@row"), List.of(1, 8, 100));
        }

        /** 2 warm-up and 7 timed runs, the five row-wise schemes. */
        public static Settings full() {
            return new Settings(
                    2,
                    7,
                    List.of("int8@row", "fp8e4m3@row", "dt8@row", "dt4@row", "dt3@row"),
                    List.of(1, 8, 100));
        }
    }

    /** The short model names and their architectures. */
    public static final List<String> MODELS = List.of("alexnet", "vgg16");

    private static final double APPLY_TARGET = 2.0;
    private static final double FORWARD_TARGET = 1.5;
    private static final double MEMORY_TARGET = 1.1;
    private static final long INPUT_SEED = 7L;
    private static final int SHORT_BATCH = 8;

    private final Settings settings;
    private final PrintStream log;

    /** Measures with {@code settings}, printing each measurement to {@code log} as it is made. */
    public ModelBench(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    /** The shared TorchScript export of a model ({@code alexnet} or {@code vgg16}). */
    public static Path sharedModel(Path shared, String model) {
        return shared.resolve("models").resolve(model + "_cifar10_fp16.pt");
    }

    /** Runs every measurement on one model ({@code alexnet} or {@code vgg16}). */
    public List<RatioRow> run(Path shared, String model) throws Exception {
        List<RatioRow> rows = new ArrayList<>();
        try (ModelFixture fixture =
                ModelFixture.load(sharedModel(shared, model), model + "-cifar10")) {
            log.println(fixture.architecture() + ":");
            for (String spec : settings.specs()) {
                rows.addAll(memory(fixture, spec));
            }
            rows.addAll(apply(fixture));
            List<Model> compressed = new ArrayList<>();
            try {
                for (String spec : settings.specs()) {
                    Model m = fixture.copy();
                    compressed.add(m);
                    Quantizers.apply(m, compressedConfig(spec));
                }
                rows.addAll(forward(fixture, compressed));
            } finally {
                compressed.forEach(Model::close);
            }
        }
        return rows;
    }

    /**
     * Times {@code Quantizers.apply} per scheme and mode and the quantize kernel alone, interleaved
     * with two read+write floors: through memory views into one reused array (the cheapest, the
     * target's baseline) and through DJL's array calls ({@code toFloatArray}, {@code create},
     * {@code set}).
     */
    private List<RatioRow> apply(ModelFixture fixture) throws Exception {
        String arch = fixture.architecture();
        List<Measured> measured = new ArrayList<>();
        measured.add(
                new Measured(
                        "read+write all parameters (toFloatArray, create, set)",
                        "DJL calls / memory views",
                        Double.NaN,
                        onCopy(fixture, m -> readWriteAll(m.getBlock()))));
        // The default selection, the same for every scheme timed here.
        List<Weight> weights =
                selection(fixture.master().getBlock(), QuantConfig.of(settings.specs().get(0)));
        for (String spec : settings.specs()) {
            measured.add(
                    new Measured(
                            spec + " quantize alone (Java arrays, no engine, no report)",
                            "quantize / read+write (views)",
                            Double.NaN,
                            quantizeRun(weights, Quantizer.parse(spec))));
            for (QuantConfig.Mode mode :
                    List.of(QuantConfig.Mode.SIMULATE, QuantConfig.Mode.COMPRESSED)) {
                for (boolean statistics : new boolean[] {true, false}) {
                    QuantConfig config =
                            QuantConfig.builder()
                                    .setScheme(spec)
                                    .optMode(mode)
                                    .optStatistics(statistics)
                                    .build();
                    measured.add(
                            new Measured(
                                    spec
                                            + " "
                                            + mode
                                            + " apply"
                                            + (statistics ? "" : ", statistics off (sizes only)"),
                                    "apply / read+write (views)",
                                    APPLY_TARGET,
                                    onCopy(fixture, m -> Quantizers.apply(m, config))));
                }
            }
        }
        List<String> labels =
                new ArrayList<>(List.of("read+write all parameters (memory views, one array)"));
        List<Callable<Timing.Run>> operations = new ArrayList<>();
        float[] scratch = new float[largestParameter(fixture.master().getBlock())];
        operations.add(onCopy(fixture, m -> readWriteAllThroughViews(m.getBlock(), scratch)));
        for (Measured m : measured) {
            labels.add(m.label());
            operations.add(m.operation());
        }
        List<Timing> timings = timeAll(labels, operations, 1);
        List<RatioRow> rows = new ArrayList<>();
        for (int k = 0; k < measured.size(); k++) {
            Measured m = measured.get(k);
            rows.add(
                    timed(
                            arch + " " + m.label(),
                            m.ratioOf(),
                            timings.get(k + 1),
                            timings.get(0),
                            m.limit()));
        }
        return rows;
    }

    /** An operation timed against a baseline: its label, the ratio's name and target. */
    private record Measured(
            String label, String ratioOf, double limit, Callable<Timing.Run> operation) {}

    /**
     * Times float32 and every COMPRESSED model's forward in turns, per batch size; at batch 1 then
     * each model's restore of its convolution weights alone.
     */
    private List<RatioRow> forward(ModelFixture fixture, List<Model> compressed) throws Exception {
        String arch = fixture.architecture();
        List<RatioRow> rows = new ArrayList<>();
        for (int batch : settings.batches()) {
            List<String> labels = new ArrayList<>(List.of("float32 forward, batch " + batch));
            List<Callable<Timing.Run>> operations = new ArrayList<>();
            List<NDManager> predictors = new ArrayList<>();
            operations.add(forwardRun(fixture.master(), batch, predictors));
            for (int i = 0; i < compressed.size(); i++) {
                labels.add(settings.specs().get(i) + " COMPRESSED forward, batch " + batch);
                operations.add(forwardRun(compressed.get(i), batch, predictors));
            }
            // A batch-1 forward takes milliseconds: ten times the runs cost little and steady it.
            int runs = batch <= SHORT_BATCH ? 10 : 1;
            List<Timing> timings = timeAll(labels, operations, runs);
            for (int k = 1; k < timings.size(); k++) {
                rows.add(
                        timed(
                                arch + " " + labels.get(k),
                                "COMPRESSED / float32",
                                timings.get(k),
                                timings.get(0),
                                FORWARD_TARGET));
            }
            if (batch == 1) {
                rows.addAll(restoreFloors(arch, compressed, timings.get(0), runs));
            }
            for (int i = 0; i < compressed.size(); i++) {
                rows.add(withWorkspace(arch, settings.specs().get(i), compressed.get(i), batch));
            }
            predictors.forEach(NDManager::close);
        }
        log.printf(
                Locale.ROOT,
                "  process RSS after the forwards: %s%n",
                mb(ResidentMemory.rssBytes()));
        return rows;
    }

    /**
     * Times each model's restore of its convolution weights alone, in rounds of their own: next to
     * the forwards, libtorch's OpenMP worker still spinning from the previous operation slowed the
     * first restore of a round by up to half.
     */
    private List<RatioRow> restoreFloors(
            String arch, List<Model> compressed, Timing float32, int runs) throws Exception {
        List<String> labels = new ArrayList<>();
        List<Callable<Timing.Run>> operations = new ArrayList<>();
        for (int i = 0; i < compressed.size(); i++) {
            labels.add(settings.specs().get(i) + " restore of the convolution weights");
            operations.add(restoreRun(compressed.get(i)));
        }
        List<Timing> timings = timeAll(labels, operations, runs);
        List<RatioRow> rows = new ArrayList<>();
        for (int k = 0; k < timings.size(); k++) {
            rows.add(restoreFloor(arch + " " + labels.get(k), timings.get(k), float32));
        }
        return rows;
    }

    /**
     * Times {@code operations} in turns, {@code runs} times the settings' warm-up and timed rounds
     * (short operations take more), and logs each timing.
     */
    private List<Timing> timeAll(
            List<String> labels, List<Callable<Timing.Run>> operations, int runs) throws Exception {
        List<Timing> timings =
                Timing.interleaved(
                        settings.warmup() * runs, settings.repetitions() * runs, operations);
        for (int k = 0; k < timings.size(); k++) {
            log.printf(Locale.ROOT, "  %-44s %s%n", labels.get(k), timings.get(k));
        }
        return timings;
    }

    /**
     * What a COMPRESSED model keeps between forwards of one predictor at {@code batch}: its packed
     * weights plus the restore workspace they touched, against the float32 weights.
     */
    private static RatioRow withWorkspace(String arch, String spec, Model model, int batch) {
        QuantizedBlock block = (QuantizedBlock) model.getBlock();
        long packed = block.getCompressedBytes();
        long workspace = block.getWorkspaceBytes();
        long float32 =
                block.getCompressed().values().stream()
                        .mapToLong(t -> (long) t.size() * Float.BYTES)
                        .sum();
        return new RatioRow(
                "model",
                arch
                        + " "
                        + spec
                        + " packed weights + restore workspace of a batch-"
                        + batch
                        + " predictor",
                "kept / float32 weights",
                mb(packed + workspace)
                        + " (packed "
                        + mb(packed)
                        + " + workspace "
                        + mb(workspace)
                        + ")",
                mb(float32),
                (double) (packed + workspace) / float32,
                Double.NaN,
                true);
    }

    private static QuantConfig compressedConfig(String spec) {
        return QuantConfig.builder().setScheme(spec).optMode(QuantConfig.Mode.COMPRESSED).build();
    }

    /**
     * Quantizes a fresh copy in COMPRESSED mode and measures what its weights occupy: the heap that
     * releasing the model frees (its packed codes and scales) plus the native parameter arrays it
     * still held. Measuring the release rather than the growth keeps garbage of earlier work out:
     * it is collected before the first reading, and nothing but the model goes in between.
     */
    private List<RatioRow> memory(ModelFixture fixture, String spec) {
        long rssBefore = ResidentMemory.rssBytes();
        Model model = fixture.copy();
        QuantizationReport report = Quantizers.apply(model, compressedConfig(spec));
        long packed = report.quantizedBytes();
        long float32 = report.float32Bytes();
        long nativeBytes =
                ResidentMemory.nativeParameterBytes(((QuantizedBlock) model.getBlock()).getInner());
        String name = model.getName();
        long heapWith = ResidentMemory.heapUsedAfterGc();
        long rssAfter = ResidentMemory.rssBytes();
        model.close();
        // Unreachable only once these go: an interpreted frame keeps its locals as roots.
        model = null;
        report = null;
        long heap = heapWith - ResidentMemory.heapUsedAfterGc();
        long resident = heap + nativeBytes;
        log.printf(
                Locale.ROOT,
                "  %s COMPRESSED: heap %s (freed on release), native parameters %s, packed %s, float32 %s;"
                        + " process RSS %s -> %s%n",
                spec,
                mb(heap),
                mb(nativeBytes),
                mb(packed),
                mb(float32),
                mb(rssBefore),
                mb(rssAfter));
        String subject = name + " " + spec + " COMPRESSED resident weights";
        String measured =
                mb(resident) + " (heap " + mb(heap) + " + native " + mb(nativeBytes) + ")";
        return List.of(
                new RatioRow(
                        "model",
                        subject,
                        "resident / packed",
                        measured,
                        mb(packed),
                        (double) resident / packed,
                        MEMORY_TARGET,
                        true),
                new RatioRow(
                        "model",
                        subject,
                        "resident / float32",
                        measured,
                        mb(float32),
                        (double) resident / float32,
                        Double.NaN,
                        true));
    }

    /** {@code action} on a fresh copy of the float32 model, made and closed outside the timing. */
    private static Callable<Timing.Run> onCopy(ModelFixture fixture, Consumer<Model> action) {
        return () -> {
            Model model = fixture.copy();
            return new Timing.Run() {
                @Override
                public void run() {
                    action.accept(model);
                }

                @Override
                public void close() {
                    model.close();
                    // DJL's BaseModel has a finalizer, so the next young collection keeps a
                    // closed model's whole block alive and copies it (a COMPRESSED copy's packed
                    // weights: tens of MB): pauses of up to 125 ms inside later timed runs,
                    // "Notify and keep alive finalizable" 68 ms of one (-Xlog:gc*=debug).
                    model.setBlock(null);
                }
            };
        };
    }

    /**
     * One inference forward pass of the model's block on the same seeded input (created outside the
     * timing), read back to Java as a caller would. Like a DJL {@code Predictor}: one parameter
     * store for all calls, whose manager goes to {@code predictors} for the caller to close, and
     * inputs and outputs in a manager of their own per call.
     */
    private static Callable<Timing.Run> forwardRun(
            Model model, int batch, List<NDManager> predictors) {
        Shape shape = new Shape(batch, 3, 32, 32);
        float[] input = gaussian(Math.toIntExact(shape.size()));
        NDManager predictor = model.getNDManager().newSubManager();
        predictors.add(predictor);
        ParameterStore store = new ParameterStore(predictor, false);
        return () -> {
            NDManager scratch = model.getNDManager().newSubManager();
            NDArray x = scratch.create(input, shape);
            return new Timing.Run() {
                @Override
                public void run() {
                    NDList out = model.getBlock().forward(store, new NDList(x), false);
                    out.head().toFloatArray();
                }

                @Override
                public void close() {
                    scratch.close();
                }
            };
        };
    }

    /** A weight the default selection quantizes, read out once: name, values, shape. */
    record Weight(String name, float[] values, long[] shape) {}

    /** The weights that {@code config} selects ({@link QuantConfig#schemeFor}), read out once. */
    static List<Weight> selection(Block block, QuantConfig config) {
        List<Weight> weights = new ArrayList<>();
        block.getParameters()
                .forEach(
                        p -> {
                            if (config.schemeFor(p.getKey(), p.getValue()).isPresent()) {
                                NDArray a = p.getValue().getArray();
                                weights.add(
                                        new Weight(
                                                p.getKey(),
                                                a.toFloatArray(),
                                                a.getShape().getShape()));
                            }
                        });
        return weights;
    }

    /**
     * The quantization kernel's share of apply: every selected weight quantized from a Java array
     * through the public API, without reading it out of the engine, restoring it or measuring it.
     */
    private static Callable<Timing.Run> quantizeRun(List<Weight> weights, Quantizer quantizer) {
        return () ->
                Timing.Run.of(
                        () -> {
                            for (Weight w : weights) {
                                quantizer.quantize(w.name(), w.values(), w.shape());
                            }
                        });
    }

    /**
     * What every batch-1 COMPRESSED forward restores, restored alone: the convolution weights
     * (linear layers multiply from packed codes at batch 1), into a direct buffer touched before.
     */
    private static Callable<Timing.Run> restoreRun(Model model) {
        List<QuantizedTensor> convolutions =
                ((QuantizedBlock) model.getBlock())
                        .getCompressed().values().stream()
                                .filter(t -> t.shape().length > 2)
                                .toList();
        int largest = convolutions.stream().mapToInt(t -> (int) t.size()).max().orElse(0);
        FloatBuffer target =
                ByteBuffer.allocateDirect(largest * Float.BYTES)
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
        target.put(0, new float[largest]);
        return () ->
                Timing.Run.of(
                        () -> {
                            for (QuantizedTensor t : convolutions) {
                                t.dequantizeInto(target);
                            }
                        });
    }

    /**
     * The floor of any forward that restores weights for the engine: float32's time plus the
     * restore alone, over float32's time. Informational: it bounds the forward target from below.
     */
    private static RatioRow restoreFloor(String subject, Timing restore, Timing float32) {
        return new RatioRow(
                "model",
                subject + " alone (floor of a batch-1 restore-based forward)",
                "(float32 + restore) / float32",
                ms(restore),
                ms(float32),
                (float32.medianMs() + restore.medianMs()) / float32.medianMs(),
                Double.NaN,
                true);
    }

    /**
     * Every parameter read out as float32 and written back through DJL's array calls ({@code
     * toFloatArray}, then {@code create} and {@code set} through a scratch manager).
     */
    static void readWriteAll(Block block) {
        for (Parameter p : block.getParameters().values()) {
            NDArray array = p.getArray();
            float[] values = array.toFloatArray();
            try (NDManager scratch = array.getManager().newSubManager()) {
                array.set(new NDIndex("..."), scratch.create(values, array.getShape()));
            }
        }
    }

    /**
     * The floor of any in-place quantization: every parameter copied out of the engine's memory
     * into {@code scratch} and back, through {@code toByteBuffer(true)} views (PyTorch on CPU). One
     * array, made before the timing, serves every parameter: allocating an array per parameter
     * added garbage collection and page faults that moved this floor between 10 and 41 ms for
     * VGG16's 84 MB.
     */
    static void readWriteAllThroughViews(Block block, float[] scratch) {
        for (Parameter p : block.getParameters().values()) {
            NDArray array = p.getArray();
            int n = Math.toIntExact(array.size());
            view(array).get(0, scratch, 0, n);
            view(array).put(0, scratch, 0, n);
        }
    }

    /** The size of the block's largest parameter. */
    static int largestParameter(Block block) {
        return block.getParameters().values().stream()
                .mapToInt(p -> Math.toIntExact(p.getArray().size()))
                .max()
                .orElse(0);
    }

    private static FloatBuffer view(NDArray array) {
        return array.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static RatioRow timed(
            String subject, String ratioOf, Timing ours, Timing baseline, double limit) {
        return new RatioRow(
                "model",
                subject,
                ratioOf,
                ms(ours),
                ms(baseline),
                ours.medianMs() / baseline.medianMs(),
                limit,
                true);
    }

    private static String ms(Timing t) {
        return CompareRunner.fmt(t.medianMs())
                + " ms (CPU "
                + CompareRunner.fmt(t.medianCpuMs())
                + ")";
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
    }

    private static float[] gaussian(int n) {
        Random random = new Random(INPUT_SEED);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }
}
