package dev.djlquant.format;

/**
 * The study's dynamic tree ({@code seeddtK}, K = 3..8) as a packed code. Its values are those of
 * {@link SeedArithmetic#roundDt(float, int)}: up to 128 levels in the top decade whatever K is,
 * {@code 2^(K-2-k)} levels in decade {@code k}, zero below. So many values need 8-bit codes for K =
 * 3..5 and 9-bit codes for K = 6..8: the study's "K-bit" model is not K bits per weight, and {@link
 * #codeBits()} says so.
 *
 * <p>Code layout: the top bit is the sign; the others index the magnitude: the levels a decade can
 * reach (a value's magnitude is at least 0.1 in its decade, so the top decade starts at level 12),
 * top decade first, then each lower decade, then the two decades that round to zero and exact zero
 * (kept apart so the exponent histogram counts what the study counted). {@link #codeBits()} is the
 * fewest bits that hold them all.
 */
public final class SeedDynamicTree implements ScalarFormat, DecimalExponents {

    private static final SeedDynamicTree[] CACHE = new SeedDynamicTree[9];

    private final int bits;

    /** First magnitude index of decade k, for k = 0..bits-1, then of exact zero. */
    private final int[] decadeStart;

    /**
     * The magnitude index level 0 of decade k would have: {@code decadeStart[k]} minus the decade's
     * lowest reachable level, so that a level maps to its index by one addition.
     */
    private final int[] levelBase;

    private final int codeBits;

    /** The sign bit: the top bit of a code. */
    private final int sign;

    private final float[] values;

    private SeedDynamicTree(int bits) {
        this.bits = bits;
        decadeStart = new int[bits + 1];
        levelBase = new int[bits];
        for (int k = 0; k < bits; k++) {
            int lowest = k < bits - 2 ? lowestLevel(k) : 0;
            levelBase[k] = decadeStart[k] - lowest;
            int levels = k < bits - 2 ? (1 << fractionBits(k)) - lowest : 1;
            decadeStart[k + 1] = decadeStart[k] + levels;
        }
        int magnitudes = decadeStart[bits] + 1;
        codeBits = 1 + (32 - Integer.numberOfLeadingZeros(magnitudes - 1));
        sign = 1 << (codeBits - 1);
        values = new float[1 << codeBits];
        for (int code = 0; code < values.length; code++) {
            values[code] = decodeValue(code);
        }
    }

    /**
     * Returns the study's {@code seeddtK} for K in 3..8.
     *
     * @param bits the nominal width K, 3 to 8
     * @return the format, one shared instance per width
     * @throws IllegalArgumentException if {@code bits} is not 3 to 8
     */
    public static synchronized SeedDynamicTree of(int bits) {
        SeedArithmetic.checkDtBits(bits);
        if (CACHE[bits] == null) {
            CACHE[bits] = new SeedDynamicTree(bits);
        }
        return CACHE[bits];
    }

    /** Fraction bits kept in decade k: 7 at the top, K-2-k below it. */
    private int fractionBits(int k) {
        return k == 0 ? SeedArithmetic.TOP_DECADE_BITS : bits - 2 - k;
    }

    /**
     * The lowest level decade k reaches: its magnitudes are at least 0.1 once scaled into it, so
     * their truncation to {@code fractionBits(k)} bits is at least {@code floor(0.1 * 2^bits)}.
     */
    private int lowestLevel(int k) {
        return (int) Math.floor(Math.scalb(0.1, fractionBits(k)));
    }

    private float decodeValue(int code) {
        int magnitude = code & (sign - 1);
        boolean negative = (code & sign) != 0;
        int zeroIndex = decadeStart[bits];
        if (magnitude > zeroIndex || (magnitude == zeroIndex && negative)) {
            return Float.NaN;
        }
        int k = exponentOfMagnitude(magnitude);
        if (k == ZERO || k >= bits - 2) {
            return negative ? -0f : 0f;
        }
        int level = magnitude - levelBase[k];
        double kept = Math.scalb((double) level, -fractionBits(k));
        return (float) ((negative ? -kept : kept) * SeedArithmetic.tenToMinus(k));
    }

    private int exponentOfMagnitude(int magnitude) {
        if (magnitude == decadeStart[bits]) {
            return ZERO;
        }
        int k = 0;
        while (magnitude >= decadeStart[k + 1]) {
            k++;
        }
        return k;
    }

    @Override
    public String specName() {
        return "seeddt" + bits;
    }

    @Override
    public int codeBits() {
        return codeBits;
    }

    @Override
    public int nominalBits() {
        return bits;
    }

    @Override
    public float range() {
        return 1f;
    }

    @Override
    public int code(float y) {
        if (y == 0f) {
            return decadeStart[bits];
        }
        // SeedArithmetic's decade loop, stopped at the last decade a code tells apart (it is the
        // hot loop of seeddt encoding); tests hold every code to SeedArithmetic.roundDt.
        double v = Math.abs((double) y);
        int k = 0;
        while (v < 0.1 && k < bits - 1) {
            v *= 10;
            k++;
        }
        int signBit = y < 0 ? sign : 0;
        if (k >= bits - 2) {
            return signBit | decadeStart[k];
        }
        int fractionBits = fractionBits(k);
        int levels = 1 << fractionBits;
        // |y| = 1 truncates to the top level: the study's greedy loop keeps at most 1 - 2^-bits.
        int level = (int) Math.min(Math.floor(Math.scalb(v, fractionBits)), levels - 1);
        return signBit | (levelBase[k] + level);
    }

    @Override
    public float value(int code) {
        return values[code];
    }

    @Override
    public int maxExponent() {
        return bits - 1;
    }

    @Override
    public int exponentOf(int code) {
        return exponentOfMagnitude(code & (sign - 1));
    }
}
