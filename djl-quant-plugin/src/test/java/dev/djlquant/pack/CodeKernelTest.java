package dev.djlquant.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.format.Fp8Format;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Which {@link CodeKernel} takes which codes, and that its decoding and its dot products ({@link
 * PackedDot}) equal the scalar loops'. The plugin's tests run with {@code jdk.incubator.vector}
 * (see its pom), so the SIMD kernels are the ones exercised here; {@link BitPackerTableTest} covers
 * the scalar ones.
 */
class CodeKernelTest {

    /** A value no decoder writes here: the tables hold small integers. */
    private static final float UNTOUCHED = 1e30f;

    @DisabledIfSystemProperty(
            named = "djlquant.vector",
            matches = "false",
            disabledReason =
                    "checks that the SIMD kernels are picked; this run keeps the scalar loops")
    @Test
    void theVectorModuleIsInThisTestJvm() {
        assertThat(CodeKernel.vectorized())
                .as(
                        "surefire must start the plugin's tests with --add-modules jdk.incubator.vector")
                .isTrue();
        assertThat(VectorKernels.selfCheck()).as("the SIMD kernels' own check").isTrue();
        assertThat(PackedDot.sharesCodesAcrossRows(CodeKernel.SCALAR))
                .as("scalar-kernel codes decoded once for several input rows")
                .isTrue();
    }

    @DisabledIfSystemProperty(
            named = "djlquant.vector",
            matches = "false",
            disabledReason =
                    "checks that the SIMD kernels are picked; this run keeps the scalar loops")
    @Test
    void picksSimdForSignedByteValuesE4m3AndCodesUpToFourBits() {
        assertThat(CodeKernel.of(8, signedBytes())).isEqualTo(CodeKernel.SIGNED_BYTES);
        assertThat(CodeKernel.of(8, Fp8Format.E4M3.valueTable())).isEqualTo(CodeKernel.FP8_E4M3);
        assertThat(CodeKernel.of(8, Fp8Format.E5M2.valueTable())).isEqualTo(CodeKernel.SCALAR);
        float[] shifted = signedBytes();
        shifted[200] += 0.5f;
        assertThat(CodeKernel.of(8, shifted)).isEqualTo(CodeKernel.SCALAR);
        assertThat(CodeKernel.of(4, new float[16]))
                .isEqualTo(
                        VectorKernels.nibblesSupported() ? CodeKernel.NIBBLES : CodeKernel.SCALAR);
        CodeKernel narrow =
                VectorKernels.nibblesSupported() ? CodeKernel.NARROW : CodeKernel.SCALAR;
        assertThat(CodeKernel.of(1, new float[2])).isEqualTo(narrow);
        assertThat(CodeKernel.of(3, new float[8])).isEqualTo(narrow);
        assertThat(CodeKernel.of(5, new float[32])).isEqualTo(CodeKernel.SCALAR);
    }

