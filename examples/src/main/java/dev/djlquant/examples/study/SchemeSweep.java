package dev.djlquant.examples.study;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.util.ProgressBar;
import ai.djl.translate.TranslateException;
import ai.djl.util.Pair;
import ai.djl.util.Progress;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizers;
import dev.djlquant.data.Evaluation;
import dev.djlquant.files.AtomicFiles;
import dev.djlquant.zoo.CifarArchitectures;
import dev.djlquant.zoo.TorchScriptImport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the schemes one by one on the fine-tuned weights, each starting from the same float32
 * values, so no scheme ever sees weights another scheme has quantized.
 *
 * <p>Per scheme: a fresh copy of the fine-tuned network is quantized once in COMPRESSED mode (which
 * gives the report: sizes, errors, entropy, exponents); {@code Model.save} writes its checkpoint
 * and the files are measured; then the dequantized weights are written into the evaluation copy,
 * which is exactly what SIMULATE mode writes, and the test set is evaluated at full speed. Biases
 * stay float32, as the library's default selection says.
 */
final class SchemeSweep implements AutoCloseable {

    /** Test sets at least this large get an evaluation progress bar. */
    private static final int PROGRESS_FROM = 5000;

    private final StudyConfig config;
    private final Map<String, float[]> weights;
    private final Model evaluation;
    private final RandomAccessDataset test;
    private final Path checkpoints;
    private final boolean temporaryCheckpoints;

    /** Deletes the temporary checkpoints if the JVM is stopped (Ctrl-C) before {@link #close}. */
    private final Thread deleteOnShutdown;

    private final long totalParameters;
    private long selectedWeights;
    private int done;

    /**
     * Takes a float32 snapshot of the trained block and builds the evaluation copy.
     *
     * @param config the run's settings
     * @param trained the fine-tuned block (read only)
     * @param test the test images
     * @throws IOException if the checkpoint directory cannot be created
     */
    SchemeSweep(StudyConfig config, Block trained, RandomAccessDataset test) throws IOException {
        this.config = config;
        this.test = test;
        this.weights = snapshot(trained);
        this.totalParameters = weights.values().stream().mapToLong(v -> v.length).sum();
        this.evaluation =
                Model.newInstance(config.architecture() + "-eval", TorchScriptImport.ENGINE);
        evaluation.setBlock(freshCopy(evaluation.getNDManager()));
        this.temporaryCheckpoints = !config.keepCheckpoints();
        if (temporaryCheckpoints) {
            this.checkpoints = Files.createTempDirectory("djlq-study-");
            this.deleteOnShutdown = new Thread(this::deleteTemporaryCheckpoints, "djlq-study-tmp");
            Runtime.getRuntime().addShutdownHook(deleteOnShutdown);
        } else {
            this.checkpoints = config.outputDir().resolve("checkpoints");
            this.deleteOnShutdown = null;
            Files.createDirectories(checkpoints);
        }
    }

    private void deleteTemporaryCheckpoints() {
        try {
            AtomicFiles.deleteRecursively(checkpoints);
        } catch (IOException e) {
            // Shutting down: nothing left to tell, and the directory is in the temporary folder.
        }
    }

    /** Returns the number of parameter values of the network. */
    long totalParameters() {
        return totalParameters;
    }

    /**
     * Evaluates and saves the float32 model.
     *
     * @return the baseline row
     * @throws IOException if saving or reading the data fails
     * @throws TranslateException if the data pipeline fails
     */
    SchemeResult baseline() throws IOException, TranslateException {
        long start = System.nanoTime();
        write(Map.of());
        long bytes = save(evaluation, StudySchemes.BASELINE);
        double saveSeconds = seconds(start);
        start = System.nanoTime();
        Evaluation.Accuracy accuracy = evaluate();
        SchemeResult r =
                SchemeResult.baseline(
                        totalParameters,
                        selectedWeights(),
                        bytes,
                        accuracy,
                        saveSeconds,
                        seconds(start));
        log(r);
        return r;
    }

    /**
     * Quantizes a fresh copy with one scheme, saves it, and evaluates it.
     *
     * @param spec the quantizer spec
     * @return the scheme's row
     * @throws IOException if saving or reading the data fails
     * @throws TranslateException if the data pipeline fails
     */
    SchemeResult run(String spec) throws IOException, TranslateException {
        long start = System.nanoTime();
        QuantizationReport report;
        long bytes;
        QuantConfig quantConfig =
                QuantConfig.builder().setScheme(spec).optMode(QuantConfig.Mode.COMPRESSED).build();
        try (Model model = Model.newInstance(config.architecture(), TorchScriptImport.ENGINE)) {
            model.setBlock(freshCopy(model.getNDManager()));
            report = Quantizers.apply(model, quantConfig);
            bytes = save(model, spec);
            write(((QuantizedBlock) model.getBlock()).getCompressed());
        }
        double quantizeSeconds = seconds(start);
        start = System.nanoTime();
        Evaluation.Accuracy accuracy = evaluate();
        SchemeResult r =
                SchemeResult.of(spec, report, bytes, accuracy, quantizeSeconds, seconds(start));
        log(r);
        return r;
    }

