package dev.djlquant.pack;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD kernels of {@link PackedDot}, written with the JDK's incubating Vector API. Only {@link
 * PackedDot} touches this class, and only when {@code jdk.incubator.vector} is in the boot layer,
 * so the library still loads and runs (on {@link BitPacker#dot}) without it.
 */
final class VectorDots {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

    /** The bytes that widen to one vector of floats. */
    private static final VectorSpecies<Byte> BYTES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 4));

    /** 16 lanes: one vector holds a whole 4-bit code table, so a lookup is one permute. */
    private static final VectorSpecies<Float> FLOATS_16 = FloatVector.SPECIES_512;

    private static final VectorSpecies<Integer> INTS_16 = IntVector.SPECIES_512;

    /** The 16 bytes, 32 codes, that widen to {@link #INTS_16}. */
    private static final VectorSpecies<Byte> BYTES_16 = ByteVector.SPECIES_128;

    private VectorDots() {}

    /** Whether {@link #nibbles} runs fast here: it needs 512-bit vectors (AVX-512 on x86). */
    static boolean nibblesSupported() {
        return FLOATS.length() >= 16;
    }

    /** Returns {@code sum (byte) src[offset + i] * x[from + i]} over {@code count} values. */
    static float signedBytes(byte[] src, int offset, float[] x, int from, int count) {
        int lanes = FLOATS.length();
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = FloatVector.zero(FLOATS);
        int i = 0;
        // Two sums side by side, so that a fused multiply-add need not wait for the one before.
        for (; i + 2 * lanes <= count; i += 2 * lanes) {
            a0 = widen(src, offset + i).fma(FloatVector.fromArray(FLOATS, x, from + i), a0);
            a1 =
                    widen(src, offset + i + lanes)
                            .fma(FloatVector.fromArray(FLOATS, x, from + i + lanes), a1);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < count; i++) {
            sum += src[offset + i] * x[from + i];
        }
        return sum;
    }

    private static FloatVector widen(byte[] src, int at) {
        return (FloatVector)
                ByteVector.fromArray(BYTES, src, at).convertShape(VectorOperators.B2F, FLOATS, 0);
    }

    /**
     * Returns {@code sum table[code_i] * x_i} over {@code count} 4-bit codes read from {@code src}
     * at byte {@code offset}, with the input given by halves: {@code even[half + j] = x_2j} and
     * {@code odd[half + j] = x_2j+1}, because byte {@code j} holds codes 2j (low bits) and 2j+1.
     * {@code tableBits} are the float bits of the 16 entries.
     */
    static float nibbles(
            byte[] src,
            int offset,
            int[] tableBits,
            float[] even,
            float[] odd,
            int half,
            int count) {
        IntVector table = IntVector.fromArray(INTS_16, tableBits, 0);
        FloatVector low = FloatVector.zero(FLOATS_16);
        FloatVector high = FloatVector.zero(FLOATS_16);
        int pairs = count / 2;
        int j = 0;
        for (; j + 16 <= pairs; j += 16) {
            IntVector codes =
                    (IntVector)
                            ByteVector.fromArray(BYTES_16, src, offset + j)
                                    .convertShape(VectorOperators.B2I, INTS_16, 0);
            FloatVector wl = codes.and(15).selectFrom(table).reinterpretAsFloats();
            // The bytes widened with their sign: shift, then mask off the sign's copies.
            FloatVector wh =
                    codes.lanewise(VectorOperators.ASHR, 4)
                            .and(15)
                            .selectFrom(table)
                            .reinterpretAsFloats();
            low = wl.fma(FloatVector.fromArray(FLOATS_16, even, half + j), low);
            high = wh.fma(FloatVector.fromArray(FLOATS_16, odd, half + j), high);
        }
        float sum = low.add(high).reduceLanes(VectorOperators.ADD);
        for (; j < pairs; j++) {
            int b = src[offset + j] & 0xFF;
            sum += Float.intBitsToFloat(tableBits[b & 15]) * even[half + j];
            sum += Float.intBitsToFloat(tableBits[b >>> 4]) * odd[half + j];
        }
        if (count % 2 != 0) {
            int b = src[offset + pairs] & 0xFF;
            sum += Float.intBitsToFloat(tableBits[b & 15]) * even[half + pairs];
        }
        return sum;
    }
}
