package dev.djlquant.format;

import dev.djlquant.simd.VectorApi;
import java.util.SplittableRandom;

/**
 * Whether {@link VectorCodes} encodes here: the Vector API is enabled ({@link VectorApi}), the
 * vectors are wide enough, and the encoders give the formats' own codes (and the raw-bits loop of
 * {@link CodeTable} the raw bits) on a sample that holds every case (ties, subnormals, saturation,
 * NaN). Any failure keeps the table-driven loops.
 */
final class SimdEncoding {

    static final boolean ENABLED = VectorApi.passes(SimdEncoding::encodersWork);

    private SimdEncoding() {}

    private static boolean encodersWork() {
        float[] sample = sample();
        return VectorCodes.supported()
                && matches(IntFormat.of(8), IntFormat.of(8)::simdCodes, sample)
                && matches(IntFormat.of(3), IntFormat.of(3)::simdCodes, sample)
                && matches(Fp8Format.E4M3, Fp8Format.E4M3::simdCodes, sample)
                && matches(Fp8Format.E5M2, Fp8Format.E5M2::simdCodes, sample)
                && matches(DynamicTree.of(3), DynamicTree.of(3)::simdCodes, sample)
                && rawBitsMatch(sample);
    }

    /** {@link VectorCodes#rawBits} gives every value's raw bits, NaN's payload included. */
    private static boolean rawBitsMatch(float[] y) {
        int[] bits = new int[y.length];
        int done = VectorCodes.rawBits(y, 1, y.length, bits);
        for (int i = 1; i < done; i++) {
            if (bits[i] != Float.floatToRawIntBits(y[i])) {
                return false;
            }
        }
        return done > 1 && bits[0] == 0;
    }

    /** Halves and quarter steps, tiny and huge magnitudes, signed zeros, NaN and infinities. */
    private static float[] sample() {
        SplittableRandom random = new SplittableRandom(7);
        float[] y = new float[1024];
        for (int i = 0; i < y.length; i++) {
            float scale = (float) Math.scalb(1.0, random.nextInt(-24, 18));
            y[i] = (random.nextInt(-4096, 4096) / 4f) * scale;
        }
        float[] special = {
            0f,
            -0f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            448f,
            464f,
            -57344f,
            61440f,
            0.5f,
            1.5f,
            -2.5f,
            127.5f,
            -128.5f
        };
        System.arraycopy(special, 0, y, 0, special.length);
        return y;
    }

    /** A format's SIMD encoder: codes of {@code y[from..)} in whole vectors, returns the end. */
    interface Encoder {
        int codes(float[] y, int from, int to, int[] out);
    }

    private static boolean matches(ScalarFormat format, Encoder simd, float[] y) {
        int[] codes = new int[y.length];
        int done = simd.codes(y, 0, y.length, codes);
        for (int i = 0; i < done; i++) {
            if (codes[i] != format.code(y[i])) {
                return false;
            }
        }
        return done > 0;
    }
}