    /**
     * Decoding writes exactly the scalar loop's values and nothing outside its range; the dot
     * products, of one input row and of several at once, equal double-precision sums over the
     * unpacked codes.
     */
    @Property(tries = 400)
    void decodesAndMultipliesLikeTheScalarLoops(
            @ForAll @IntRange(min = 1, max = 8) int bits,
            @ForAll EightBitValues eightBitValues,
            @ForAll @IntRange(min = 0, max = 3000) int count,
            @ForAll @IntRange(min = 0, max = 9) int offset,
            @ForAll @IntRange(min = 0, max = 5) int from,
            @ForAll @IntRange(min = 1, max = 9) int rows,
            @ForAll @IntRange(min = 0, max = 8) int rowPadding,
            @ForAll @IntRange(min = 0, max = 9) int trailing,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        // Other codes after the range, as in a packed tensor: a kernel that reads past it decodes
        // them into the wrong place.
        byte[] packed = new byte[offset + (int) BitPacker.packedBytes(count, bits) + trailing];
        random.nextBytes(packed);
        float[] table =
                bits < 8 || eightBitValues == EightBitValues.GAUSSIAN
                        ? BitPackerTableTest.gaussians(random, 1 << bits)
                        : eightBitValues == EightBitValues.SIGNED_BYTES
                                ? signedBytes()
                                : Fp8Format.E4M3.valueTable();
        if (bits == 8 && eightBitValues == EightBitValues.E4M3) {
            for (int i = 0; i < packed.length; i++) {
                if ((packed[i] & 0x7F) == 0x7F) {
                    packed[i] ^= 1; // a finite code: NaN would make every sum NaN
                }
            }
        }
        CodeKernel kernel = CodeKernel.of(bits, table);

        float[] expected = new float[from + count + 3];
        float[] actual = new float[from + count + 3];
        BitPacker.unpack(packed, offset, bits, table, expected, from, count);
        kernel.unpack(packed, offset, bits, table, actual, from, count);
        assertThat(actual).containsExactly(expected);

        // Input rows longer than the range, so a kernel that reads past it, or into the wrong
        // row, sums the wrong values; odd and even row lengths both occur.
        int in = from + count + rowPadding;
        float[] x = BitPackerTableTest.gaussians(random, rows * in);
        PackedDot dot = PackedDot.of(bits, table, x, rows);
        assertThat(dot.kernel()).isEqualTo(kernel);
        float[] sums = new float[rows];
        dot.dotRows(packed, offset, from, count, sums);
        for (int b = 0; b < rows; b++) {
            double sum = 0;
            double magnitude = 0;
            for (int i = 0; i < count; i++) {
                double product = (double) expected[from + i] * x[b * in + from + i];
                sum += product;
                magnitude += Math.abs(product);
            }
            Offset<Double> tolerance = Offset.offset(1e-6 * magnitude + 1e-30);
            assertThat((double) sums[b]).as("row %d of %d", b, rows).isCloseTo(sum, tolerance);
            assertThat((double) dot.dot(packed, offset, b * in + from, count))
                    .as("row %d alone", b)
                    .isCloseTo(sum, tolerance);
        }
    }

