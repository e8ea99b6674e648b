package dev.djlquant.pack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD kernels of {@link CodeKernel}, written with the JDK's incubating Vector API. Only code
 * that {@link CodeKernel#of} chose runs here (and {@link PackedDot}'s products of decoded values
 * where {@link CodeKernel#vectorized}), and it chooses none without {@code jdk.incubator.vector} in
 * the boot layer, so the library still loads and runs without the module. Each kernel spells out
 * its vector expressions instead of sharing helper methods: C2 boxes a vector that a call it did
 * not inline takes or returns, and whether it inlines a helper depends on what it compiled before
 * (AlexNet's int8 forward at batch 1 ran 2.5-3.4x slower, in some runs only); the one shared
 * method, {@code sumInLaneOrder}, runs once a product, after its loop. A scalar tail that first
 * runs late makes C2 recompile its kernel, sometimes into slower code: the decode kernels return
 * how many codes they decoded and leave the rest to {@link CodeKernel#unpack}; the dot products
 * keep their short tails, which rows whose length is a multiple of the vector step never reach.
 */
final class VectorKernels {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

    /** The bytes that widen to one vector of floats (64 bits at least, the narrowest shape). */
    private static final VectorSpecies<Byte> BYTES =
            VectorSpecies.of(
                    byte.class, VectorShape.forBitSize(Math.max(64, FLOATS.vectorBitSize() / 4)));

    /** As many int lanes as {@link #FLOATS} has float lanes. */
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;

    /** An E4M3 code's magnitude bits moved into float32 bits stand for its value / 2^120. */
    private static final float FP8_E4M3_SCALE = 0x1p120f;

    private static final int NAN_BITS = Float.floatToRawIntBits(Float.NaN);

    /** 16 lanes: one vector holds a whole 4-bit code table, so a lookup is one permute. */
    private static final VectorSpecies<Float> FLOATS_16 = FloatVector.SPECIES_512;

    private static final VectorSpecies<Integer> INTS_16 = IntVector.SPECIES_512;

    /** The 16 bytes, 32 codes, that widen to {@link #INTS_16}. */
    private static final VectorSpecies<Byte> BYTES_16 = ByteVector.SPECIES_128;

    /** Lanes 8 to 15, which take the second eight of sixteen narrow codes. */
    private static final VectorMask<Integer> UPPER_8 = VectorMask.fromLong(INTS_16, 0xFF00L);

    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private VectorKernels() {}

    /** Whether the signed-byte kernels run here: they need 256-bit vectors (AVX2 on x86). */
    static boolean signedBytesSupported() {
        return FLOATS.vectorBitSize() >= 256;
    }

    /**
     * Whether the kernels for 1- to 4-bit codes run fast here: they need 512-bit vectors (AVX-512
     * on x86), sixteen lanes for a whole table.
     */
    static boolean nibblesSupported() {
        return FLOATS.length() >= 16;
    }

    /**
     * Runs each kernel this machine supports, the four-row products too, on small integers, whose
     * float sums are exact in any order, against the scalar loops. False if one differs; one that
     * throws (an incubator API that changed in this JDK) propagates. {@link CodeKernel} then keeps
     * to the scalar loops.
     */
    static boolean selfCheck() {
        int n = 203; // several vector steps and a tail
        byte[] codes = new byte[n];
        float[] x = new float[n];
        float[] signedBytes = new float[256];
        float[] nibbleTable = new float[16];
        for (int i = 0; i < n; i++) {
            codes[i] = (byte) (i * 37 + 11);
            x[i] = i % 7 - 3;
        }
        for (int c = 0; c < 256; c++) {
            signedBytes[c] = (byte) c;
        }
        for (int c = 0; c < 16; c++) {
            nibbleTable[c] = 3 * c - 20;
        }
        boolean ok = true;
        if (signedBytesSupported()) {
            ok &= signedBytesMatch(codes, x, signedBytes) && fp8Matches(x);
        }
        if (nibblesSupported()) {
            ok &= nibblesMatch(codes, x, nibbleTable);
        }
        return ok
                && floatRowsMatch(codes, signedBytes)
                && fourRowKernelsMatch(codes, signedBytes, nibbleTable);
    }

    /** The signed-byte decode, product and packing against the scalar loops. */
    private static boolean signedBytesMatch(byte[] codes, float[] x, float[] signedBytes) {
        int n = codes.length;
        float[] expected = new float[n];
        float[] actual = new float[n];
        BitPacker.unpack(codes, 0, 8, signedBytes, expected, 0, n);
        CodeKernel.SIGNED_BYTES.unpack(codes, 0, 8, signedBytes, actual, 0, n);
        boolean ok = Arrays.equals(expected, actual);
        ok &= dotSignedBytes(codes, 0, x, 0, n) == BitPacker.dot(codes, 0, 8, signedBytes, x, 0, n);
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = codes[i] & 0xFF;
        }
        byte[] packedExpected = new byte[n + 3];
        byte[] packedActual = new byte[n + 3];
        BitPacker.pack(values, 1, n - 1, 8, packedExpected, 3);
        packBytes(values, 1, n - 1, packedActual, 3);
        return ok && Arrays.equals(packedExpected, packedActual);
    }

    /** The E4M3 decode of every code, and the product on codes of moderate values. */
    private static boolean fp8Matches(float[] x) {
        int n = x.length;
        float[] e4m3 = e4m3Table();
        float[] all = new float[256];
        byte[] every = new byte[256];
        for (int c = 0; c < 256; c++) {
            every[c] = (byte) c;
        }
        CodeKernel.FP8_E4M3.unpack(every, 0, 8, e4m3, all, 0, 256);
        byte[] moderate = moderateFp8Codes(n);
        return Arrays.equals(e4m3, all)
                && dotFp8(moderate, 0, e4m3, x, 0, n)
                        == BitPacker.dot(moderate, 0, 8, e4m3, x, 0, n);
    }

    private static float[] e4m3Table() {
        float[] e4m3 = new float[256];
        for (int c = 0; c < 256; c++) {
            e4m3[c] = CodeKernel.e4m3Value(c);
        }
        return e4m3;
    }

    /**
     * Values 1 to 15.75 (exponents 7 to 10), some negative: small integers times them sum exactly.
     */
    private static byte[] moderateFp8Codes(int n) {
        byte[] moderate = new byte[n];
        for (int i = 0; i < n; i++) {
            moderate[i] = (byte) ((i % 3 == 0 ? 0x80 : 0) | (7 + i % 4) << 3 | i % 8);
        }
        return moderate;
    }

    /** The 4-bit packing, the 4- and 3-bit products and decodes against the scalar loops. */
    private static boolean nibblesMatch(byte[] codes, float[] x, float[] nibbleTable) {
        int n = codes.length;
        int[] nibbles = new int[n];
        for (int i = 0; i < n; i++) {
            nibbles[i] = codes[i] & 0xF;
        }
        byte[] packedExpected = new byte[n];
        byte[] packedActual = new byte[n];
        BitPacker.pack(nibbles, 1, n - 1, 4, packedExpected, 3);
        packNibbles(nibbles, 1, n - 1, packedActual, 3);
        boolean ok = Arrays.equals(packedExpected, packedActual);
        int count = 2 * n - 1;
        float[] even = new float[n];
        float[] odd = new float[n];
        float[] wide = new float[count];
        for (int i = 0; i < count; i++) {
            wide[i] = x[i / 2] + i % 2;
            (i % 2 == 0 ? even : odd)[i / 2] = wide[i];
        }
        ok &=
                dotNibbles(codes, 0, nibbleTable, even, odd, 0, count)
                        == BitPacker.dot(codes, 0, 4, nibbleTable, wide, 0, count);
        ok &=
                dotNarrow(codes, 0, 3, nibbleTable, wide, 0, count)
                        == BitPacker.dot(codes, 0, 3, nibbleTable, wide, 0, count);
        for (int bits = 3; bits <= 4; bits++) {
            float[] expected = new float[count];
            float[] actual = new float[count];
            BitPacker.unpack(codes, 0, bits, nibbleTable, expected, 0, count);
            CodeKernel kernel = bits == 4 ? CodeKernel.NIBBLES : CodeKernel.NARROW;
            float[] table = Arrays.copyOf(nibbleTable, 1 << bits);
            kernel.unpack(codes, 0, bits, table, actual, 0, count);
            ok &= Arrays.equals(expected, actual);
        }
        return ok;
    }

    /** The product of restored float weights with several rows: a pass of four and two single. */
    private static boolean floatRowsMatch(byte[] codes, float[] signedBytes) {
        int n = codes.length;
        int rows = 6;
        float[] many = new float[rows * n];
        for (int i = 0; i < many.length; i++) {
            many[i] = i % 11 - 5;
        }
        float[] expected = new float[rows];
        float[] actual = new float[rows];
        for (int k = 0; k < rows; k++) {
            expected[k] = BitPacker.dot(codes, 0, 8, signedBytes, many, k * n, n) + 1;
            actual[k] = 1;
        }
        float[] w = new float[n];
        BitPacker.unpack(codes, 0, 8, signedBytes, w, 0, n);
        addDotsOfFloats(w, n, many, 0, n, rows, actual);
        return Arrays.equals(expected, actual);
    }

    /**
     * The four-row products against the scalar dot product of each row, on the same small-integer
     * rows (and, for FP8, codes of moderate values): exact sums in any order.
     */
    private static boolean fourRowKernelsMatch(
            byte[] codes, float[] signedBytes, float[] nibbleTable) {
        int n = codes.length;
        int count = 2 * n - 1; // 4-bit codes: two a byte, the last byte half used
        float[] rows = new float[4 * count];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i % 11 - 5;
        }
        boolean ok = true;
        float[] sums = new float[4];
        if (signedBytesSupported()) {
            dotSignedBytes4(codes, 0, rows, 0, count, n, sums, 0);
            ok &= rowsMatch(sums, codes, 8, signedBytes, rows, count, n);
            float[] e4m3 = e4m3Table();
            byte[] moderate = moderateFp8Codes(n);
            dotFp8x4(moderate, 0, e4m3, rows, 0, count, n, sums, 0);
            ok &= rowsMatch(sums, moderate, 8, e4m3, rows, count, n);
        }
        if (nibblesSupported()) {
            float[] even = new float[4 * n];
            float[] odd = new float[4 * n];
            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < count; i++) {
                    (i % 2 == 0 ? even : odd)[k * n + i / 2] = rows[k * count + i];
                }
            }
            dotNibbles4(codes, 0, nibbleTable, even, odd, 0, n, count, sums, 0);
            ok &= rowsMatch(sums, codes, 4, nibbleTable, rows, count, count);
            dotNarrow4(codes, 0, 3, nibbleTable, rows, 0, count, count, sums, 0);
            ok &= rowsMatch(sums, codes, 3, nibbleTable, rows, count, count);
        }
        return ok;
    }

    /** Whether {@code sums[k]} is the scalar dot product of the codes with row {@code k}. */
    private static boolean rowsMatch(
            float[] sums, byte[] codes, int bits, float[] table, float[] rows, int stride, int n) {
        for (int k = 0; k < 4; k++) {
            if (sums[k] != BitPacker.dot(codes, 0, bits, table, rows, k * stride, n)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the values of the first of {@code count} OCP E4M3 codes ({@code fp8e4m3}) read from
     * {@code src} at byte {@code offset} to {@code dst[from..)}, a vector at a time, and returns
     * how many it wrote (the rest is {@link CodeKernel#unpack}'s): each code's sign, exponent and
     * mantissa moved into float32 bits and scaled by 2^120 (exact, subnormals too), its NaN codes
     * NaN.
     */
    static int unpackFp8(byte[] src, int offset, float[] dst, int from, int count) {
        int lanes = FLOATS.length();
        int i = 0;
        for (; i + lanes <= count; i += lanes) {
            IntVector codes =
                    (IntVector)
                            ByteVector.fromArray(BYTES, src, offset + i)
                                    .convertShape(VectorOperators.B2I, INTS, 0);
            IntVector magnitude = codes.and(0x7F);
            magnitude
                    .lanewise(VectorOperators.LSHL, 20)
                    .or(codes.and(0x80).lanewise(VectorOperators.LSHL, 24))
                    .blend(NAN_BITS, magnitude.compare(VectorOperators.EQ, 0x7F))
                    .reinterpretAsFloats()
                    .mul(FP8_E4M3_SCALE)
                    .intoArray(dst, from + i);
        }
        return i;
    }

    /**
     * Returns {@code sum value(code_i) * x[from + i]} over {@code count} E4M3 codes, decoded as in
     * {@link #unpackFp8}; {@code table} is their value table, for the tail.
     */
    static float dotFp8(byte[] src, int offset, float[] table, float[] x, int from, int count) {
        int lanes = FLOATS.length();
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = FloatVector.zero(FLOATS);
        int i = 0;
        for (; i + lanes <= count; i += lanes) {
            IntVector codes =
                    (IntVector)
                            ByteVector.fromArray(BYTES, src, offset + i)
                                    .convertShape(VectorOperators.B2I, INTS, 0);
            IntVector magnitude = codes.and(0x7F);
            FloatVector w =
                    magnitude
                            .lanewise(VectorOperators.LSHL, 20)
                            .or(codes.and(0x80).lanewise(VectorOperators.LSHL, 24))
                            .blend(NAN_BITS, magnitude.compare(VectorOperators.EQ, 0x7F))
                            .reinterpretAsFloats()
                            .mul(FP8_E4M3_SCALE);
            // Two running sums take turns, so that a fused multiply-add need not wait for the
            // one before.
            FloatVector sum = w.fma(FloatVector.fromArray(FLOATS, x, from + i), a0);
            a0 = a1;
            a1 = sum;
        }
        return sumInLaneOrder(a0.add(a1))
                + BitPacker.dot(src, offset + i, 8, table, x, from + i, count - i);
    }

    /**
     * Writes {@link #dotFp8}'s sum for the four input rows at {@code from + k * stride}, {@code k =
     * 0..3}, to {@code sums[at + k]}: each code is decoded once for all four.
     */
    static void dotFp8x4(
            byte[] src,
            int offset,
            float[] table,
            float[] x,
            int from,
            int stride,
            int count,
            float[] sums,
            int at) {
        int lanes = FLOATS.length();
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = FloatVector.zero(FLOATS);
        FloatVector a2 = FloatVector.zero(FLOATS);
        FloatVector a3 = FloatVector.zero(FLOATS);
        int i = 0;
        for (; i + lanes <= count; i += lanes) {
            IntVector codes =
                    (IntVector)
                            ByteVector.fromArray(BYTES, src, offset + i)
                                    .convertShape(VectorOperators.B2I, INTS, 0);
            IntVector magnitude = codes.and(0x7F);
            FloatVector w =
                    magnitude
                            .lanewise(VectorOperators.LSHL, 20)
                            .or(codes.and(0x80).lanewise(VectorOperators.LSHL, 24))
                            .blend(NAN_BITS, magnitude.compare(VectorOperators.EQ, 0x7F))
                            .reinterpretAsFloats()
                            .mul(FP8_E4M3_SCALE);
            int j = from + i;
            a0 = w.fma(FloatVector.fromArray(FLOATS, x, j), a0);
            a1 = w.fma(FloatVector.fromArray(FLOATS, x, j + stride), a1);
            a2 = w.fma(FloatVector.fromArray(FLOATS, x, j + 2 * stride), a2);
            a3 = w.fma(FloatVector.fromArray(FLOATS, x, j + 3 * stride), a3);
        }
        sums[at] = sumInLaneOrder(a0);
        sums[at + 1] = sumInLaneOrder(a1);
        sums[at + 2] = sumInLaneOrder(a2);
        sums[at + 3] = sumInLaneOrder(a3);
        for (int k = 0; k < 4; k++) {
            sums[at + k] +=
                    BitPacker.dot(src, offset + i, 8, table, x, from + k * stride + i, count - i);
        }
    }

    /**
     * Writes {@code (byte) values[from + i]} to {@code dst[offset + i]} for {@code count} values:
     * 8-bit codes packed by narrowing a vector of ints at a time (0.08 against 0.28 ns a value for
     * the scalar loop, which C2 does not vectorize).
     */
    static void packBytes(int[] values, int from, int count, byte[] dst, int offset) {
        int lanes = INTS.length();
        int i = 0;
        for (; i + lanes <= count; i += lanes) {
            IntVector.fromArray(INTS, values, from + i)
                    .convertShape(VectorOperators.I2B, BYTES, 0)
                    .reinterpretAsBytes()
                    .intoArray(dst, offset + i);
        }
        for (; i < count; i++) {
            dst[offset + i] = (byte) values[from + i];
        }
    }

    /**
     * Packs {@code count} 4-bit codes from {@code values[from..)} into {@code dst} from byte {@code
     * offset}, as {@link BitPacker#pack} does: each pair of ints read as one long, whose high half
     * shifted down next to the low one makes the byte (0.09 against 0.48 ns a value for the scalar
     * loop).
     */
    static void packNibbles(int[] values, int from, int count, byte[] dst, int offset) {
        int i = 0;
        for (; i + 16 <= count; i += 16) {
            LongVector pairs = IntVector.fromArray(INTS_16, values, from + i).reinterpretAsLongs();
            pairs.or(pairs.lanewise(VectorOperators.LSHR, 28))
                    .and(0xFFL)
                    .convertShape(VectorOperators.L2B, ByteVector.SPECIES_64, 0)
                    .reinterpretAsBytes()
                    .intoArray(dst, offset + i / 2);
        }
        BitPacker.pack(values, from + i, count - i, 4, dst, offset + i / 2);
    }

    /**
     * Writes {@code (byte) src[offset + i]} to {@code dst[from + i]} for the first of {@code count}
     * values, a vector at a time, and returns how many it wrote (the rest is {@link
     * CodeKernel#unpack}'s).
     */
    static int unpackSignedBytes(byte[] src, int offset, float[] dst, int from, int count) {
        int lanes = FLOATS.length();
        int i = 0;
        for (; i + lanes <= count; i += lanes) {
            ByteVector codes = ByteVector.fromArray(BYTES, src, offset + i);
            ((FloatVector) codes.convertShape(VectorOperators.B2F, FLOATS, 0))
                    .intoArray(dst, from + i);
        }
        return i;
    }

    /** Returns {@code sum (byte) src[offset + i] * x[from + i]} over {@code count} values. */
    static float dotSignedBytes(byte[] src, int offset, float[] x, int from, int count) {
        int lanes = FLOATS.length();
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = FloatVector.zero(FLOATS);
        int i = 0;
        // Two sums side by side, so that a fused multiply-add need not wait for the one before.
        for (; i + 2 * lanes <= count; i += 2 * lanes) {
            ByteVector first = ByteVector.fromArray(BYTES, src, offset + i);
            ByteVector second = ByteVector.fromArray(BYTES, src, offset + i + lanes);
            FloatVector w0 = (FloatVector) first.convertShape(VectorOperators.B2F, FLOATS, 0);
            FloatVector w1 = (FloatVector) second.convertShape(VectorOperators.B2F, FLOATS, 0);
            a0 = w0.fma(FloatVector.fromArray(FLOATS, x, from + i), a0);
            a1 = w1.fma(FloatVector.fromArray(FLOATS, x, from + i + lanes), a1);
        }
        return addSignedBytesTail(sumInLaneOrder(a0.add(a1)), src, offset, x, from, i, count);
    }

    /**
     * Writes {@code sum (byte) src[offset + i] * x[from + k * stride + i]} to {@code sums[at + k]}
     * for the four input rows {@code k = 0..3}: each code is widened once for all four.
     */
    static void dotSignedBytes4(
            byte[] src,
            int offset,
            float[] x,
            int from,
            int stride,
            int count,
            float[] sums,
            int at) {
        int lanes = FLOATS.length();
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = FloatVector.zero(FLOATS);
        FloatVector a2 = FloatVector.zero(FLOATS);
        FloatVector a3 = FloatVector.zero(FLOATS);
        int i = 0;
        for (; i + lanes <= count; i += lanes) {
            ByteVector codes = ByteVector.fromArray(BYTES, src, offset + i);
            FloatVector w = (FloatVector) codes.convertShape(VectorOperators.B2F, FLOATS, 0);
            int p = from + i;
            a0 = w.fma(FloatVector.fromArray(FLOATS, x, p), a0);
            a1 = w.fma(FloatVector.fromArray(FLOATS, x, p + stride), a1);
            a2 = w.fma(FloatVector.fromArray(FLOATS, x, p + 2 * stride), a2);
            a3 = w.fma(FloatVector.fromArray(FLOATS, x, p + 3 * stride), a3);
        }
        sums[at] = sumInLaneOrder(a0);
        sums[at + 1] = sumInLaneOrder(a1);
        sums[at + 2] = sumInLaneOrder(a2);
        sums[at + 3] = sumInLaneOrder(a3);
        for (int k = 0; k < 4; k++) {
            sums[at + k] =
                    addSignedBytesTail(sums[at + k], src, offset, x, from + k * stride, i, count);
        }
    }

    /** {@code sum} plus, one by one, the products from {@code i} on that the vector loop left. */
    private static float addSignedBytesTail(
            float sum, byte[] src, int offset, float[] x, int from, int i, int count) {
        for (int t = i; t < count; t++) {
            sum += src[offset + t] * x[from + t];
        }
        return sum;
    }

    /**
     * Returns {@code sum table[code_i] * x_i} over {@code count} 4-bit codes read from {@code src}
     * at byte {@code offset}, with the input given by halves: {@code even[half + j] = x_2j} and
     * {@code odd[half + j] = x_2j+1}, because byte {@code j} holds codes 2j (low bits) and 2j+1.
     */
    static float dotNibbles(
            byte[] src, int offset, float[] table, float[] even, float[] odd, int half, int count) {
        IntVector lookup = FloatVector.fromArray(FLOATS_16, table, 0).reinterpretAsInts();
        FloatVector low = FloatVector.zero(FLOATS_16);
        FloatVector high = FloatVector.zero(FLOATS_16);
        int pairs = count / 2;
        int j = 0;
        for (; j + 16 <= pairs; j += 16) {
            // Sign-extended (JDK 17's zero-extending conversion fails): the masks drop the sign.
            IntVector bytes =
                    (IntVector)
                            ByteVector.fromArray(BYTES_16, src, offset + j)
                                    .convertShape(VectorOperators.B2I, INTS_16, 0);
            FloatVector wl = bytes.and(15).selectFrom(lookup).reinterpretAsFloats();
            FloatVector wh =
                    bytes.lanewise(VectorOperators.ASHR, 4)
                            .and(15)
                            .selectFrom(lookup)
                            .reinterpretAsFloats();
            low = wl.fma(FloatVector.fromArray(FLOATS_16, even, half + j), low);
            high = wh.fma(FloatVector.fromArray(FLOATS_16, odd, half + j), high);
        }
        return addNibblesTail(
                sumInLaneOrder(low.add(high)), src, offset, table, even, odd, half, j, count);
    }

    /**
     * Writes {@link #dotNibbles}'s sum for the four input rows whose halves start at {@code half +
     * k * stride}, {@code k = 0..3}, to {@code sums[at + k]}: each code is looked up once for all
     * four.
     */
    static void dotNibbles4(
            byte[] src,
            int offset,
            float[] table,
            float[] even,
            float[] odd,
            int half,
            int stride,
            int count,
            float[] sums,
            int at) {
        IntVector lookup = FloatVector.fromArray(FLOATS_16, table, 0).reinterpretAsInts();
        FloatVector a0 = FloatVector.zero(FLOATS_16);
        FloatVector a1 = FloatVector.zero(FLOATS_16);
        FloatVector a2 = FloatVector.zero(FLOATS_16);
        FloatVector a3 = FloatVector.zero(FLOATS_16);
        int pairs = count / 2;
        int j = 0;
        for (; j + 16 <= pairs; j += 16) {
            // Sign-extended (JDK 17's zero-extending conversion fails): the masks drop the sign.
            IntVector bytes =
                    (IntVector)
                            ByteVector.fromArray(BYTES_16, src, offset + j)
                                    .convertShape(VectorOperators.B2I, INTS_16, 0);
            FloatVector wl = bytes.and(15).selectFrom(lookup).reinterpretAsFloats();
            FloatVector wh =
                    bytes.lanewise(VectorOperators.ASHR, 4)
                            .and(15)
                            .selectFrom(lookup)
                            .reinterpretAsFloats();
            int p = half + j;
            FloatVector withLow0 = wl.fma(FloatVector.fromArray(FLOATS_16, even, p), a0);
            a0 = wh.fma(FloatVector.fromArray(FLOATS_16, odd, p), withLow0);
            FloatVector withLow1 = wl.fma(FloatVector.fromArray(FLOATS_16, even, p + stride), a1);
            a1 = wh.fma(FloatVector.fromArray(FLOATS_16, odd, p + stride), withLow1);
            FloatVector withLow2 =
                    wl.fma(FloatVector.fromArray(FLOATS_16, even, p + 2 * stride), a2);
            a2 = wh.fma(FloatVector.fromArray(FLOATS_16, odd, p + 2 * stride), withLow2);
            FloatVector withLow3 =
                    wl.fma(FloatVector.fromArray(FLOATS_16, even, p + 3 * stride), a3);
            a3 = wh.fma(FloatVector.fromArray(FLOATS_16, odd, p + 3 * stride), withLow3);
        }
        sums[at] = sumInLaneOrder(a0);
        sums[at + 1] = sumInLaneOrder(a1);
        sums[at + 2] = sumInLaneOrder(a2);
        sums[at + 3] = sumInLaneOrder(a3);
        for (int k = 0; k < 4; k++) {
            sums[at + k] =
                    addNibblesTail(
                            sums[at + k],
                            src,
                            offset,
                            table,
                            even,
                            odd,
                            half + k * stride,
                            j,
                            count);
        }
    }

    /**
     * Writes {@code table[code]} of the first of {@code count} codes of {@code bits} bits (1 to 4),
     * read from {@code src} at byte {@code offset}, to {@code dst[from..)}, with {@code table}
     * padded to 16 entries, sixteen codes per step as in {@link #dotNarrow}, and returns how many
     * it wrote, a multiple of 16 (the rest is {@link CodeKernel#unpack}'s).
     */
    static int unpackNarrow(
            byte[] src, int offset, int bits, float[] table, float[] dst, int from, int count) {
        IntVector lookup = FloatVector.fromArray(FLOATS_16, table, 0).reinterpretAsInts();
        IntVector shifts = IntVector.zero(INTS_16).addIndex(1).and(7).mul(bits);
        int mask = (1 << bits) - 1;
        int i = 0;
        int p = offset;
        for (; i + 16 <= count && p + bits + 4 <= src.length; i += 16, p += 2 * bits) {
            IntVector halves =
                    IntVector.broadcast(INTS_16, (int) INT_LE.get(src, p))
                            .blend((int) INT_LE.get(src, p + bits), UPPER_8);
            halves.lanewise(VectorOperators.LSHR, shifts)
                    .and(mask)
                    .selectFrom(lookup)
                    .reinterpretAsFloats()
                    .intoArray(dst, from + i);
        }
        return i;
    }

    /**
     * Returns {@code sum table[code_i] * x[from + i]} over {@code count} codes of {@code bits} bits
     * (1 to 3) read from {@code src} at byte {@code offset}, with {@code table} padded to 16
     * entries. Sixteen codes fill {@code 2 * bits} bytes: each half of them (lanes 0-7, 8-15) is
     * one 4-byte read, shifted per lane, and all sixteen are looked up with one permute.
     */
    static float dotNarrow(
            byte[] src, int offset, int bits, float[] table, float[] x, int from, int count) {
        IntVector lookup = FloatVector.fromArray(FLOATS_16, table, 0).reinterpretAsInts();
        IntVector shifts = IntVector.zero(INTS_16).addIndex(1).and(7).mul(bits);
        int mask = (1 << bits) - 1;
        FloatVector a0 = FloatVector.zero(FLOATS_16);
        FloatVector a1 = FloatVector.zero(FLOATS_16);
        int i = 0;
        int p = offset;
        // 16 codes, 2 * bits bytes, per step; the second 4-byte read starts at byte bits.
        for (; i + 16 <= count && p + bits + 4 <= src.length; i += 16, p += 2 * bits) {
            IntVector halves =
                    IntVector.broadcast(INTS_16, (int) INT_LE.get(src, p))
                            .blend((int) INT_LE.get(src, p + bits), UPPER_8);
            FloatVector w =
                    halves.lanewise(VectorOperators.LSHR, shifts)
                            .and(mask)
                            .selectFrom(lookup)
                            .reinterpretAsFloats();
            // Two running sums take turns, so that a fused multiply-add need not wait for the
            // one before.
            FloatVector sum = w.fma(FloatVector.fromArray(FLOATS_16, x, from + i), a0);
            a0 = a1;
            a1 = sum;
        }
        return sumInLaneOrder(a0.add(a1))
                + BitPacker.dot(src, p, bits, table, x, from + i, count - i);
    }

    /**
     * Writes {@link #dotNarrow}'s sum for the four input rows at {@code from + k * stride}, {@code
     * k = 0..3}, to {@code sums[at + k]}: each code is looked up once for all four.
     */
    static void dotNarrow4(
            byte[] src,
            int offset,
            int bits,
            float[] table,
            float[] x,
            int from,
            int stride,
            int count,
            float[] sums,
            int at) {
        IntVector lookup = FloatVector.fromArray(FLOATS_16, table, 0).reinterpretAsInts();
        IntVector shifts = IntVector.zero(INTS_16).addIndex(1).and(7).mul(bits);
        int mask = (1 << bits) - 1;
        FloatVector a0 = FloatVector.zero(FLOATS_16);
        FloatVector a1 = FloatVector.zero(FLOATS_16);
        FloatVector a2 = FloatVector.zero(FLOATS_16);
        FloatVector a3 = FloatVector.zero(FLOATS_16);
        int i = 0;
        int p = offset;
        for (; i + 16 <= count && p + bits + 4 <= src.length; i += 16, p += 2 * bits) {
            IntVector halves =
                    IntVector.broadcast(INTS_16, (int) INT_LE.get(src, p))
                            .blend((int) INT_LE.get(src, p + bits), UPPER_8);
            FloatVector w =
                    halves.lanewise(VectorOperators.LSHR, shifts)
                            .and(mask)
                            .selectFrom(lookup)
                            .reinterpretAsFloats();
            int j = from + i;
            a0 = w.fma(FloatVector.fromArray(FLOATS_16, x, j), a0);
            a1 = w.fma(FloatVector.fromArray(FLOATS_16, x, j + stride), a1);
            a2 = w.fma(FloatVector.fromArray(FLOATS_16, x, j + 2 * stride), a2);
            a3 = w.fma(FloatVector.fromArray(FLOATS_16, x, j + 3 * stride), a3);
        }
        sums[at] = sumInLaneOrder(a0);
        sums[at + 1] = sumInLaneOrder(a1);
        sums[at + 2] = sumInLaneOrder(a2);
        sums[at + 3] = sumInLaneOrder(a3);
        for (int k = 0; k < 4; k++) {
            sums[at + k] += BitPacker.dot(src, p, bits, table, x, from + k * stride + i, count - i);
        }
    }

    /**
     * Adds {@code sum w[i] * x[from + k * stride + i]} over {@code count} values to {@code sums[k]}
     * for every input row {@code k < rows}: weights that a table lookup decoded once, multiplied
     * with SIMD, four input rows per pass over {@code w}.
     */
    static void addDotsOfFloats(
            float[] w, int count, float[] x, int from, int stride, int rows, float[] sums) {
        int lanes = FLOATS.length();
        int whole = count - count % lanes;
        int k = 0;
        for (; k + 4 <= rows; k += 4) {
            int row = from + k * stride;
            FloatVector a0 = FloatVector.zero(FLOATS);
            FloatVector a1 = FloatVector.zero(FLOATS);
            FloatVector a2 = FloatVector.zero(FLOATS);
            FloatVector a3 = FloatVector.zero(FLOATS);
            for (int i = 0; i < whole; i += lanes) {
                FloatVector v = FloatVector.fromArray(FLOATS, w, i);
                a0 = v.fma(FloatVector.fromArray(FLOATS, x, row + i), a0);
                a1 = v.fma(FloatVector.fromArray(FLOATS, x, row + stride + i), a1);
                a2 = v.fma(FloatVector.fromArray(FLOATS, x, row + 2 * stride + i), a2);
                a3 = v.fma(FloatVector.fromArray(FLOATS, x, row + 3 * stride + i), a3);
            }
            sums[k] += sumInLaneOrder(a0);
            sums[k + 1] += sumInLaneOrder(a1);
            sums[k + 2] += sumInLaneOrder(a2);
            sums[k + 3] += sumInLaneOrder(a3);
        }
        for (; k < rows; k++) {
            int row = from + k * stride;
            FloatVector a = FloatVector.zero(FLOATS);
            for (int i = 0; i < whole; i += lanes) {
                a =
                        FloatVector.fromArray(FLOATS, w, i)
                                .fma(FloatVector.fromArray(FLOATS, x, row + i), a);
            }
            sums[k] += sumInLaneOrder(a);
        }
        for (k = 0; k < rows; k++) {
            int row = from + k * stride;
            for (int i = whole; i < count; i++) {
                sums[k] += w[i] * x[row + i];
            }
        }
    }

    /**
     * {@code sum} plus, one by one, the products from pair {@code j} on that the vector loop left.
     */
    private static float addNibblesTail(
            float sum,
            byte[] src,
            int offset,
            float[] table,
            float[] even,
            float[] odd,
            int half,
            int j,
            int count) {
        int pairs = count / 2;
        for (int t = j; t < pairs; t++) {
            int b = src[offset + t] & 0xFF;
            sum += table[b & 15] * even[half + t] + table[b >>> 4] * odd[half + t];
        }
        if (count % 2 != 0) {
            sum += table[src[offset + pairs] & 15] * even[half + pairs];
        }
        return sum;
    }

    /**
     * Returns the sum of {@code v}'s lanes, added in lane order. The products add their vector sums
     * up here instead of with {@code reduceLanes(ADD)}, whose order the Vector API leaves open: JDK
     * 25 adds the lanes in order when interpreted and as a tree once compiled, so the same layer
     * gave outputs that differed in their last bits from call to call. JDK 17 adds them in order
     * either way, so its results are unchanged.
     */
    static float sumInLaneOrder(FloatVector v) {
        // Spelled out up to 16 lanes, so that each lane(i) has a constant i, which C2 compiles to
        // one extract (a loop's variable i goes through the switch in lane(int)).
        float sum = v.lane(0) + v.lane(1);
        if (v.length() > 2) {
            sum = sum + v.lane(2) + v.lane(3);
        }
        if (v.length() > 4) {
            sum = sum + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7);
        }
        if (v.length() > 8) {
            sum = sum + v.lane(8) + v.lane(9) + v.lane(10) + v.lane(11);
            sum = sum + v.lane(12) + v.lane(13) + v.lane(14) + v.lane(15);
        }
        for (int l = 16; l < v.length(); l++) {
            sum += v.lane(l);
        }
        return sum;
    }
}
