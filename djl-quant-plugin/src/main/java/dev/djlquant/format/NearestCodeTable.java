package dev.djlquant.format;

/**
 * Finds the nearest entry of a sorted codebook by {@code |y - c|} in float32, lower index on exact
 * ties: the same answer as a brute-force argmin, without searching the codebook per value.
 *
 * <p>Because rounding is monotone, the argmin switches from entry {@code i} to {@code i + 1} at a
 * single float, {@code threshold[i]}. A table indexed by the top 16 bits of {@code y} (sign,
 * exponent, 7 mantissa bits) holds, per bucket, the code of its lowest float and the low 16 bits of
 * the one threshold inside it, if any. No two thresholds share a bucket (checked at construction;
 * true for every dynamic-tree codebook, whose entries are at least 2^-7 apart relative to their
 * size), so one comparison of low bits finishes the job.
 *
 * <p>The bulk form runs three loops over int arrays that share one index: the raw bits (into a
 * per-thread buffer), the table gather (the only scalar loop) and the comparison. HotSpot C2 (JDK
 * 17) vectorizes the first and the last, which it does not over {@code Float.floatToRawIntBits} of
 * a float array or with a conditional select. Measured on one core for 37.7M values: 17 ms against
 * 36 ms for the same arithmetic in one scalar loop.
 */
final class NearestCodeTable {

    private static final int BUCKETS = 1 << 16;

    /** A switch key above every low-bits key: the bucket holds no threshold. */
    private static final int NO_THRESHOLD = 1 << 16;

    private final float[] thresholds;

    /** Per bucket: {@code code << 17 | key of the threshold in it, or NO_THRESHOLD}. */
    private final int[] entries = new int[BUCKETS];

    /** Per-thread raw-bits buffer for the bulk form, so that encoding allocates nothing. */
    private final ThreadLocal<int[]> bitsBuffer = ThreadLocal.withInitial(() -> new int[0]);

    NearestCodeTable(float[] sortedCodebook) {
        thresholds = new float[sortedCodebook.length - 1];
        for (int i = 0; i < thresholds.length; i++) {
            thresholds[i] = firstCloserToUpper(sortedCodebook[i], sortedCodebook[i + 1]);
        }
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            boolean negative = (bucket & 0x8000) != 0;
            float lowest = Float.intBitsToFloat(bucket << 16 | (negative ? 0xFFFF : 0));
            int code = countThresholdsAtOrBelow(lowest);
            int threshold = NO_THRESHOLD;
            if (code < thresholds.length && topBits(thresholds[code]) == bucket) {
                threshold = key(Float.floatToRawIntBits(thresholds[code]));
                if (code + 1 < thresholds.length && topBits(thresholds[code + 1]) == bucket) {
                    throw new IllegalArgumentException(
                            "Codebook entries around "
                                    + thresholds[code]
                                    + " are too close for a 16-bit bucket table");
                }
            }
            entries[bucket] = code << 17 | threshold;
        }
    }

    /** Returns the index of the codebook entry nearest to {@code y}; {@code y} must not be NaN. */
    int nearest(float y) {
        int bits = Float.floatToRawIntBits(y);
        return code(bits, entries[bits >>> 16]);
    }

    /** {@code out[i] = nearest(y[i])} for {@code i} in {@code [from, to)}; no NaN. */
    void nearest(float[] y, int from, int to, int[] out) {
        int[] bits = bitsBuffer.get();
        if (bits.length < to) {
            bits = new int[to];
            bitsBuffer.set(bits);
        }
        for (int i = from; i < to; i++) {
            bits[i] = Float.floatToRawIntBits(y[i]);
        }
        for (int i = from; i < to; i++) {
            out[i] = entries[bits[i] >>> 16];
        }
        for (int i = from; i < to; i++) {
            out[i] = code(bits[i], out[i]);
        }
    }

    /** The bucket's code, plus one if the key of {@code bits} reaches the bucket's threshold. */
    private static int code(int bits, int entry) {
        return (entry >>> 17) + (((key(bits) - (entry & 0x1FFFF)) >>> 31) ^ 1);
    }

    /** The low 16 bits of a float, flipped for negatives so that they ascend with the value. */
    private static int key(int bits) {
        return (bits ^ (bits >> 31)) & 0xFFFF;
    }

    private static int topBits(float f) {
        return Float.floatToRawIntBits(f) >>> 16;
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
