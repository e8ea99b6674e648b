package dev.djlquant;

import dev.djlquant.simd.ParallelBlocks;

/**
 * Multiplies input rows by the transpose of a weight matrix that is read one row at a time: what a
 * linear layer computes, without the whole float32 weight ever existing. Tasks of whole weight rows
 * run in parallel; each row's dot products come straight from its source (packed codes for {@link
 * QuantizedTensor#linear}), so the weight is read from memory once per input row.
 */
final class LinearKernel {

    /** Weight values per parallel task, whole rows. */
    private static final int TASK_VALUES = 1 << 19;

    /** One weight row's dot products with every row of the input {@code x} it was made for. */
    interface RowDot {
        /**
         * Writes {@code sum_i W[row, i] * x[b, i]} to {@code sums[b]} for every input row {@code
         * b}; {@code scratch} is as long as {@code sums}, for the implementation's own use.
         */
        void dot(int row, float[] sums, float[] scratch);
    }

    private LinearKernel() {}

    /**
     * Returns {@code x · Wᵀ}, row-major {@code rows x out}, for the input {@code x} of {@code rows
     * x in} values that {@code weight} was made for and a weight {@code W} of {@code out x in}.
     */
    static float[] multiply(RowDot weight, int out, int in, int rows) {
        float[] y = new float[rows * out];
        int rowsPerTask = Math.max(1, TASK_VALUES / Math.max(1, in));
        ParallelBlocks.forEach(
                out,
                rowsPerTask,
                (long) out * in,
                (t, first, last) -> {
                    float[] sums = new float[rows];
                    float[] scratch = new float[rows];
                    for (int r = first; r < last; r++) {
                        weight.dot(r, sums, scratch);
                        for (int b = 0; b < rows; b++) {
                            y[b * out + r] = sums[b];
                        }
                    }
                });
        return y;
    }

    /**
     * Returns {@code sum w[wFrom + i] * x[xFrom + i]} over {@code count} values, in eight partial
     * sums side by side: one running sum waits for its previous addition on every value, and C2
     * (JDK 17) does not vectorize a float sum, whose order it must keep.
     */
    static float dot(float[] w, int wFrom, float[] x, int xFrom, int count) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 8 <= count; i += 8) {
            int a = wFrom + i;
            int b = xFrom + i;
            s0 += w[a] * x[b];
            s1 += w[a + 1] * x[b + 1];
            s2 += w[a + 2] * x[b + 2];
            s3 += w[a + 3] * x[b + 3];
            s4 += w[a + 4] * x[b + 4];
            s5 += w[a + 5] * x[b + 5];
            s6 += w[a + 6] * x[b + 6];
            s7 += w[a + 7] * x[b + 7];
        }
        float sum = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (; i < count; i++) {
            sum += w[wFrom + i] * x[xFrom + i];
        }
        return sum;
    }
}