    /**
     * Builds an initialized copy of the architecture holding the fine-tuned float32 weights.
     *
     * @param manager the manager that owns the copy's arrays
     * @return the copy
     */
    Block freshCopy(NDManager manager) {
        Block block = CifarArchitectures.byName(config.architecture());
        block.initialize(manager, DataType.FLOAT32, CifarArchitectures.INPUT_SHAPE);
        for (Pair<String, Parameter> p : block.getParameters()) {
            p.getValue().getArray().set(weights.get(p.getKey()));
        }
        return block;
    }

    /**
     * Sets the evaluation copy to the fine-tuned weights, with the given tensors dequantized in
     * place of theirs.
     */
    private void write(Map<String, QuantizedTensor> quantized) {
        for (Pair<String, Parameter> p : evaluation.getBlock().getParameters()) {
            QuantizedTensor t = quantized.get(p.getKey());
            p.getValue().getArray().set(t == null ? weights.get(p.getKey()) : t.dequantize());
        }
    }

    private Evaluation.Accuracy evaluate() throws IOException, TranslateException {
        // A progress bar only where an evaluation takes long enough to wonder (the full test set).
        Progress progress =
                config.progress() && test.size() >= PROGRESS_FROM ? new ProgressBar() : null;
        return Evaluation.accuracy(
                evaluation.getBlock(),
                new ParameterStore(evaluation.getNDManager(), false),
                test,
                config.evalBatchSize(),
                progress);
    }

    /** Saves with {@code Model.save} into a fresh directory and returns the bytes written. */
    private long save(Model model, String spec) throws IOException {
        String name = checkpointName(spec);
        Path dir = checkpoints.resolve(name);
        AtomicFiles.deleteRecursively(dir);
        model.save(dir, name);
        long bytes;
        try (Stream<Path> files = Files.walk(dir)) {
            bytes =
                    files.filter(Files::isRegularFile)
                            .mapToLong(
                                    f -> {
                                        try {
                                            return Files.size(f);
                                        } catch (IOException e) {
                                            throw new UncheckedIOException(e);
                                        }
                                    })
                            .sum();
        }
        if (temporaryCheckpoints) {
            AtomicFiles.deleteRecursively(dir);
        }
        return bytes;
    }

    private String checkpointName(String spec) {
        return config.model() + "-" + spec.replaceAll("[^A-Za-z0-9]+", "-");
    }

    /** The weights the library's default selection quantizes: WEIGHTs of 2+ dimensions. */
    private long selectedWeights() {
        if (selectedWeights == 0) {
            for (Pair<String, Parameter> p : evaluation.getBlock().getParameters()) {
                Parameter param = p.getValue();
                if (param.getType() == Parameter.Type.WEIGHT
                        && param.getArray().getShape().dimension() >= 2) {
                    selectedWeights += param.getArray().size();
                }
            }
        }
        return selectedWeights;
    }

    private void log(SchemeResult r) {
        done++;
        config.log()
                .printf(
                        Locale.ROOT,
                        "[%2d/%d] %-18s acc %6.2f%%  on disk %7.2f MB  exact %7.2f MB  study est."
                                + " %7.2f MB  MAE %.2e  (%.1f s + %.1f s)%n",
                        done,
                        config.schemes().size() + 1,
                        r.spec(),
                        r.accuracyPercent(),
                        r.checkpointBytes() / 1e6,
                        r.packedBytes() / 1e6,
                        r.studyEstimateBytes() / 1e6,
                        r.error().mae(),
                        r.quantizeSeconds(),
                        r.evaluateSeconds());
    }

    private static Map<String, float[]> snapshot(Block trained) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : trained.getParameters()) {
            var array = p.getValue().getArray();
            if (array.getDataType() != DataType.FLOAT32) {
                throw new IllegalStateException(
                        "Expected float32 weights, " + p.getKey() + " is " + array.getDataType());
            }
            out.put(p.getKey(), array.toFloatArray());
        }
        return out;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() throws IOException {
        evaluation.close();
        if (temporaryCheckpoints) {
            Runtime.getRuntime().removeShutdownHook(deleteOnShutdown);
            AtomicFiles.deleteRecursively(checkpoints);
        }
    }
}
