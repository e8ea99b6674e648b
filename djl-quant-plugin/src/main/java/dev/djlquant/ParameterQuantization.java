package dev.djlquant;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SymbolBlock;
import ai.djl.util.Pair;
import ai.djl.util.Progress;
import dev.djlquant.metrics.ErrorMetrics;
import java.lang.ref.WeakReference;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One pass over a block's parameters: select by {@link QuantConfig}, quantize each in Java, report
 * the error, and hand the result to a {@link Sink} that decides what the block keeps.
 */
final class ParameterQuantization {

    /**
     * Parameters overwritten with quantized values, so that a second pass is refused while they
     * still hold them.
     */
    private static final Map<Parameter, Simulated> SIMULATED =
            Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * What a parameter holds after its values were overwritten with quantized ones: the spec, and a
     * sample of the values ({@link ParameterArrays#sample}) that tells whether training has changed
     * them since (a model fine-tuned after SIMULATE may be quantized again).
     */
    private record Simulated(String spec, float[] sample) {

        static void mark(Parameter parameter, String spec) {
            SIMULATED.put(parameter, new Simulated(spec, ParameterArrays.sample(parameter)));
        }

        /** The spec the parameter's values are still quantized with, or null. */
        static String specOf(Parameter parameter) {
            Simulated s = SIMULATED.get(parameter);
            return s != null
                            && parameter.isInitialized()
                            && Arrays.equals(s.sample, ParameterArrays.sample(parameter))
                    ? s.spec
                    : null;
        }
    }

    /** Parameters whose float values a COMPRESSED block released, with the spec they hold. */
    private static final Map<Parameter, String> RELEASED =
            Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The manager of the parameter store that last read each weight in a QAT training forward: a
     * Trainer's, whose {@code close()} reads the weights again ({@code ParameterStore.sync}).
     */
    private static final Map<Parameter, WeakReference<NDManager>> TRAINED_THROUGH =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** The progress of a config that has none. */
    private static final Progress SILENT =
            new Progress() {
                @Override
                public void reset(String message, long max, String trailingMessage) {}

                @Override
                public void start(long initialProgress) {}

                @Override
                public void end() {}

                @Override
                public void increment(long increment) {}

                @Override
                public void update(long progress, String message) {}
            };

    /** Receives each quantized parameter. */
    interface Sink {
        /**
         * Takes the tensor; {@code restored} holds its values when {@link #restoreTarget} asked for
         * them, else it is null.
         */
        void accept(String name, Parameter parameter, QuantizedTensor tensor, FloatBuffer restored);

        /**
         * Where the parameter's restored values must be written, or null if they are not needed.
         */
        default FloatBuffer restoreTarget(Parameter parameter) {
            return null;
        }

        /**
         * Throws if the sink could not take the parameter: called for every parameter before any is
         * quantized, so that a refusal leaves the block as it was.
         */
        default void checkAccepts(String name, Parameter parameter) {}

        /**
         * The error to report for a parameter it accepted, given the quantizer's: the same unless
         * the sink kept other values than the restored ones.
         */
        default ErrorMetrics error(Parameter parameter, ErrorMetrics quantized) {
            return quantized;
        }
    }

    private ParameterQuantization() {}

    /** Quantizes the selected parameters of {@code block} and reports on them. */
    static QuantizationReport run(Block block, QuantConfig config, Block result, Sink sink) {
        QuantizedBlock.checkNotQuantized(block);
        checkNotReleased(block);
        List<String> warnings = new ArrayList<>();
        List<Pair<String, Parameter>> all = block.getParameters().stream().toList();
        List<Selected> selected = select(all, config, warnings);
        for (Selected s : selected) {
            sink.checkAccepts(s.name, s.parameter);
        }
        Progress progress = config.progress().orElse(SILENT);
        long selectedValues = selected.stream().mapToLong(s -> size(s.parameter)).sum();
        progress.reset(
                "Quantizing " + selected.size() + (selected.size() == 1 ? " weight" : " weights"),
                2 * selectedValues);
        List<Quantizer.Measured> measured = quantizeAll(selected, config, progress);
        List<QuantizationReport.Row> rows =
                handOn(selected, measured, config, sink, warnings, progress);
        progress.end();
        long total =
                SharedParameters.distinct(all).stream().mapToLong(p -> size(p.getValue())).sum();
        return new QuantizationReport(config.mode(), rows, warnings, total, result);
    }

    /**
     * Quantizes every selected parameter before the sink sees any, so that bad input (NaN, say) in
     * the last weight fails the pass while the block is still as it was. The packed tensors held
     * meanwhile take a quarter of the float32 weights at 8 bits (sortedN: about as much as float32,
     * with their permutations). The error is measured while quantizing, so the originals are read
     * once.
     */
    private static List<Quantizer.Measured> quantizeAll(
            List<Selected> selected, QuantConfig config, Progress progress) {
        List<Quantizer.Measured> measured = new ArrayList<>();
        for (Selected s : selected) {
            FloatBuffer values = ParameterArrays.values(s.name, s.parameter);
            long[] shape = shapeOf(s.parameter);
            measured.add(
                    config.statistics()
                            ? s.quantizer.quantizeMeasured(s.name, values, shape)
                            : new Quantizer.Measured(
                                    s.quantizer.quantize(s.name, values, shape, false), null));
            progress.increment(values.capacity());
        }
        return measured;
    }

    /**
     * Hands each quantized tensor to the sink, restored first where it asks for the values, and
     * returns the report's rows. Lets go of each tensor in {@code measured} as it goes, so that one
     * the sink does not keep (SIMULATE's) can be collected before the rest are handed on.
     */
    private static List<QuantizationReport.Row> handOn(
            List<Selected> selected,
            List<Quantizer.Measured> measured,
            QuantConfig config,
            Sink sink,
            List<String> warnings,
            Progress progress) {
        List<QuantizationReport.Row> rows = new ArrayList<>();
        for (int k = 0; k < selected.size(); k++) {
            Selected s = selected.get(k);
            Quantizer.Measured m = measured.set(k, null);
            QuantizedTensor t = m.tensor();
            DoubleQuantizedScales eightBit = t.storedScales().eightBit();
            String distorted = eightBit == null ? null : eightBit.warning(s.name);
            if (distorted != null) {
                warnings.add(distorted);
            }
            FloatBuffer restored = sink.restoreTarget(s.parameter);
            if (restored != null) {
                t.dequantizeInto(restored);
            }
            sink.accept(s.name, s.parameter, t, restored);
            rows.add(
                    config.statistics()
                            ? QuantizationReport.Row.of(
                                    s.name, t, sink.error(s.parameter, m.error()))
                            : QuantizationReport.Row.withoutStatistics(s.name, t));
            progress.increment(t.size());
        }
        return rows;
    }

    /**
     * Remembers that a training forward read {@code parameter} through a store of {@code manager}.
     */
    static void trainedThrough(Parameter parameter, NDManager manager) {
        WeakReference<NDManager> last = TRAINED_THROUGH.get(parameter);
        if (last == null || last.get() != manager) {
            TRAINED_THROUGH.put(parameter, new WeakReference<>(manager));
        }
    }

    /**
     * Refuses to release a weight that a still open store read in a QAT training forward: DJL's
     * {@code Trainer.close} would then fail on it, saying only that "weight" is not initialized.
     */
    static void checkNotInOpenTraining(String name, Parameter parameter) {
        WeakReference<NDManager> last = TRAINED_THROUGH.get(parameter);
        NDManager manager = last == null ? null : last.get();
        if (manager != null && manager.isOpen()) {
            throw new IllegalStateException(
                    "Parameter "
                            + name
                            + " is being trained: a training forward read it through a"
                            + " parameter store that is still open (a Trainer's), and"
                            + " COMPRESSED releases the float weights, which Trainer.close()"
                            + " reads again; close the trainer first (SIMULATE needs no"
                            + " closing)");
        }
    }

    /** Remembers that a COMPRESSED block released the float values of {@code parameter}. */
    static void released(Parameter parameter, String spec) {
        RELEASED.put(parameter, spec);
    }

    /**
     * Forgets that {@code parameter} was released: a load gave it values again (kept packed again,
     * it is marked again).
     */
    static void holdsValues(Parameter parameter) {
        RELEASED.remove(parameter);
    }

    /**
     * Refuses a block whose parameters a COMPRESSED block released: the block that was wrapped,
     * used again after the apply that returned its {@link QuantizedBlock}.
     */
    static void checkNotReleased(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            checkNotReleased(p.getKey(), p.getValue());
        }
    }

    private static void checkNotReleased(String name, Parameter parameter) {
        String spec = RELEASED.get(parameter);
        if (spec != null) {
            throw new IllegalStateException(
                    "Parameter "
                            + name
                            + " was compressed with "
                            + spec
                            + " and its float values released: use the QuantizedBlock that"
                            + " apply returned (the model's block), or quantize the float"
                            + " model, loaded again");
        }
    }

    /** {@link Quantizers#restoreInto}. */
    static void restoreInto(Parameter parameter, QuantizedTensor tensor) {
        String name = parameter.getName();
        checkNotReleased(name, parameter);
        long[] shape = ParameterArrays.arrayOf(name, parameter).getShape().getShape();
        if (!Arrays.equals(shape, tensor.shape())) {
            throw new IllegalArgumentException(
                    "Parameter "
                            + name
                            + " has shape "
                            + Arrays.toString(shape)
                            + ", the quantized tensor "
                            + Arrays.toString(tensor.shape()));
        }
        ParameterArrays.write(name, parameter, tensor.dequantize());
        Simulated.mark(parameter, tensor.quantizer().spec());
    }

    /**
     * The SIMULATE sink for {@code block}: writes restored values in place and remembers it.
     * DJL-native float32 parameters get their values straight in their memory; the others
     * (TorchScript, whose engine checks that they may be changed, other data types, arrays that are
     * not contiguous) through the engine. With {@code measure}, the error of a parameter of another
     * data type is measured again on the values it holds.
     */
    static Sink simulate(Block block, boolean measure) {
        Set<Parameter> engineOwned = Collections.newSetFromMap(new IdentityHashMap<>());
        collectEngineOwned(block, engineOwned);
        return new Sink() {
            /**
             * Each parameter's own memory, found once (by a write and a read through the engine).
             */
            private final Map<Parameter, Optional<FloatBuffer>> memories = new IdentityHashMap<>();

            @Override
            public FloatBuffer restoreTarget(Parameter parameter) {
                return memory(parameter)
                        .orElseGet(
                                () ->
                                        FloatBuffer.allocate(
                                                Math.toIntExact(parameter.getArray().size())));
            }

            @Override
            public void checkAccepts(String name, Parameter parameter) {
                // One without values is refused, with its name, when it is read.
                if (parameter.isInitialized() && memory(parameter).isEmpty()) {
                    ParameterArrays.checkWritable(name, parameter);
                }
            }

            /**
             * The parameter's own memory to write in place, or empty: written through the engine.
             */
            private Optional<FloatBuffer> memory(Parameter parameter) {
                return memories.computeIfAbsent(
                        parameter,
                        p ->
                                engineOwned.contains(p)
                                        ? Optional.empty()
                                        : Optional.ofNullable(ParameterArrays.memoryOf(p)));
            }

            /** Errors of parameters that hold the restored values rounded to their data type. */
            private final Map<Parameter, ErrorMetrics> rounded = new IdentityHashMap<>();

            @Override
            public void accept(
                    String name, Parameter parameter, QuantizedTensor t, FloatBuffer restored) {
                if (restored.hasArray()) {
                    boolean rounds =
                            measure && parameter.getArray().getDataType() != DataType.FLOAT32;
                    // A float16 weight keeps fp16(restored): measure what it holds, from the
                    // originals it still has until the write (read as float32, so exactly).
                    FloatBuffer originals = rounds ? ParameterArrays.values(name, parameter) : null;
                    ParameterArrays.write(name, parameter, restored.array());
                    if (rounds) {
                        float[] held = ParameterArrays.values(name, parameter).array();
                        rounded.put(parameter, ErrorMetrics.between(originals, held));
                    }
                }
                Simulated.mark(parameter, t.quantizer().spec());
            }

            @Override
            public ErrorMetrics error(Parameter parameter, ErrorMetrics quantized) {
                return rounded.getOrDefault(parameter, quantized);
            }
        };
    }

    private static void collectEngineOwned(Block block, Set<Parameter> engineOwned) {
        if (block instanceof SymbolBlock) {
            engineOwned.addAll(block.getParameters().values());
            return;
        }
        block.getChildren().values().forEach(child -> collectEngineOwned(child, engineOwned));
    }

    private record Selected(String name, Parameter parameter, Quantizer quantizer) {}

    private static List<Selected> select(
            List<Pair<String, Parameter>> all, QuantConfig config, List<String> warnings) {
        List<Selected> selected = new ArrayList<>();
        // A layer used twice lists its parameters under two names: one weight, quantized once with
        // the scheme of the first name that selects it, and named by its first name.
        Map<Parameter, String> firstNames = SharedParameters.firstNames(all);
        Map<Parameter, Selected> byParameter = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : all) {
            Optional<Quantizer> q = config.schemeFor(p.getKey(), p.getValue());
            if (q.isEmpty()) {
                continue;
            }
            Selected first = byParameter.get(p.getValue());
            if (first == null) {
                String name = firstNames.get(p.getValue());
                Selected s = new Selected(name, p.getValue(), q.get());
                byParameter.put(p.getValue(), s);
                selected.add(s);
                if (!name.equals(p.getKey())) {
                    warnings.add(
                            p.getKey()
                                    + " is the parameter of "
                                    + name
                                    + ", which the config does not select: quantized once with "
                                    + q.get().spec()
                                    + ", as "
                                    + name);
                }
            } else {
                warnings.add(shared(p.getKey(), first, q.get()));
            }
        }
        for (Pattern pattern : config.allPatterns()) {
            if (all.stream().noneMatch(p -> pattern.matcher(p.getKey()).find())) {
                warnings.add("regex '" + pattern + "' matched no parameter");
            }
        }
        if (selected.isEmpty()) {
            boolean shapesUnknown = all.stream().anyMatch(p -> knownShape(p.getValue()) == null);
            throw new IllegalArgumentException(
                    "No parameter to quantize with "
                            + config
                            + "; the block has: "
                            + describe(all)
                            + (shapesUnknown
                                    ? ". Weights are selected by their shapes: initialize the"
                                            + " block or load the model first"
                                    : ""));
        }
        for (Selected s : selected) {
            String earlier = Simulated.specOf(s.parameter);
            if (earlier != null) {
                throw new IllegalStateException(
                        "Parameter "
                                + s.name
                                + " already holds values quantized with "
                                + earlier
                                + "; quantizing twice compounds the error. Reload the float"
                                + " weights first.");
            }
        }
        return selected;
    }

