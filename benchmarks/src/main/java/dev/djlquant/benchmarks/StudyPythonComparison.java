package dev.djlquant.benchmarks;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.djlquant.Quantizer;
import dev.djlquant.format.SeedArithmetic;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * The study's own FP8 and dynamic-tree rounding, one value at a time in plain Python as the study
 * computed it, timed on one thread beside djl-quant doing the same arithmetic: per value on one
 * thread ({@link SeedArithmetic}) and as the packed {@code seedfp8@lastaxis} and {@code
 * seeddt8@lastaxis} quantizers on a 4096 x 9216 tensor. The script's results must equal djl-quant's
 * bit for bit before a row is reported. Runs wherever a Python 3 is installed ({@code
 * -Ddjlq.python} names it); needs no torch.
 */
public final class StudyPythonComparison {

    static final String SCRIPT = "study_arithmetic.py";

    /** Values the Python passes round: about a second each at the speeds seen here. */
    private static final int VALUES = 200_000;

    private static final long[] LARGE = Weights.shape(Weights.LARGE);

    private StudyPythonComparison() {}

    /** djl-quant's form of one of the study's roundings, per value. */
    interface PerValue {
        float round(float y);
    }

    /**
     * One of the study's two roundings, in the script's order: its name, djl-quant's per-value form
     * (and that form's name), the packed quantizer that applies it, and the script's timing key.
     */
    private record Rounding(
            String what, String javaName, PerValue perValue, String packedSpec, String timingKey) {}

    private static final List<Rounding> ROUNDINGS =
            List.of(
                    new Rounding(
                            "FP8",
                            "SeedArithmetic.roundFp8",
                            SeedArithmetic::roundFp8,
                            "seedfp8@lastaxis",
                            "fp8_s"),
                    new Rounding(
                            "dynamic tree",
                            "SeedArithmetic.roundDt",
                            SeedArithmetic::roundDt,
                            "seeddt8@lastaxis",
                            "dt_s"));

    /**
     * What the script returned: its Python version, the values each rounding gave (in {@link
     * #ROUNDINGS} order) and the best time of each pass in seconds.
     */
    record PythonRun(String version, float[][] rounded, double[] seconds) {}

    /** The rows, or none (with a note on {@code log}) when no Python 3 runs. */
    public static List<RatioRow> ratios(int reps, PrintStream log) {
        String python = PythonScript.interpreter();
        float[] y = normalizedValues(VALUES);
        PythonRun run;
        try {
            run = runPython(python, y, reps);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.println("Study arithmetic comparison skipped: " + e.getMessage());
            return List.of();
        }
        String baseline = "the study's Python " + run.version() + ", one thread";
        float[] out = new float[y.length];
        float[] x = Weights.forShape(LARGE);
        List<RatioRow> rows = new ArrayList<>();
        for (int k = 0; k < ROUNDINGS.size(); k++) {
            Rounding r = ROUNDINGS.get(k);
            float[] theirs = run.rounded()[k];
            checkAgrees(r.what(), y, theirs, i -> sameBits(theirs[i], r.perValue().round(y[i])));
            double pythonRate = y.length / run.seconds()[k];
            double perValue = bestSeconds(reps, () -> roundAll(y, out, r.perValue()));
            Quantizer packed = Quantizer.parse(r.packedSpec());
            double packedTime = bestSeconds(reps, () -> packed.quantize(x, LARGE));
            rows.add(
                    row(
                            "study's "
                                    + r.what()
                                    + " rounding per value, one thread ("
                                    + r.javaName()
                                    + ")",
                            y.length / perValue,
                            pythonRate,
                            baseline));
            rows.add(
                    row(
                            r.packedSpec()
                                    + " quantize "
                                    + Weights.LARGE
                                    + " (packed codes, all cores)",
                            x.length / packedTime,
                            pythonRate,
                            baseline));
        }
        return rows;
    }

