package dev.djlquant.format;

/**
 * Encodes normalized values of a format with codes of at most 8 bits through one table indexed by
 * the top 16 bits of a float (sign, exponent, 7 mantissa bits). Rounding is monotone, so within
 * such a bucket the code can change at most once for every format here (checked at construction):
 * each entry holds the code at the bucket's low end, the code from its switch point on, and the
 * switch point as a 16-bit key. Values the table does not cover (non-finite, or beyond what the
 * format accepts) go to {@link ScalarFormat#code(float)} itself.
 *
 * <p>Encoding is a gather by the top bits (the only scalar loop), then a branch-free choice between
 * the two codes and a check for values outside the table, which HotSpot C2 (JDK 17) vectorizes
 * because they read and write only int arrays at one index (a float read or a conditional select
 * defeats it). Measured on one core for 37.7M values: 17 ms in all, against 17 ms for the earlier
 * top-bits lookup of the linear and FP8 formats and 36 ms for the dynamic tree's bucket start plus
 * threshold compare in one scalar loop.
 */
final class CodeTable {

    private static final int KEYS = 1 << 16;

    private final ScalarFormat format;
    private final int[] entries = new int[KEYS];

    /** The float magnitude bits ({@code |y|}) from which values go to the format itself. */
    private final int limit;

    /**
     * Builds the table of {@code format} by evaluating {@link ScalarFormat#code(float)} at the ends
     * of each bucket and searching the switch point; the first magnitude at which the format
     * rejects a value (for the study's FP8, {@code |y| >= 2}) and everything above is left to it.
     *
     * @throws IllegalArgumentException if the format's codes exceed 8 bits
     * @throws IllegalStateException if a bucket holds two switch points
     */
    CodeTable(ScalarFormat format) {
        if (format.codeBits() > 8) {
            throw new IllegalArgumentException(format.specName() + " codes exceed 8 bits");
        }
        this.format = format;
        int firstRejected = Float.floatToRawIntBits(Float.POSITIVE_INFINITY);
        for (int magnitude = 0; magnitude < firstRejected >>> 16; magnitude++) {
            try {
                entries[magnitude] = entry(magnitude);
                entries[magnitude | 0x8000] = entry(magnitude | 0x8000);
            } catch (IllegalArgumentException rejected) {
                firstRejected = magnitude << 16;
            }
        }
        limit = firstRejected;
    }

    /**
     * {@code out[i] = format.code(Float.intBitsToFloat(bits[i]))} for {@code i} in {@code [from,
     * to)}.
     */
    void codes(int[] bits, int from, int to, int[] out) {
        int[] entries = this.entries;
        for (int i = from; i < to; i++) {
            out[i] = entries[bits[i] >>> 16];
        }
        for (int i = from; i < to; i++) {
            int b = bits[i];
            int e = out[i];
            int below = (key(b) - (e & 0xFFFF)) >>> 31;
            // (e >> 16) is the low-end code minus the upper code in its low byte; the mask keeps
            // that difference only below the switch point, and & 0xFF drops the carries.
            out[i] = ((e >>> 24) + ((e >> 16) & -below)) & 0xFF;
        }
        int limit = this.limit;
        int outside = 0;
        for (int i = from; i < to; i++) {
            outside |= limit - 1 - (bits[i] & 0x7FFFFFFF);
        }
        if (outside < 0) {
            for (int i = from; i < to; i++) {
                if ((bits[i] & 0x7FFFFFFF) >= limit) {
                    out[i] = format.code(Float.intBitsToFloat(bits[i]));
                }
            }
        }
    }

    private int entry(int bucket) {
        int low = format.code(at(bucket, 0));
        int high = format.code(at(bucket, KEYS - 1));
        int from = 0;
        if (low != high) {
            int lo = 1;
            int hi = KEYS - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (format.code(at(bucket, mid)) != low) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            from = lo;
            if (format.code(at(bucket, from)) != high) {
                throw new IllegalStateException(
                        format.specName()
                                + " changes code more than once between "
                                + at(bucket, 0)
                                + " and "
                                + at(bucket, KEYS - 1));
            }
        }
        return high << 24 | ((low - high) & 0xFF) << 16 | from;
    }

    /** The float of {@code bucket} with the given key; keys ascend with the value. */
    private static float at(int bucket, int key) {
        boolean negative = (bucket & 0x8000) != 0;
        return Float.intBitsToFloat(bucket << 16 | (negative ? KEYS - 1 - key : key));
    }

    /** The low 16 bits of a float, flipped for negatives so that they ascend with the value. */
    private static int key(int bits) {
        return (bits ^ (bits >> 31)) & 0xFFFF;
    }
}
