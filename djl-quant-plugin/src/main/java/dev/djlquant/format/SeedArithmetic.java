package dev.djlquant.format;

/**
 * The study's own FP8 and dynamic-tree arithmetic ("seed" formats), transliterated literally, on
 * values already divided by their group maximum. Shortcuts included: FP8 truncates its mantissa and
 * has no subnormals, and the dynamic tree keeps 7 fraction bits in the top decade whatever its
 * nominal width. The packed formats {@link SeedFp8} and {@link SeedDynamicTree} must agree with it.
 */
public final class SeedArithmetic {

    /** Fraction bits the study keeps in the top decade regardless of the nominal bit width. */
    public static final int TOP_DECADE_BITS = 7;

    /** Python's {@code 10**-k} for k = 0..8: correctly rounded doubles. */
    private static final double[] TEN_TO_MINUS = {
        1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8
    };

    private SeedArithmetic() {}

    /**
     * The study's {@code round_fp8}: keeps the first {@code 7 - e} mantissa bits of {@code x}
     * (truncated), clamps the unbiased exponent to {@code [2 - 2^e, 2^e - 1]} and returns {@code
     * ±(1 + m) * 2^exp}; zero becomes {@code 2^-(2^e - 2)}.
     *
     * @param x the value, already divided by its group maximum
     * @param exponentBits the exponent bits {@code e}: 4 or 5
     * @return the rounded value
     * @throws IllegalArgumentException if {@code exponentBits} is not 4 or 5
     */
    public static float roundFp8(float x, int exponentBits) {
        checkExponentBits(exponentBits);
        int bits = Float.floatToRawIntBits(x);
        int mantissaBits = 7 - exponentBits;
        int fraction = (bits & 0x7FFFFF) >>> (23 - mantissaBits);
        int top = (1 << exponentBits) - 1;
        int exponent = Math.max(1 - top, Math.min(top, ((bits >>> 23) & 0xFF) - 127));
        float magnitude = Math.scalb(1f + Math.scalb((float) fraction, -mantissaBits), exponent);
        return bits < 0 ? -magnitude : magnitude;
    }

    /**
     * The study's {@code round_fp8} with its default of 4 exponent bits.
     *
     * @param x the value, already divided by its group maximum
     * @return the rounded value
     */
    public static float roundFp8(float x) {
        return roundFp8(x, 4);
    }

    /**
     * The study's {@code round_dt8} for a nominal width of {@code numBits} (3..8) in double
     * precision, rounded to float32 at the end. Zero stays zero.
     *
     * @param x the value, already divided by its group maximum
     * @param numBits the nominal width, 3 to 8
     * @return the rounded value
     * @throws IllegalArgumentException if {@code numBits} is not 3 to 8
     */
    public static float roundDt(float x, int numBits) {
        checkDtBits(numBits);
        if (x == 0f) {
            return 0f;
        }
        Decade d = Decade.of(x);
        int bits = Math.max(0, numBits - 2 - d.k);
        int kc = Math.min(numBits - 1, d.k);
        double kept;
        if (kc == 0) {
            kept = truncateGreedily(d.scaled, TOP_DECADE_BITS);
        } else if (kc >= numBits - 2) {
            kept = 0;
        } else {
            kept = truncateGreedily(d.scaled, bits);
        }
        return (float) ((x < 0 ? -kept : kept) * TEN_TO_MINUS[kc]);
    }

    /**
     * The study's {@code round_dt8} with its default of 8 bits.
     *
     * @param x the value, already divided by its group maximum
     * @return the rounded value; zero stays zero
     */
    public static float roundDt(float x) {
        return roundDt(x, 8);
    }

    /**
     * Returns the exponent {@code kc} the study counted for {@code x} (0..numBits-1), or {@link
     * DecimalExponents#ZERO} for zero.
     *
     * @param x the value, already divided by its group maximum
     * @param numBits the nominal width, 3 to 8
     * @return the number of decades below the top one, capped at {@code numBits - 1}; or {@link
     *     DecimalExponents#ZERO}
     * @throws IllegalArgumentException if {@code numBits} is not 3 to 8
     */
    public static int dtExponent(float x, int numBits) {
        checkDtBits(numBits);
        if (x == 0f) {
            return DecimalExponents.ZERO;
        }
        return Math.min(numBits - 1, Decade.of(x).k);
    }

    /**
     * The study's decade of a nonzero value: {@code |x|} widened to double and multiplied by 10,
     * {@code k} times, until it is at least 0.1 (repeated products, not one, as the study rounds).
     */
    private record Decade(int k, double scaled) {
        static Decade of(float x) {
            double v = Math.abs((double) x);
            int k = 0;
            while (v < 0.1) {
                v *= 10;
                k++;
            }
            return new Decade(k, v);
        }
    }

    /** Python's {@code 10**-k}. */
    static double tenToMinus(int k) {
        return TEN_TO_MINUS[k];
    }

    private static double truncateGreedily(double v, int bits) {
        double rest = v;
        double kept = 0;
        for (int p = 1; p <= bits; p++) {
            double step = Math.scalb(1.0, -p);
            if (rest >= step) {
                rest -= step;
                kept += step;
            }
        }
        return kept;
    }

    static void checkExponentBits(int exponentBits) {
        if (exponentBits != 4 && exponentBits != 5) {
            throw new IllegalArgumentException(
                    "The study's FP8 takes 4 or 5 exponent bits, got " + exponentBits);
        }
    }

    static void checkDtBits(int numBits) {
        Formats.checkBits("seeddt", numBits, 3, 8);
    }
}
