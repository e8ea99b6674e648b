package dev.djlquant.format;

/**
 * Finds the nearest entry of a sorted codebook by {@code |y - c|} in float32, lower index on exact
 * ties: the same answer as a brute-force argmin, by a binary search over the points where it
 * switches. Because rounding is monotone, the argmin switches from entry {@code i} to {@code i + 1}
 * at a single float, {@code threshold[i]}, found once by bisecting the floats between the two
 * entries.
 */
final class NearestEntry {

    private final float[] thresholds;

    NearestEntry(float[] sortedCodebook) {
        thresholds = new float[sortedCodebook.length - 1];
        for (int i = 0; i < thresholds.length; i++) {
            thresholds[i] = firstCloserToUpper(sortedCodebook[i], sortedCodebook[i + 1]);
        }
    }

    /**
     * The floats from which the nearest entry is the next one up, ascending: the code of {@code y}
     * is how many of them are at most {@code y}. Shared, not copied: callers must not change it.
     */
    float[] thresholds() {
        return thresholds;
    }

    /** Returns the index of the codebook entry nearest to {@code y}; 0 for NaN. */
    int nearest(float y) {
        int lo = 0;
        int hi = thresholds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (y >= thresholds[mid]) {
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
