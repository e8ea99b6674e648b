package dev.djlquant.benchmarks;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * PyTorch's own row-wise int8 quantization ({@code torch.quantize_per_channel}) timed side by side
 * with djl-quant's {@code int8@row}, where a Python with torch is installed (Debian's {@code
 * python3-torch}; {@code -Ddjlq.python} names another interpreter). Both sides are best-of-N wall
 * times in their own process on a tensor of the same shape and distribution, each with its own copy
 * baseline, so the table shows both the direct ratio and each side's ratio to a plain copy.
 */
public final class TorchComparison {

    private static final String SCRIPT = "torch_per_channel.py";
    private static final int ROWS = 4096;
    private static final int COLS = 9216;

    private TorchComparison() {}

    /** The rows, or none (with a note on {@code log}) when no Python with torch is found. */
    public static List<RatioRow> ratios(int reps, PrintStream log) {
        String python = PythonScript.interpreter();
        JsonObject torch;
        try {
            torch = runScript(python, reps);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.println("PyTorch comparison skipped: " + e.getMessage());
            return List.of();
        }
        Quantizer int8 = Quantizer.parse("int8@row");
        long[] shape = {ROWS, COLS};
        float[] x = Weights.forShape(shape);
        float[] target = new float[x.length];
        QuantizedTensor q = int8.quantize(x, shape);
        double copy = bestMs(reps, () -> copy(x, target));
        double quantize = bestMs(reps, () -> int8.quantize(x, shape));
        double dequantize = bestMs(reps, q::dequantize);
        String subject =
                String.format(
                        Locale.ROOT,
                        "PyTorch %s (%d thread%s) int8 per row %dx%d",
                        torch.get("torch").getAsString(),
                        torch.get("threads").getAsInt(),
                        torch.get("threads").getAsInt() == 1 ? "" : "s",
                        ROWS,
                        COLS);
        return List.of(
                row(subject + " quantize", torch, "quantize_ms", quantize, "int8@row"),
                row(
                        subject + " quantize_per_channel alone (scales given)",
                        torch,
                        "per_channel_only_ms",
                        quantize,
                        "int8@row, scales included"),
                row(subject + " dequantize", torch, "dequantize_ms", dequantize, "int8@row"),
                new RatioRow(
                        "kernel",
                        subject + " quantize",
                        "PyTorch / its copy_",
                        ms(torch.get("quantize_ms").getAsDouble()),
                        ms(torch.get("copy_ms").getAsDouble()) + " (copy_)",
                        torch.get("quantize_ms").getAsDouble() / torch.get("copy_ms").getAsDouble(),
                        Double.NaN,
                        true),
                new RatioRow(
                        "kernel",
                        "djl-quant int8@row quantize, same timing loop (heap not pre-touched)",
                        "djl-quant / arraycopy",
                        ms(quantize),
                        ms(copy) + " (arraycopy)",
                        quantize / copy,
                        Double.NaN,
                        true));
    }

    private static RatioRow row(
            String subject, JsonObject torch, String key, double ours, String spec) {
        double theirs = torch.get(key).getAsDouble();
        return new RatioRow(
                "kernel",
                subject,
                "PyTorch / djl-quant (wall)",
                ms(theirs),
                ms(ours) + " (" + spec + ")",
                theirs / ours,
                Double.NaN,
                true);
    }

    private static JsonObject runScript(String python, int reps)
            throws IOException, InterruptedException {
        String out;
        try {
            out =
                    PythonScript.run(
                            python,
                            SCRIPT,
                            List.of(
                                    String.valueOf(ROWS),
                                    String.valueOf(COLS),
                                    String.valueOf(reps)));
        } catch (PythonScript.ExitException e) {
            throw e.status == 3 ? new IOException(python + " has no torch module") : e;
        }
        return JsonParser.parseString(out.trim()).getAsJsonObject();
    }

    private static float[] copy(float[] x, float[] target) {
        System.arraycopy(x, 0, target, 0, x.length);
        return target;
    }

    /** Best wall time of {@code reps} runs after 15 warm-ups (C2 settles late here), in ms. */
    private static double bestMs(int reps, Supplier<?> work) {
        for (int i = 0; i < 15; i++) {
            work.get();
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            work.get();
            best = Math.min(best, System.nanoTime() - start);
        }
        return best / 1e6;
    }

    private static String ms(double ms) {
        return CompareRunner.ratio(ms) + " ms";
    }
}
