package dev.djlquant.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Every kernel of {@link PackedDot} equals a double-precision dot product over the unpacked codes.
 * The plugin's tests run with {@code jdk.incubator.vector} (see its pom), so the SIMD kernels are
 * the ones exercised here; {@link BitPackerTableTest} covers the scalar one.
 */
class PackedDotTest {

    @Test
    void theVectorModuleIsInThisTestJvm() {
        assertThat(PackedDot.vectorized())
                .as(
                        "surefire must start the plugin's tests with --add-modules jdk.incubator.vector")
                .isTrue();
    }

    @Test
    void picksTheSimdKernelForSignedByteValuesAndFourBitCodes() {
        float[] x = new float[64];
        assertThat(PackedDot.of(8, signedBytes(), x).kernel())
                .isEqualTo(PackedDot.Kernel.SIGNED_BYTES);
        float[] shifted = signedBytes();
        shifted[200] += 0.5f;
        assertThat(PackedDot.of(8, shifted, x).kernel()).isEqualTo(PackedDot.Kernel.SCALAR);
        assertThat(PackedDot.of(4, new float[16], x).kernel())
                .isEqualTo(
                        VectorDots.nibblesSupported()
                                ? PackedDot.Kernel.NIBBLES
                                : PackedDot.Kernel.SCALAR);
        assertThat(PackedDot.of(3, new float[8], x).kernel()).isEqualTo(PackedDot.Kernel.SCALAR);
    }

    @Property(tries = 300)
    void equalsTheProductWithUnpackedValues(
            @ForAll @IntRange(min = 1, max = 8) int bits,
            @ForAll boolean signedByteValues,
            @ForAll @IntRange(min = 0, max = 3000) int count,
            @ForAll @IntRange(min = 0, max = 9) int offset,
            @ForAll @IntRange(min = 0, max = 5) int from,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] packed = new byte[offset + (int) BitPacker.packedBytes(count, bits)];
        random.nextBytes(packed);
        float[] table =
                bits == 8 && signedByteValues ? signedBytes() : gaussians(random, 1 << bits);
        // Inputs longer than the range, so a kernel that reads past it would sum the wrong values.
        float[] x = gaussians(random, from + count + 7);
        int[] codes = new int[count];
        BitPacker.unpack(packed, offset, bits, codes, 0, count);
        double expected = 0;
        double magnitude = 0;
        for (int i = 0; i < count; i++) {
            double product = (double) table[codes[i]] * x[from + i];
            expected += product;
            magnitude += Math.abs(product);
        }
        float dot = PackedDot.of(bits, table, x).dot(packed, offset, from, count);
        assertThat((double) dot).isCloseTo(expected, Offset.offset(1e-6 * magnitude + 1e-30));
    }

    @Test
    void signedByteValuesAreTheCodesAsTwosComplement() {
        // Codes 0x7F, 0x80, 0xFF, 0x01 are 127, -128, -1 and 1.
        byte[] codes = {0x7F, (byte) 0x80, (byte) 0xFF, 0x01};
        float[] x = {1, 2, 4, 8};
        float dot = PackedDot.of(8, signedBytes(), x).dot(codes, 0, 0, 4);
        assertThat(dot).isEqualTo(127 - 256 - 4 + 8);
    }

    @Test
    void rejectsTablesOfTheWrongSize() {
        assertThatThrownBy(() -> PackedDot.of(4, new float[15], new float[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 15 for 4 bits");
        assertThatThrownBy(() -> PackedDot.of(31, new float[1], new float[4]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static float[] signedBytes() {
        float[] table = new float[256];
        for (int c = 0; c < 256; c++) {
            table[c] = (byte) c;
        }
        return table;
    }

    private static float[] gaussians(SplittableRandom random, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