    /** Packing writes exactly {@link BitPacker#pack}'s bytes, and none outside its range. */
    @Property(tries = 300)
    void packsLikeTheScalarLoop(
            @ForAll @IntRange(min = 1, max = 8) int bits,
            @ForAll @IntRange(min = 0, max = 3000) int count,
            @ForAll @IntRange(min = 0, max = 9) int offset,
            @ForAll @IntRange(min = 0, max = 5) int from,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] values = new int[from + count + 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(1 << bits);
        }
        byte[] expected = new byte[offset + (int) BitPacker.packedBytes(count, bits) + 5];
        random.nextBytes(expected);
        byte[] actual = expected.clone();
        BitPacker.pack(values, from, count, bits, expected, offset);
        CodeKernel.pack(values, from, count, bits, actual, offset);
        assertThat(actual).containsExactly(expected);
    }

    /**
     * The lane sum adds lane 0, then 1, 2, ... in order, for vectors of every width the API has (2
     * to 16 lanes, and the widest this machine offers): the lanes' magnitudes, 2^24 apart in turn,
     * make any other order give another float.
     */
    @DisabledIfSystemProperty(
            named = "djlquant.vector",
            matches = "false",
            disabledReason = "checks the SIMD kernels; this run keeps the scalar loops")
    @Test
    void laneSumsAddTheLanesInLaneOrderAtEveryWidth() {
        List<VectorSpecies<Float>> widths =
                List.of(
                        FloatVector.SPECIES_64,
                        FloatVector.SPECIES_128,
                        FloatVector.SPECIES_256,
                        FloatVector.SPECIES_512,
                        FloatVector.SPECIES_MAX);
        for (VectorSpecies<Float> species : widths) {
            float[] lanes = new float[species.length()];
            for (int l = 0; l < lanes.length; l++) {
                // Small even lanes (1.5 + 1.25 l) between odd ones of -2^24, +2^24, ... (+ 0.25 l):
                // rounding at each step depends on the order.
                lanes[l] = (l % 2 == 0 ? 1.5f + l : (l % 4 == 1 ? -1 : 1) * 0x1p24f) + 0.25f * l;
            }
            float expected = lanes[0];
            for (int l = 1; l < lanes.length; l++) {
                expected += lanes[l];
            }
            float actual = VectorKernels.sumInLaneOrder(FloatVector.fromArray(species, lanes, 0));
            assertThat(actual).as(species.toString()).isEqualTo(expected);
        }
    }

    /**
     * A product gives the same float on every call, and it is the documented one: two running sums
     * of whole vector steps taking turns, added lane by lane, their lanes added in lane order, then
     * the tail one by one; the four-row and 4-bit products, whose orders differ, also give the same
     * floats on every call. {@code reduceLanes(ADD)} leaves its order open, and JDK 25 adds in lane
     * order when interpreted but as a tree once compiled: the same layer gave outputs that differed
     * in their last bits from call to call. Thousands of calls take the kernels through the JIT's
     * tiers; the products' magnitudes (up to 2^11 apart) make the order show in the result.
     */
    @DisabledIfSystemProperty(
            named = "djlquant.vector",
            matches = "false",
            disabledReason = "checks the SIMD kernels; this run keeps the scalar loops")
    @Test
    void simdProductsAreTheSameOnEveryCallInTheDocumentedOrder() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        int count = 20 * lanes + 5; // ten steps for each running sum, and a tail
        SplittableRandom random = new SplittableRandom(17);
        byte[] codes = new byte[count];
        random.nextBytes(codes);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) random.nextGaussian() * (1 << (i % 12));
        }
        float[][] sums = new float[2][lanes];
        int whole = count - count % (2 * lanes);
        for (int i = 0; i < whole; i++) {
            float[] sum = sums[i / lanes % 2];
            sum[i % lanes] = Math.fma((float) codes[i], x[i], sum[i % lanes]);
        }
        float expected = sums[0][0] + sums[1][0];
        for (int l = 1; l < lanes; l++) {
            expected += sums[0][l] + sums[1][l];
        }
        for (int i = whole; i < count; i++) {
            expected += codes[i] * x[i];
        }
        float[] rows = new float[4 * count];
        for (int k = 0; k < 4; k++) {
            System.arraycopy(x, 0, rows, k * count, count);
        }
        float[] table = new float[16];
        for (int c = 0; c < 16; c++) {
            table[c] = c - 7.5f;
        }
        float[] even = new float[count];
        float[] odd = new float[count];
        for (int i = 0; i < count; i++) {
            (i % 2 == 0 ? even : odd)[i / 2] = x[i];
        }
        float[] first = new float[5];
        float[] now = new float[5];
        for (int call = 0; call < 30_000; call++) {
            float actual = VectorKernels.dotSignedBytes(codes, 0, x, 0, count);
            if (actual != expected) {
                assertThat(actual).as("call " + call).isEqualTo(expected);
            }
            // The four-row and 4-bit products have orders of their own: the same on every call.
            VectorKernels.dotSignedBytes4(codes, 0, rows, 0, count, count, now, 0);
            if (VectorKernels.nibblesSupported()) {
                now[4] = VectorKernels.dotNibbles(codes, 0, table, even, odd, 0, count);
            }
            if (call == 0) {
                System.arraycopy(now, 0, first, 0, now.length);
            } else if (!Arrays.equals(now, first)) {
                assertThat(now).as("call " + call).containsExactly(first);
            }
        }
        assertThat(Arrays.copyOf(first, 4)).as("four equal rows").containsOnly(first[0]);
    }

    @Test
    void signedByteValuesAreTheCodesAsTwosComplement() {
        byte[] codes = {0x7F, (byte) 0x80, (byte) 0xFF, 0x01};
        float[] values = new float[4];
        // The kernel this JVM picks (SIGNED_BYTES needs 256-bit vectors), as the contract says.
        CodeKernel.of(8, signedBytes()).unpack(codes, 0, 8, signedBytes(), values, 0, 4);
        assertThat(values).containsExactly(127, -128, -1, 1);
        float dot = PackedDot.of(8, signedBytes(), new float[] {1, 2, 4, 8}).dot(codes, 0, 0, 4);
        assertThat(dot).isEqualTo(127 - 256 - 4 + 8);
    }

    /**
     * The SIMD decoders decode whole steps only, return how many codes that was and write nothing
     * after them; {@link CodeKernel#unpack} decodes the rest in a separate call (a scalar tail
     * inside a kernel, first run late, made C2 recompile the kernel into slower code). Sixteen
     * 3-bit codes are read as two 4-byte words 3 bytes apart, so at an array's end they need 7
     * bytes where they occupy 6.
     */
    @Test
    void simdDecodersLeaveTheRestToTheCaller() {
        byte[] codes = new byte[100];
        new SplittableRandom(3).nextBytes(codes);
        float[] table = new float[16];
        for (int c = 0; c < 16; c++) {
            table[c] = c - 8;
        }
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        int count = 37;
        float[] dst = untouched(count);
        int done = VectorKernels.unpackSignedBytes(codes, 0, dst, 0, count);
        assertThat(done).isEqualTo(count / lanes * lanes);
        assertUntouchedFrom(dst, done);
        dst = untouched(count);
        done = VectorKernels.unpackFp8(codes, 0, dst, 0, count);
        assertThat(done).isEqualTo(count / lanes * lanes);
        assertUntouchedFrom(dst, done);
        dst = untouched(count);
        assertThat(VectorKernels.unpackNarrow(codes, 0, 3, table, dst, 0, count)).isEqualTo(32);
        assertUntouchedFrom(dst, 32);
        dst = untouched(16);
        assertThat(VectorKernels.unpackNarrow(codes, codes.length - 6, 3, table, dst, 0, 16))
                .isZero();
        assertUntouchedFrom(dst, 0);
    }

    private static float[] untouched(int length) {
        float[] values = new float[length];
        Arrays.fill(values, UNTOUCHED);
        return values;
    }

    private static void assertUntouchedFrom(float[] values, int from) {
        for (int i = from; i < values.length; i++) {
            assertThat(values[i]).as("value %d", i).isEqualTo(UNTOUCHED);
        }
    }

    @Test
    void rejectsTablesOfTheWrongSize() {
        assertThatThrownBy(() -> CodeKernel.of(4, new float[15]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 15 for 4 bits");
        assertThatThrownBy(() -> CodeKernel.of(31, new float[1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static float[] signedBytes() {
        float[] table = new float[256];
        for (int c = 0; c < 256; c++) {
            table[c] = (byte) c;
        }
        return table;
    }

    /**
     * No SIMD kernel hands a vector, mask or shuffle to another method or gets one back: C2 boxes
     * one that crosses a call it did not inline, which made whole forwards 2.5-3.4x slower in some
     * runs (benchmarks README, second Vector API round). The one exception, {@code sumInLaneOrder},
     * runs once a product, after its loop: a box there would cost one small allocation a product,
     * not one a step.
     */
    @Test
    void vectorKernelsPassNoVectorsBetweenMethods() {
        List<String> crossing = new ArrayList<>();
        for (Method method : VectorKernels.class.getDeclaredMethods()) {
            if (method.getName().equals("sumInLaneOrder")) {
                continue;
            }
            List<Class<?>> types = new ArrayList<>(List.of(method.getParameterTypes()));
            types.add(method.getReturnType());
            for (Class<?> type : types) {
                if (Vector.class.isAssignableFrom(type)
                        || VectorMask.class.isAssignableFrom(type)
                        || VectorShuffle.class.isAssignableFrom(type)) {
                    crossing.add(method.getName() + ": " + type.getSimpleName());
                }
            }
        }
        assertThat(crossing).isEmpty();
    }

    /** Value tables for 8-bit codes: arbitrary ones, and the two that SIMD kernels decode. */
    enum EightBitValues {
        GAUSSIAN,
        SIGNED_BYTES,
        E4M3
    }
}