    /**
     * Seeded values in [-1, 1] as a group maximum leaves them: normal weights divided by their
     * largest magnitude, with zero, ±1, decade boundaries and a value in every decade the dynamic
     * tree counts among them.
     */
    static float[] normalizedValues(int n) {
        SplittableRandom random = new SplittableRandom(17);
        float[] y = new float[n];
        double max = 0;
        for (int i = 0; i < n; i++) {
            y[i] = (float) random.nextGaussian();
            max = Math.max(max, Math.abs(y[i]));
        }
        for (int i = 0; i < n; i++) {
            y[i] = (float) (y[i] / max);
        }
        float[] edges = {
            0f,
            1f,
            -1f,
            0.1f,
            -0.1f,
            0.099999994f,
            0.01f,
            -5e-3f,
            5e-4f,
            -5e-5f,
            5e-6f,
            -5e-7f,
            5e-8f,
            1e-9f
        };
        System.arraycopy(edges, 0, y, 0, Math.min(n, edges.length));
        return y;
    }

    /** Sends the script to {@code python}, with {@code y} in a file, and reads its results. */
    static PythonRun runPython(String python, float[] y, int reps)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("djlq-study-python");
        try {
            Path in = dir.resolve("values.f32");
            Path out = dir.resolve("rounded.f32");
            Files.write(in, littleEndian(y));
            String json =
                    PythonScript.run(
                            python,
                            SCRIPT,
                            List.of(in.toString(), out.toString(), String.valueOf(reps)));
            return results(python, json, Files.readAllBytes(out), y.length);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /**
     * Reads the script's JSON and its file of rounded values; a malformed one is an IOException.
     */
    private static PythonRun results(String python, String json, byte[] rounded, int n)
            throws IOException {
        int passes = ROUNDINGS.size();
        long expected = (long) passes * n * Float.BYTES;
        if (rounded.length != expected) {
            throw new IOException(
                    python
                            + " wrote "
                            + rounded.length
                            + " bytes of results, expected "
                            + expected);
        }
        FloatBuffer values =
                ByteBuffer.wrap(rounded).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[][] byPass = new float[passes][n];
        double[] seconds = new double[passes];
        try {
            JsonObject times = JsonParser.parseString(json.trim()).getAsJsonObject();
            for (int k = 0; k < passes; k++) {
                values.get(k * n, byPass[k]);
                seconds[k] = times.get(ROUNDINGS.get(k).timingKey()).getAsDouble();
            }
            return new PythonRun(times.get("python").getAsString(), byPass, seconds);
        } catch (RuntimeException e) {
            throw new IOException(python + " printed no usable timings: '" + json.trim() + "'", e);
        }
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES);
        bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        return bytes.array();
    }

    private static boolean sameBits(float a, float b) {
        return Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b);
    }

    /**
     * Throws unless {@code agrees} holds for every index; the timings would compare unlike work.
     */
    private static void checkAgrees(String what, float[] y, float[] theirs, IntPredicate agrees) {
        for (int i = 0; i < y.length; i++) {
            if (!agrees.test(i)) {
                throw new IllegalStateException(
                        String.format(
                                Locale.ROOT,
                                "The Python %s disagrees with djl-quant at value %d (%s): %s",
                                what,
                                i,
                                Float.toString(y[i]),
                                Float.toString(theirs[i])));
            }
        }
    }

    private static void roundAll(float[] y, float[] out, PerValue rounding) {
        for (int i = 0; i < y.length; i++) {
            out[i] = rounding.round(y[i]);
        }
    }

    /** Best wall time of {@code reps} runs after 5 warm-ups, in seconds. */
    private static double bestSeconds(int reps, Runnable work) {
        for (int i = 0; i < 5; i++) {
            work.run();
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            work.run();
            best = Math.min(best, System.nanoTime() - start);
        }
        return best / 1e9;
    }

    private static RatioRow row(String subject, double ours, double theirs, String python) {
        return new RatioRow(
                "kernel",
                subject,
                "djl-quant / Python (values/s)",
                millions(ours) + " values/s",
                millions(theirs) + " values/s (" + python + ")",
                ours / theirs,
                Double.NaN,
                false);
    }

    private static String millions(double perSecond) {
        double m = perSecond / 1e6;
        return String.format(Locale.ROOT, m >= 100 ? "%.0fM" : "%.3gM", m);
    }
}
