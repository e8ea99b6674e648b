package dev.djlquant.format;

/**
 * Finds the nearest entry of a sorted codebook by {@code |y - c|} in float32, lower index on exact
 * ties: the same answer as a brute-force argmin, without searching the codebook per value.
 *
 * <p>Because rounding is monotone, the argmin switches from entry {@code i} to {@code i + 1} at a
 * single float, {@code threshold[i]}. A table indexed by the top 16 bits of {@code y} gives the
 * code of the lowest float with those bits; at most a step or two along the thresholds finishes the
 * job.
 */
final class NearestCodeTable {

    private final float[] thresholds;
    private final short[] bucketStart;

    NearestCodeTable(float[] sortedCodebook) {
        thresholds = new float[sortedCodebook.length - 1];
        for (int i = 0; i < thresholds.length; i++) {
            thresholds[i] = firstCloserToUpper(sortedCodebook[i], sortedCodebook[i + 1]);
        }
        bucketStart = new short[1 << 16];
        for (int bucket = 0; bucket < bucketStart.length; bucket++) {
            boolean negative = (bucket & 0x8000) != 0;
            float lowest = Float.intBitsToFloat((bucket << 16) | (negative ? 0xFFFF : 0));
            bucketStart[bucket] = (short) countThresholdsAtOrBelow(lowest);
        }
    }

    /** Returns the index of the codebook entry nearest to {@code y}; {@code y} must not be NaN. */
    int nearest(float y) {
        int code = bucketStart[Float.floatToRawIntBits(y) >>> 16];
        while (code < thresholds.length && y >= thresholds[code]) {
            code++;
        }
        return code;
    }

    private int countThresholdsAtOrBelow(float y) {
        if (Float.isNaN(y)) {
            return 0;
        }
        int lo = 0;
        int hi = thresholds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (thresholds[mid] <= y) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Smallest float in (lower, upper] strictly closer to upper in float32 arithmetic. */
    private static float firstCloserToUpper(float lower, float upper) {
        int lo = sortable(lower);
        int hi = sortable(upper);
        while (lo < hi) {
            int mid = (int) (((long) lo + hi) >> 1);
            float y = unsortable(mid);
            if (Math.abs(y - upper) < Math.abs(y - lower)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return unsortable(lo);
    }

    /** Maps float bits to ints whose signed order is the float order. */
    private static int sortable(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
    }

    private static float unsortable(int s) {
        return Float.intBitsToFloat(s >= 0 ? s : s ^ 0x7FFFFFFF);
    }
}
