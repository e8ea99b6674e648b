package dev.djlquant.format;

/**
 * The codes of a format with codes of at most 8 bits through one table indexed by the top 16 bits
 * of a float (sign, exponent, 7 mantissa bits). Rounding is monotone, so within such a bucket the
 * code changes at most once for every format here (checked at construction): each entry holds the
 * code from the bucket's switch point on, the difference to the code below it, and the switch point
 * as a 16-bit key. Values a format rejects (the study's FP8 takes only {@code |y| < 2}) go to its
 * own arithmetic, which throws.
 *
 * <p>Encoding runs three loops over int arrays that share one index: the raw bits (into a
 * per-thread buffer; SIMD with {@link VectorCodes#rawBits} where {@link SimdEncoding} allows), the
 * table gather (the only scalar loop) and a branch-free choice between the two codes, which HotSpot
 * C2 (JDK 17) vectorizes, as it does not with a conditional select. Measured on 4096 x 9216 weights
 * (both cores): int8 quantize 20.4-20.6 ms against 22.3-23.0 ms for a one-loop lookup by the top
 * bits, dt8 about 21 ms against 31 ms for a bucket start plus threshold compare.
 */
final class CodeTable {

    /** A format's own encoding of one normalized value. */
    interface Encoding {
        int code(float y);
    }

    private static final int KEYS = 1 << 16;
    private static final int NO_LIMIT = Integer.MAX_VALUE;

    private final Encoding encoding;
    private final int[] entries = new int[KEYS];

    /** The float magnitude bits from which the encoding rejects values; NO_LIMIT if none. */
    private final int limit;

    private final ThreadLocal<int[]> bitsBuffer = ThreadLocal.withInitial(() -> new int[0]);

    /**
     * Builds the table by evaluating {@code encoding} at the ends of each bucket and searching the
     * switch point between them; from the first magnitude at which it throws {@link
     * IllegalArgumentException}, values are left to it.
     *
     * @throws IllegalStateException if a bucket holds two switch points
     */
    CodeTable(Encoding encoding) {
        this.encoding = encoding;
        int firstRejected = NO_LIMIT;
        for (int magnitude = 0; magnitude < KEYS / 2 && firstRejected == NO_LIMIT; magnitude++) {
            try {
                entries[magnitude] = entry(magnitude);
                entries[magnitude | 0x8000] = entry(magnitude | 0x8000);
            } catch (IllegalArgumentException rejected) {
                firstRejected = magnitude << 16;
            }
        }
        limit = firstRejected;
    }

    /** Returns {@code encoding.code(y)}. */
    int code(float y) {
        int bits = Float.floatToRawIntBits(y);
        if ((bits & 0x7FFFFFFF) >= limit) {
            return encoding.code(y);
        }
        return choose(bits, entries[bits >>> 16]);
    }

    /** {@code out[i] = encoding.code(y[i])} for {@code i} in {@code [from, to)}. */
    void codes(float[] y, int from, int to, int[] out) {
        if (from >= to) {
            return;
        }
        int[] bits = bitsBuffer.get();
        if (bits.length < to) {
            bits = new int[to];
            bitsBuffer.set(bits);
        }
        int copied = SimdEncoding.ENABLED ? VectorCodes.rawBits(y, from, to, bits) : from;
        for (int i = copied; i < to; i++) {
            bits[i] = Float.floatToRawIntBits(y[i]);
        }
        for (int i = from; i < to; i++) {
            out[i] = entries[bits[i] >>> 16];
        }
        for (int i = from; i < to; i++) {
            out[i] = choose(bits[i], out[i]);
        }
        if (limit != NO_LIMIT) {
            redoRejected(y, bits, from, to, out);
        }
    }

    /**
     * The code above the switch point, plus the difference to the one below it when the key of
     * {@code bits} is below the switch point ({@code & 0xFF} drops the carries).
     */
    private static int choose(int bits, int entry) {
        int below = (key(bits) - (entry & 0xFFFF)) >>> 31;
        return ((entry >>> 24) + ((entry >> 16) & -below)) & 0xFF;
    }

    private void redoRejected(float[] y, int[] bits, int from, int to, int[] out) {
        int outside = 0;
        for (int i = from; i < to; i++) {
            outside |= limit - 1 - (bits[i] & 0x7FFFFFFF);
        }
        if (outside < 0) {
            for (int i = from; i < to; i++) {
                if ((bits[i] & 0x7FFFFFFF) >= limit) {
                    out[i] = encoding.code(y[i]);
                }
            }
        }
    }

    private int entry(int bucket) {
        int low = encoding.code(at(bucket, 0));
        int high = encoding.code(at(bucket, KEYS - 1));
        int from = 0;
        if (low != high) {
            int lo = 1;
            int hi = KEYS - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (encoding.code(at(bucket, mid)) != low) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            from = lo;
            if (encoding.code(at(bucket, from)) != high) {
                throw new IllegalStateException(
                        "Codes change more than once between "
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
