package dev.djlquant;

import java.util.Arrays;
import java.util.stream.IntStream;

/** The stable sort by magnitude behind {@code sortedN} groups, and the gather/scatter it needs. */
final class MagnitudeSort {

    private MagnitudeSort() {}

    /**
     * Returns {@code order} with {@code values[order[j]]} ascending in {@code |x|}, equal
     * magnitudes in index order. Rejects NaN and infinities first, since they have no place in the
     * order.
     */
    static int[] stableOrder(float[] values, String name) {
        long[] keys = new long[values.length];
        boolean finite =
                IntStream.range(0, values.length)
                        .parallel()
                        .allMatch(
                                i -> {
                                    int abs = Float.floatToRawIntBits(values[i]) & 0x7FFFFFFF;
                                    // The index in the low half makes keys unique: the sort is
                                    // stable.
                                    keys[i] = ((long) abs << 32) | i;
                                    return abs < 0x7F800000;
                                });
        if (!finite) {
            throw GroupKernel.nonFinite(values, name);
        }
        Arrays.parallelSort(keys);
        int[] order = new int[values.length];
        Arrays.parallelSetAll(order, j -> (int) keys[j]);
        return order;
    }

    /** Returns {@code values[order[j]]} for each j. */
    static float[] gather(float[] values, int[] order) {
        float[] out = new float[order.length];
        IntStream.range(0, order.length).parallel().forEach(j -> out[j] = values[order[j]]);
        return out;
    }

    /** Returns the array {@code out} with {@code out[order[j]] = sorted[j]}. */
    static float[] scatter(float[] sorted, int[] order) {
        float[] out = new float[sorted.length];
        IntStream.range(0, sorted.length).parallel().forEach(j -> out[order[j]] = sorted[j]);
        return out;
    }
}
