package dev.djlquant.format;

/**
 * The study's dynamic tree ({@code seeddtK}, K = 3..8) as a packed code. Its values are those of
 * {@link SeedArithmetic#roundDt(float, int)}: 128 levels in the top decade whatever K is, {@code
 * 2^(K-2-k)} levels in decade {@code k}, zero below. So many values need 9-bit codes: the study's
 * "K-bit" model is not K bits per weight, and {@link #codeBits()} says so.
 *
 * <p>Code layout: bit 8 is the sign; the low 8 bits index the magnitude: top-decade levels first,
 * then each lower decade, then the two decades that round to zero and exact zero (kept apart so the
 * exponent histogram counts what the study counted).
 */
public final class SeedDynamicTree implements ScalarFormat, DecimalExponents {

    private static final int SIGN = 1 << 8;
    private static final int TOP_LEVELS = 1 << SeedArithmetic.TOP_DECADE_BITS;
    private static final SeedDynamicTree[] CACHE = new SeedDynamicTree[9];

    private final int bits;

    /** First magnitude index of decade k, for k = 0..bits-1, then of exact zero. */
    private final int[] decadeStart;

    private final float[] values;

    private SeedDynamicTree(int bits) {
        this.bits = bits;
        decadeStart = new int[bits + 1];
        decadeStart[1] = TOP_LEVELS;
        for (int k = 1; k < bits; k++) {
            decadeStart[k + 1] = decadeStart[k] + (k < bits - 2 ? 1 << fractionBits(k) : 1);
        }
        values = new float[1 << codeBits()];
        for (int code = 0; code < values.length; code++) {
            values[code] = decodeValue(code);
        }
    }

    /** Returns the study's {@code seeddtK} for K in 3..8. */
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

    private float decodeValue(int code) {
        int magnitude = code & (SIGN - 1);
        boolean negative = (code & SIGN) != 0;
        int zeroIndex = decadeStart[bits];
        if (magnitude > zeroIndex || (magnitude == zeroIndex && negative)) {
            return Float.NaN;
        }
        int k = exponentOfMagnitude(magnitude);
        if (k == ZERO || k >= bits - 2) {
            return negative ? -0f : 0f;
        }
        double kept = Math.scalb((double) (magnitude - decadeStart[k]), -fractionBits(k));
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
        return 9;
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
        double v = Math.abs((double) y);
        int k = 0;
        while (v < 0.1 && k < bits - 1) {
            v *= 10;
            k++;
        }
        int sign = y < 0 ? SIGN : 0;
        if (k >= bits - 2) {
            return sign | decadeStart[k];
        }
        int fractionBits = fractionBits(k);
        int levels = 1 << fractionBits;
        int level = (int) Math.min(Math.floor(Math.scalb(v, fractionBits)), levels - 1);
        return sign | (decadeStart[k] + level);
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
        return exponentOfMagnitude(code & (SIGN - 1));
    }
}