    private static String shared(String name, Selected first, Quantizer quantizer) {
        String warning = name + " is the parameter of " + first.name + ": quantized once";
        return quantizer.equals(first.quantizer)
                ? warning
                : warning + ", with " + first.quantizer.spec() + " (not " + quantizer.spec() + ")";
    }

    private static String describe(List<Pair<String, Parameter>> all) {
        if (all.isEmpty()) {
            return "no parameters";
        }
        return all.stream()
                        .limit(12)
                        .map(
                                p ->
                                        p.getKey()
                                                + " ("
                                                + p.getValue().getType()
                                                + " "
                                                + shapeText(p.getValue())
                                                + ")")
                        .collect(Collectors.joining(", "))
                + (all.size() > 12 ? ", ... (" + all.size() + " in all)" : "");
    }

    private static String shapeText(Parameter p) {
        Shape shape = knownShape(p);
        return shape == null ? "not initialized" : shape.toString();
    }

    /** The parameter's shape, of its values or as declared; null before the block knows it. */
    private static Shape knownShape(Parameter p) {
        return p.isInitialized() ? p.getArray().getShape() : p.getShape();
    }

    static long[] shapeOf(Parameter p) {
        return p.getArray().getShape().getShape();
    }

    private static long size(Parameter p) {
        Shape shape = knownShape(p);
        return shape == null ? 0 : shape.size();
    }
}
