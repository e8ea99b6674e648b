package dev.djlquant.metrics;

import dev.djlquant.simd.VectorApi;
import java.util.Arrays;

/**
 * The sums of one block of {@link ErrorMetrics}, taken piece by piece: value {@code j} of the block
 * adds to lane {@code j % 8}, and {@link #toMetrics} adds the eight lanes in order. Independent
 * lanes let the additions overlap (one chain of double additions waited about 4 cycles a value),
 * and the fixed lane count makes the SIMD loop ({@link VectorErrorLanes}, with {@code
 * jdk.incubator.vector} on 512-bit vectors) and the scalar loop give the same doubles on every
 * machine, and a block measured in pieces the same doubles as in one.
 */
public final class ErrorSums {

    static final int LANES = 8;

    /** Offsets of the four sums in {@link #lanes}: |error|, error^2, signal^2 and max |error|. */
    static final int ABS = 0;

    static final int SQUARE = LANES;
    static final int SIGNAL = 2 * LANES;
    static final int MAX = 3 * LANES;

    private static final boolean VECTOR = VectorApi.passes(ErrorSums::vectorLanesWork);

    private final double[] lanes = new double[4 * LANES];
    private long count;

    /**
     * Adds the next {@code length} values of the block: {@code restored[restoredAt..)} against
     * {@code original[originalAt..)}. Every piece but the last must hold a multiple of 8 values.
     *
     * @param original the original values
     * @param originalAt the index in {@code original} of the first value
     * @param restored the restored values
     * @param restoredAt the index in {@code restored} of the first value
     * @param length the number of values
     * @throws IllegalStateException if an earlier piece was not a multiple of 8 values
     */
    public void add(
            float[] original, int originalAt, float[] restored, int restoredAt, int length) {
        if (count % LANES != 0) {
            throw new IllegalStateException(
                    "A piece of " + count % LANES + " values past a whole lane step came before");
        }
        int done =
                VECTOR
                        ? VectorErrorLanes.add(
                                original, originalAt, restored, restoredAt, length, lanes)
                        : 0;
        addScalar(original, originalAt, restored, restoredAt, done, length, lanes);
        count += length;
    }

    /**
     * Returns the metrics of the values added so far.
     *
     * @return the metrics of the values added so far
     */
    public ErrorMetrics toMetrics() {
        double max = 0;
        for (int l = 0; l < LANES; l++) {
            max = Math.max(max, lanes[MAX + l]);
        }
        return new ErrorMetrics(
                count, total(lanes, ABS), total(lanes, SQUARE), total(lanes, SIGNAL), max);
    }

    /** Adds the values {@code [from, length)} of a piece to their lanes; {@code from % 8 == 0}. */
    static void addScalar(
            float[] x, int xAt, float[] y, int yAt, int from, int length, double[] lanes) {
        for (int i = from; i < length; i++) {
            int l = i & (LANES - 1);
            double v = x[xAt + i];
            double e = Math.abs(v - y[yAt + i]);
            lanes[ABS + l] += e;
            lanes[SQUARE + l] += e * e;
            lanes[SIGNAL + l] += v * v;
            lanes[MAX + l] = Math.max(lanes[MAX + l], e);
        }
    }

    private static double total(double[] lanes, int offset) {
        double sum = 0;
        for (int l = 0; l < LANES; l++) {
            sum += lanes[offset + l];
        }
        return sum;
    }

    /**
     * Whether the SIMD loop runs here and gives the scalar loop's lanes bit for bit on a sample;
     * any failure (an incubator API this JDK changed) keeps the scalar loop.
     */
    private static boolean vectorLanesWork() {
        if (!VectorErrorLanes.supported()) {
            return false;
        }
        int n = 203; // several vector steps and a tail
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i) * (1 + i % 5);
            y[i] = x[i] + (float) Math.cos(3 * i) / 64;
        }
        double[] scalar = new double[4 * LANES];
        addScalar(x, 1, y, 2, 0, n - 2, scalar);
        double[] vector = new double[4 * LANES];
        int done = VectorErrorLanes.add(x, 1, y, 2, n - 2, vector);
        addScalar(x, 1, y, 2, done, n - 2, vector);
        return done > 0 && Arrays.equals(scalar, vector);
    }
}
