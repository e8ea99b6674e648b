package dev.djlquant.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A linear layer at batch 1, the operation that dominates a COMPRESSED AlexNet forward, on a 4096 x
 * 4096 weight: djl-quant's product straight from packed codes ({@link QuantizedTensor#linear})
 * against the engine's float32 product with the weight resident (the speed to match) and against
 * restoring the weight into a new engine array for the engine's product (what COMPRESSED did
 * before). Timed in turns, in the calling JVM.
 */
public final class LinearComparison {

    private static final int SIZE = 4096;
    private static final String[] SPECS = {"int8@row", "dt4@row"};

    private LinearComparison() {}

    /** The rows: per scheme, packed against float32 and restore-then-multiply against packed. */
    public static List<RatioRow> ratios(int warmup, int repetitions, PrintStream log)
            throws Exception {
        long[] shape = {SIZE, SIZE};
        float[] w = Weights.forShape(shape);
        float[] x = Weights.normal(SIZE, 7L);
        List<RatioRow> rows = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray input = manager.create(x, new Shape(1, SIZE));
            NDArray weight = manager.create(w, new Shape(shape));
            for (String spec : SPECS) {
                QuantizedTensor t = Quantizer.parse(spec).quantize(w, shape);
                List<Callable<Timing.Run>> operations = new ArrayList<>();
                operations.add(run(() -> engineLinear(input, weight)));
                operations.add(run(() -> t.linear(x, 1)));
                operations.add(
                        run(
                                () -> {
                                    try (NDManager layer = manager.newSubManager()) {
                                        NDArray restored =
                                                layer.create(t.dequantize(), new Shape(shape));
                                        engineLinear(input, restored);
                                    }
                                }));
                List<Timing> timings = Timing.interleaved(warmup, repetitions, operations);
                String subject = spec + " linear 4096x4096, batch 1";
                log.printf(
                        Locale.ROOT,
                        "  %s: float32 engine %s; packed %s; restore + engine %s%n",
                        subject,
                        timings.get(0),
                        timings.get(1),
                        timings.get(2));
                rows.add(row(subject, "packed / float32 engine", timings.get(1), timings.get(0)));
                rows.add(row(subject, "restore + engine / packed", timings.get(2), timings.get(1)));
            }
        }
        return rows;
    }

    private static float[] engineLinear(NDArray input, NDArray weight) {
        try (NDArray y = Linear.linear(input, weight).singletonOrThrow()) {
            return y.toFloatArray();
        }
    }

    private static Callable<Timing.Run> run(Runnable operation) {
        return () -> Timing.Run.of(operation);
    }

    private static RatioRow row(String subject, String ratioOf, Timing ours, Timing baseline) {
        return new RatioRow(
                "kernel",
                subject,
                ratioOf,
                CompareRunner.fmt(ours.medianMs()) + " ms",
                CompareRunner.fmt(baseline.medianMs()) + " ms",
                ours.medianMs() / baseline.medianMs(),
                Double.NaN,
                true);
    }
}
