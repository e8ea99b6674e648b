package dev.djlquant.pack;

import dev.djlquant.simd.VectorApi;
import java.util.Arrays;

/**
 * How this JVM turns packed codes of one width and value table into values: {@link #of} picks the
 * kernel, {@link #unpack} decodes with it and {@link PackedDot} multiplies with it; {@link #pack}
 * packs codes, 8-bit and 4-bit ones with SIMD. With {@code jdk.incubator.vector} in the boot layer
 * ({@code java --add-modules jdk.incubator.vector}), codes whose values are their own signed bytes
 * ({@code int8}, {@code seedlinear8}) or OCP E4M3 floats ({@code fp8e4m3}) on 256-bit vectors, and
 * codes of 1 to 4 bits on 512-bit vectors, take SIMD kernels, once they pass a self-check when this
 * class loads; everything else takes {@link BitPacker}'s scalar loops. Both give the same values;
 * sums may round in another order.
 */
public enum CodeKernel {
    /** {@link BitPacker}: a table read per code. */
    SCALAR,
    /** SIMD: codes widened to floats, for tables whose values are the codes' signed bytes. */
    SIGNED_BYTES,
    /** SIMD: 4-bit codes looked up sixteen at a time with one permute of the table. */
    NIBBLES,
    /** SIMD: codes of 1 to 3 bits ({@code dt3}), sixteen per permute like {@link #NIBBLES}. */
    NARROW,
    /**
     * SIMD: codes whose values are their own OCP E4M3 floats ({@code fp8e4m3}), decoded by moving
     * their bits into float32 bits.
     */
    FP8_E4M3;

    // A lambda, not a method reference: resolving VectorKernels would need the module.
    private static final boolean VECTOR_MODULE = VectorApi.passes(() -> VectorKernels.selfCheck());

    private static final boolean VECTOR_BYTES =
            VECTOR_MODULE && VectorKernels.signedBytesSupported();

    private static final boolean VECTOR_NIBBLES = VECTOR_MODULE && VectorKernels.nibblesSupported();

    /**
     * Whether this JVM runs any SIMD kernel (see the class comment).
     *
     * @return true if the vector module is enabled ({@link dev.djlquant.simd.VectorApi#enabled()}),
     *     the kernels passed their self-check and the vectors are wide enough for at least one
     *     family of kernels
     */
    public static boolean vectorized() {
        return VECTOR_BYTES || VECTOR_NIBBLES;
    }

    /**
     * Returns the kernel for codes of {@code bits} bits whose values are {@code table} ({@code
     * 2^bits} entries, bits 1 to 16).
     *
     * @param bits the bits per code, 1 to 16
     * @param table the value of each code, exactly {@code 2^bits} entries
     * @return a SIMD kernel where one applies (see the class comment), else {@link #SCALAR}
     * @throws IllegalArgumentException if {@code bits} is not 1 to 16 or {@code table} does not
     *     have {@code 2^bits} entries
     */
    public static CodeKernel of(int bits, float[] table) {
        if (bits < 1 || bits > 16 || table.length != 1 << bits) {
            throw new IllegalArgumentException(
                    "Codes of 1 to 16 bits need a table of 2^bits entries, got "
                            + table.length
                            + " for "
                            + bits
                            + " bits");
        }
        if (VECTOR_BYTES && bits == 8 && valuesAreSignedBytes(table)) {
            return SIGNED_BYTES;
        }
        if (VECTOR_BYTES && bits == 8 && valuesAreE4M3(table)) {
            return FP8_E4M3;
        }
        if (VECTOR_NIBBLES && bits <= 4) {
            return bits == 4 ? NIBBLES : NARROW;
        }
        return SCALAR;
    }

