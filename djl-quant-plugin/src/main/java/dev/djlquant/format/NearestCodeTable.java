package dev.djlquant.format;

/**
 * Finds the nearest entry of a sorted codebook by {@code |y - c|} in float32, lower index on exact
 * ties: the same answer as a brute-force argmin, without searching the codebook per value.
 *
 * <p>Because rounding is monotone, the argmin switches from entry {@code i} to {@code i + 1} at a
 * single float, {@code threshold[i]}. A table indexed by the top 16 bits of {@code y} gives the
 * code of the lowest float with those bits. No two thresholds share their top 16 bits (checked at
 * construction; true for every dynamic-tree codebook, whose entries are at least 2^-7 apart
 * relative to their size), so one comparison with the next threshold finishes the job: no loop, no
 * data-dependent trip count. A NaN sentinel after the last threshold ends every search.
 */
final class NearestCodeTable {

    private final float[] thresholds;

    /** {@code Math.nextDown(thresholds[i])}; {@code Float.MAX_VALUE} in the sentinel's place. */
    private final float[] belowThresholds;

    private final short[] bucketStart;

    NearestCodeTable(float[] sortedCodebook) {
        int count = sortedCodebook.length - 1;
        thresholds = new float[count + 1];
        for (int i = 0; i < count; i++) {
            thresholds[i] = firstCloserToUpper(sortedCodebook[i], sortedCodebook[i + 1]);
            if (i > 0 && topBits(thresholds[i]) == topBits(thresholds[i - 1])) {
                throw new IllegalArgumentException(
                        "Codebook entries "
                                + sortedCodebook[i]
                                + " and "
                                + sortedCodebook[i + 1]
                                + " are too close for a 16-bit bucket table");
            }
        }
        thresholds[count] = Float.NaN; // y >= NaN is false: the search stops at the last code
        belowThresholds = new float[count + 1];
        for (int i = 0; i < count; i++) {
            belowThresholds[i] = Math.nextDown(thresholds[i]);
        }
        belowThresholds[count] = Float.MAX_VALUE;
        bucketStart = new short[1 << 16];
        for (int bucket = 0; bucket < bucketStart.length; bucket++) {
            boolean negative = (bucket & 0x8000) != 0;
            float lowest = Float.intBitsToFloat((bucket << 16) | (negative ? 0xFFFF : 0));
            bucketStart[bucket] = (short) countThresholdsAtOrBelow(lowest);
        }
        // +Infinity starts one threshold lower, so that both searches step onto the last code
        // (MAX_VALUE - Infinity is negative; the step itself is the same for every other value).
        int infinity = Float.floatToRawIntBits(Float.POSITIVE_INFINITY) >>> 16;
        bucketStart[infinity] = (short) (count - 1);
    }

    /** Returns the index of the codebook entry nearest to {@code y}; {@code y} must not be NaN. */
    int nearest(float y) {
        int code = bucketStart[Float.floatToRawIntBits(y) >>> 16];
        // At most one threshold lies in y's bucket, and if any, it is thresholds[code].
        return y >= thresholds[code] ? code + 1 : code;
    }

    /**
     * Returns {@link #nearest(float)} for any {@code y} but NaN, without a branch: {@code y >=
     * threshold} exactly when {@code nextDown(threshold) - y} is negative (never -0, as {@code
     * nextDown} never returns -0), so the step is that difference's sign bit.
     */
    int nearestWithoutBranch(float y) {
        int code = bucketStart[Float.floatToRawIntBits(y) >>> 16];
        return code + (Float.floatToRawIntBits(belowThresholds[code] - y) >>> 31);
    }

    private static int topBits(float f) {
        return Float.floatToRawIntBits(f) >>> 16;
    }

    private int countThresholdsAtOrBelow(float y) {
        if (Float.isNaN(y)) {
            return 0;
        }
        int lo = 0;
        int hi = thresholds.length - 1;
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
