package dev.djlquant.format;

/**
 * The OCP 8-bit floating point formats. {@link #E4M3} is the "fn" variant (no infinities, max 448),
 * {@link #E5M2} has infinities (max 57344). Encoding rounds to nearest, ties to even, keeps
 * subnormals, saturates beyond the maximum and keeps NaN, as PyTorch's {@code x.clamp(-max,
 * max).to(float8)} does.
 */
public enum Fp8Format implements ScalarFormat {
    /** 4 exponent bits, 3 mantissa bits, bias 7: max 448, NaN but no infinities ("fn"). */
    E4M3("fp8e4m3", 4, 3, 448f, 0x7E, false),
    /** 5 exponent bits, 2 mantissa bits, bias 15: max 57344, infinities and NaN (IEEE-like). */
    E5M2("fp8e5m2", 5, 2, 57344f, 0x7B, true);

    private final String specName;
    private final int mantissaBits;
    private final int bias;
    private final float max;
    private final int maxCode;
    private final int maxBits;
    private final int minNormalBits;
    private final float subnormalInvStep;
    private final float[] values;
    private final CodeTable table;

    Fp8Format(
            String specName,
            int exponentBits,
            int mantissaBits,
            float max,
            int maxCode,
            boolean infinities) {
        this.specName = specName;
        this.mantissaBits = mantissaBits;
        this.bias = (1 << (exponentBits - 1)) - 1;
        this.max = max;
        this.maxCode = maxCode;
        this.maxBits = Float.floatToRawIntBits(max);
        this.minNormalBits = Float.floatToRawIntBits(Math.scalb(1f, 1 - bias));
        this.subnormalInvStep = Math.scalb(1f, bias - 1 + mantissaBits);
        this.values = new float[256];
        for (int c = 0; c < 256; c++) {
            values[c] = decodeBits(c, exponentBits, infinities);
        }
        this.table = new CodeTable(this::code);
    }

    /** IEEE-style formats reserve the top exponent; "fn" formats only its all-ones code (NaN). */
    private float decodeBits(int code, int exponentBits, boolean infinities) {
        int exponentField = (code >>> mantissaBits) & ((1 << exponentBits) - 1);
        int fraction = code & ((1 << mantissaBits) - 1);
        float sign = (code & 0x80) != 0 ? -1f : 1f;
        int topExponent = (1 << exponentBits) - 1;
        if (exponentField == topExponent) {
            if (infinities) {
                return fraction == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
            }
            if (fraction == (1 << mantissaBits) - 1) {
                return Float.NaN;
            }
        }
        if (exponentField == 0) {
            return sign * Math.scalb((float) fraction, 1 - bias - mantissaBits);
        }
        float significand = 1f + Math.scalb((float) fraction, -mantissaBits);
        return sign * Math.scalb(significand, exponentField - bias);
    }

    /**
     * Returns the largest finite value of this format.
     *
     * @return 448 for {@link #E4M3}, 57344 for {@link #E5M2}
     */
    public float max() {
        return max;
    }

    /**
     * Encodes a float32 value: round to nearest even, saturate, NaN stays NaN.
     *
     * @param x the value
     * @return the code: beyond the largest finite value (infinities included) the largest finite
     *     code of the same sign; NaN a NaN code
     */
    public byte encode(float x) {
        int bits = Float.floatToRawIntBits(x);
        int sign = (bits >>> 24) & 0x80;
        int abs = bits & 0x7FFFFFFF;
        if (abs > 0x7F800000) {
            return (byte) (sign | 0x7F);
        }
        if (abs >= maxBits) {
            return (byte) (sign | maxCode);
        }
        if (abs < minNormalBits) {
            // Scaling by a power of two is exact, so rint rounds the true value half to even.
            return (byte) (sign | (int) Math.rint(Float.intBitsToFloat(abs) * subnormalInvStep));
        }
        int shift = 23 - mantissaBits;
        int rounded = abs + (1 << (shift - 1)) - 1 + ((abs >>> shift) & 1);
        return (byte) (sign | ((rounded >>> shift) - ((127 - bias) << mantissaBits)));
    }

    /**
     * Decodes a code to its float32 value.
     *
     * @param code the code; all 256 are defined
     * @return the value, NaN for the NaN codes and, for {@link #E5M2}, infinite for its infinity
     *     codes
     */
    public float decode(byte code) {
        return values[code & 0xFF];
    }

    /**
     * Rounds a float32 value to the nearest value of this format.
     *
     * @param x the value
     * @return the nearest value of this format, saturated at {@link #max()}; NaN stays NaN
     */
    public float round(float x) {
        return decode(encode(x));
    }

    @Override
    public int codeBits() {
        return 8;
    }

    @Override
    public float range() {
        return max;
    }

    @Override
    public int code(float y) {
        return encode(y) & 0xFF;
    }

    @Override
    public float value(int code) {
        return values[code];
    }

    /** {@inheritDoc} SIMD where {@link SimdEncoding} allows it, the table for the rest. */
    @Override
    public void normalizedCodes(float[] y, int from, int to, int[] out) {
        int done = SimdEncoding.ENABLED ? simdCodes(y, from, to, out) : from;
        table.codes(y, done, to, out);
    }

    /** {@link VectorCodes#fp8Codes} for this format. */
    int simdCodes(float[] y, int from, int to, int[] out) {
        return VectorCodes.fp8Codes(
                y,
                from,
                to,
                mantissaBits,
                bias,
                maxBits,
                maxCode,
                minNormalBits,
                subnormalInvStep,
                out);
    }

    @Override
    public String toString() {
        return specName;
    }

    @Override
    public String specName() {
        return specName;
    }
}