    /**
     * Writes {@code table[code]} of {@code count} codes of {@code bits} bits, read from {@code src}
     * at byte {@code offset}, to {@code dst[from..from+count)}: {@link BitPacker#unpack(byte[],
     * int, int, float[], float[], int, int)}, with SIMD for every kernel but {@link #SCALAR}. This
     * kernel must be the one {@link #of} picked for {@code bits} and {@code table}.
     *
     * <p>The SIMD kernels decode whole vectors and the codes they leave are decoded here, in a
     * separate call: with the scalar loop inside a SIMD kernel, the first tail that a packed
     * array's end forced on it ({@code dt3}: 16 codes need 7 readable bytes) made C2 recompile the
     * kernel, and in about half of the JVMs the new code ran at half speed for good (after {@code
     * int8}, {@code fp8e4m3}, {@code dt8} and {@code dt4}, VGG16's {@code dt3} convolution restores
     * took 5.8-8.1 ms in 19 of 36 JVMs against 2.9-4.6 in the rest, and a {@code dt4} restore after
     * them 6.6-8.5 ms in 9 of 21; with the tail outside, that {@code dt4} restore took 2.8-5.4 ms
     * in 29 of 29).
     *
     * @param src the packed codes
     * @param offset the byte of {@code src} at which the run starts
     * @param bits the bits per code
     * @param table the value of each code, {@code 2^bits} entries
     * @param dst receives the values
     * @param from the index in {@code dst} of the first value
     * @param count the number of codes
     */
    public void unpack(
            byte[] src, int offset, int bits, float[] table, float[] dst, int from, int count) {
        int done =
                switch (this) {
                    case SIGNED_BYTES ->
                            VectorKernels.unpackSignedBytes(src, offset, dst, from, count);
                    case FP8_E4M3 -> VectorKernels.unpackFp8(src, offset, dst, from, count);
                    case NIBBLES, NARROW ->
                            VectorKernels.unpackNarrow(
                                    src, offset, bits, Arrays.copyOf(table, 16), dst, from, count);
                    case SCALAR -> 0;
                };
        // Every kernel stops on a whole byte: 8-bit codes anywhere, narrow ones after 16 codes.
        int rest = (int) ((long) done * bits / 8);
        BitPacker.unpack(src, offset + rest, bits, table, dst, from + done, count - done);
    }

    /**
     * Writes {@code values[from..from+count)} at {@code bits} bits each into {@code dst} from byte
     * {@code offset}, as {@link BitPacker#pack} does: 8-bit and 4-bit codes with SIMD where the
     * byte and the 4-bit kernels run, everything else with {@link BitPacker#pack}.
     *
     * @param values the values; each must be below {@code 2^bits}, which is not checked
     * @param from the index in {@code values} of the first value
     * @param count the number of values
     * @param bits the bits per value, 0 to 31
     * @param dst the packed stream; its bytes from {@code offset} on are overwritten
     * @param offset the byte of {@code dst} at which the run starts
     * @throws IllegalArgumentException if {@code bits} is not 0 to 31
     */
    public static void pack(int[] values, int from, int count, int bits, byte[] dst, int offset) {
        if (VECTOR_BYTES && bits == 8) {
            VectorKernels.packBytes(values, from, count, dst, offset);
        } else if (VECTOR_NIBBLES && bits == 4) {
            VectorKernels.packNibbles(values, from, count, dst, offset);
        } else {
            BitPacker.pack(values, from, count, bits, dst, offset);
        }
    }

    /** Whether {@code table[c]} is {@link #e4m3Value}{@code (c)} for every code, NaNs included. */
    private static boolean valuesAreE4M3(float[] table) {
        for (int c = 0; c < table.length; c++) {
            if (Float.floatToIntBits(table[c]) != Float.floatToIntBits(e4m3Value(c))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value of OCP E4M3 code {@code c} (the "fn" variant: bias 7, subnormals, NaN at magnitude
     * 0x7F, no infinities): its sign, exponent and mantissa bits moved into float32 bits stand for
     * the value / 2^120, subnormals included, which is what the SIMD kernel computes.
     */
    static float e4m3Value(int c) {
        int magnitude = c & 0x7F;
        if (magnitude == 0x7F) {
            return Float.NaN;
        }
        return Float.intBitsToFloat((c & 0x80) << 24 | magnitude << 20) * 0x1p120f;
    }

    private static boolean valuesAreSignedBytes(float[] table) {
        for (int c = 0; c < table.length; c++) {
            if (table[c] != (byte) c) {
                return false;
            }
        }
        return true;
    }
}
