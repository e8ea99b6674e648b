package dev.djlquant.format;

/**
 * The study's FP8 ({@code seedfp8}, 4 exponent bits, or {@code seedfp8e5}) as a packed 8-bit code:
 * sign, clamped exponent, truncated mantissa. Normalized inputs satisfy {@code |y| <= 1}, so the
 * exponent never exceeds 0 and the code fits 8 bits; values agree with {@link
 * SeedArithmetic#roundFp8(float, int)}.
 */
public final class SeedFp8 implements ScalarFormat {

    private static final SeedFp8 E4 = new SeedFp8(4);
    private static final SeedFp8 E5 = new SeedFp8(5);

    private final int exponentBits;
    private final int mantissaBits;
    private final int minExponent;
    private final float[] values;
    private final CodeTable table;

    private SeedFp8(int exponentBits) {
        this.exponentBits = exponentBits;
        this.mantissaBits = 7 - exponentBits;
        this.minExponent = 2 - (1 << exponentBits);
        this.values = new float[256];
        for (int code = 0; code < 256; code++) {
            int exponent = minExponent + ((code & 0x7F) >>> mantissaBits);
            int fraction = code & ((1 << mantissaBits) - 1);
            float magnitude =
                    Math.scalb(1f + Math.scalb((float) fraction, -mantissaBits), exponent);
            values[code] = exponent > 0 ? Float.NaN : (code & 0x80) != 0 ? -magnitude : magnitude;
        }
        this.table = new CodeTable(this::code);
    }

    /**
     * Returns the study's FP8 with 4 or 5 exponent bits.
     *
     * @param exponentBits 4 ({@code seedfp8}) or 5 ({@code seedfp8e5})
     * @return the format, one shared instance per width
     * @throws IllegalArgumentException if {@code exponentBits} is not 4 or 5
     */
    public static SeedFp8 of(int exponentBits) {
        SeedArithmetic.checkExponentBits(exponentBits);
        return exponentBits == 4 ? E4 : E5;
    }

    @Override
    public String specName() {
        return exponentBits == 4 ? "seedfp8" : "seedfp8e5";
    }

    @Override
    public int codeBits() {
        return 8;
    }

    @Override
    public float range() {
        return 1f;
    }

    /** Requires {@code |y| <= 1}, as every value divided by its group maximum is. */
    @Override
    public int code(float y) {
        int bits = Float.floatToRawIntBits(y);
        int exponent = Math.max(minExponent, ((bits >>> 23) & 0xFF) - 127);
        if (exponent > 0) {
            throw new IllegalArgumentException("seedfp8 codes need |y| <= 1, got " + y);
        }
        int fraction = (bits & 0x7FFFFF) >>> (23 - mantissaBits);
        return ((bits >>> 24) & 0x80) | ((exponent - minExponent) << mantissaBits) | fraction;
    }

    @Override
    public float value(int code) {
        return values[code];
    }

    @Override
    public void normalizedCodes(float[] y, int from, int to, int[] out) {
        table.codes(y, from, to, out);
    }
}
