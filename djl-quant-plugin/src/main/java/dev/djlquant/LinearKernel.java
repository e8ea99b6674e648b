package dev.djlquant;

import java.util.stream.IntStream;

/**
 * Multiplies input rows by the transpose of a weight matrix that is restored one row at a time:
 * what a linear layer computes, without the whole float32 weight ever existing. Each task restores
 * a row into a cache-resident buffer and takes its dot product with every input row, so the weight
 * is read from memory once, packed.
 */
final class LinearKernel {

    /** Weight values per parallel task, whole rows. */
    private static final int TASK_VALUES = 1 << 19;

    private static final int SEQUENTIAL_BELOW = 1 << 16;

    /** Restores one row of the weight. */
    interface Rows {
        /** Writes row {@code row} into {@code dst[0..in)}. */
        void restore(int row, float[] dst);
    }

    private LinearKernel() {}

    /**
     * Returns {@code x · Wᵀ}, row-major {@code rows x out}, for {@code x} of {@code rows x in}
     * values and a weight {@code W} of {@code out x in}.
     */
    static float[] multiply(Rows weight, int out, int in, float[] x, int rows) {
        float[] y = new float[rows * out];
        int rowsPerTask = Math.max(1, TASK_VALUES / Math.max(1, in));
        int tasks = (out + rowsPerTask - 1) / rowsPerTask;
        IntStream stream = IntStream.range(0, tasks);
        ((long) out * in < SEQUENTIAL_BELOW ? stream : stream.parallel())
                .forEach(
                        t -> {
                            float[] w = new float[in];
                            int last = Math.min(out, (t + 1) * rowsPerTask);
                            for (int r = t * rowsPerTask; r < last; r++) {
                                weight.restore(r, w);
                                for (int b = 0; b < rows; b++) {
                                    y[b * out + r] = dot(w, x, b * in);
                                }
                            }
                        });
        return y;
    }

    /**
     * Returns {@code sum w[i] * x[offset + i]} over {@code w}. Eight partial sums run side by side:
     * one running sum waits for its previous addition on every value, and C2 (JDK 17) does not
     * vectorize a float sum, whose order it must keep.
     */
    static float dot(float[] w, float[] x, int offset) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int n = w.length;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            int j = offset + i;
            s0 += w[i] * x[j];
            s1 += w[i + 1] * x[j + 1];
            s2 += w[i + 2] * x[j + 2];
            s3 += w[i + 3] * x[j + 3];
            s4 += w[i + 4] * x[j + 4];
            s5 += w[i + 5] * x[j + 5];
            s6 += w[i + 6] * x[j + 6];
            s7 += w[i + 7] * x[j + 7];
        }
        float sum = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (; i < n; i++) {
            sum += w[i] * x[offset + i];
        }
        return sum;
    }
}
