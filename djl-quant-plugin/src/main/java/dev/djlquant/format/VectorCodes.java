package dev.djlquant.format;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD encoders for the formats whose codes follow from a value's bits by arithmetic ({@link
 * IntFormat}, {@link Fp8Format}) or from a few comparisons (short codebooks, {@link
 * NearestCodebookFormat}), written with the incubating Vector API. Each encodes whole vectors from
 * {@code from} on and returns where it stopped; the caller encodes the rest. Only {@link
 * SimdEncoding} decides to call them, so the library loads without the module.
 */
final class VectorCodes {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

    /**
     * 1.5 * 2^23: adding it to a float of magnitude below 2^22 rounds it to an integer, half to
     * even, held in the low bits of the sum's bits.
     */
    private static final float ROUNDING = 0x1.8p23f;

    private VectorCodes() {}

    /** Whether the vectors here are wide enough to pay (256 bits: AVX2 on x86). */
    static boolean supported() {
        return FLOATS.vectorBitSize() >= 256;
    }

    /**
     * Writes the raw bits of {@code y[from..)} to {@code bits} at the same indices, in whole
     * vectors, and returns where it stopped: the first loop of {@link CodeTable#codes}, which C2
     * (JDK 17) does not vectorize over {@code Float.floatToRawIntBits} (0.06 against 0.21 ns a
     * value).
     */
    static int rawBits(float[] y, int from, int to, int[] bits) {
        int i = from;
        for (; i + FLOATS.length() <= to; i += FLOATS.length()) {
            FloatVector.fromArray(FLOATS, y, i).reinterpretAsInts().intoArray(bits, i);
        }
        return i;
    }

    /**
     * {@link NearestEntry#nearest}: the number of {@code thresholds} at or below each value (none
     * for NaN), by one comparison a threshold, for short codebooks. Four vectors at a time, so that
     * the additions into one do not wait on the others; stops less than four vectors before {@code
     * to}.
     */
    static int thresholdCodes(float[] y, int from, int to, float[] thresholds, int[] out) {
        int lanes = FLOATS.length();
        int i = from;
        for (; i + 4 * lanes <= to; i += 4 * lanes) {
            FloatVector v0 = FloatVector.fromArray(FLOATS, y, i);
            FloatVector v1 = FloatVector.fromArray(FLOATS, y, i + lanes);
            FloatVector v2 = FloatVector.fromArray(FLOATS, y, i + 2 * lanes);
            FloatVector v3 = FloatVector.fromArray(FLOATS, y, i + 3 * lanes);
            FloatVector c0 = FloatVector.zero(FLOATS);
            FloatVector c1 = c0;
            FloatVector c2 = c0;
            FloatVector c3 = c0;
            for (float t : thresholds) {
                c0 = c0.add(1f, v0.compare(VectorOperators.GE, t));
                c1 = c1.add(1f, v1.compare(VectorOperators.GE, t));
                c2 = c2.add(1f, v2.compare(VectorOperators.GE, t));
                c3 = c3.add(1f, v3.compare(VectorOperators.GE, t));
            }
            // The counts are small integers: their low bits after the rounding addition.
            c0.add(ROUNDING).reinterpretAsInts().and(0xFF).intoArray(out, i);
            c1.add(ROUNDING).reinterpretAsInts().and(0xFF).intoArray(out, i + lanes);
            c2.add(ROUNDING).reinterpretAsInts().and(0xFF).intoArray(out, i + 2 * lanes);
            c3.add(ROUNDING).reinterpretAsInts().and(0xFF).intoArray(out, i + 3 * lanes);
        }
        return i;
    }

    /**
     * {@link IntFormat#code}: {@code clamp(rint(y), -qmax, qmax)}, computed as {@code rint(clamp(y,
     * -qmax, qmax))} (equal, {@code qmax} being an integer) so that the rounding addition is exact,
     * then the low {@code mask} bits; NaN, whose payload would survive the addition, codes as 0
     * like {@code (int) Math.rint(NaN)}.
     */
    static int intCodes(float[] y, int from, int to, float qmax, int mask, int[] out) {
        int i = from;
        for (; i + FLOATS.length() <= to; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, y, i);
            // NaN is the lane unequal to itself; JDK 17's test(IS_NAN) boxed its mask (an int8
            // 64 x 64 quantize took 18 us against 8.6 us on a 4 GB heap).
            v.blend(0f, v.compare(VectorOperators.NE, v))
                    .max(-qmax)
                    .min(qmax)
                    .add(ROUNDING)
                    .reinterpretAsInts()
                    .and(mask)
                    .intoArray(out, i);
        }
        return i;
    }

    /**
     * {@link Fp8Format#encode}, lane by lane: NaN to the NaN code, saturation at the largest value,
     * subnormals rounded on their grid by the rounding addition (scaling by {@code subnormalScale},
     * a power of two, is exact), normal values by rounding their float32 bits.
     */
    static int fp8Codes(
            float[] y,
            int from,
            int to,
            int mantissaBits,
            int bias,
            int maxBits,
            int maxCode,
            int minNormalBits,
            float subnormalScale,
            int[] out) {
        int shift = 23 - mantissaBits;
        int half = (1 << (shift - 1)) - 1;
        int rebias = (127 - bias) << mantissaBits;
        int roundingBits = Float.floatToRawIntBits(ROUNDING);
        int i = from;
        for (; i + FLOATS.length() <= to; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, y, i);
            IntVector bits = v.reinterpretAsInts();
            IntVector abs = bits.and(0x7FFFFFFF);
            IntVector normal =
                    abs.add(half)
                            .add(abs.lanewise(VectorOperators.LSHR, shift).and(1))
                            .lanewise(VectorOperators.LSHR, shift)
                            .sub(rebias);
            IntVector subnormal =
                    v.abs().mul(subnormalScale).add(ROUNDING).reinterpretAsInts().sub(roundingBits);
            VectorMask<Integer> small = abs.compare(VectorOperators.LT, minNormalBits);
            VectorMask<Integer> large = abs.compare(VectorOperators.GE, maxBits);
            VectorMask<Integer> nan = abs.compare(VectorOperators.GT, 0x7F800000);
            IntVector magnitude =
                    normal.blend(subnormal, small).blend(maxCode, large).blend(0x7F, nan);
            bits.lanewise(VectorOperators.LSHR, 24).and(0x80).or(magnitude).intoArray(out, i);
        }
        return i;
    }
}
