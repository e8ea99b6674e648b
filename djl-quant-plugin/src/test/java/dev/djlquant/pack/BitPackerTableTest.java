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
 * The fused unpack-and-look-up equals unpacking and then indexing the table. Runs end inside a
 * longer stream ({@code trailing} bytes of other codes after them), as most runs in a packed tensor
 * do, so that a kernel reading whole words past a short run is caught.
 */
class BitPackerTableTest {

    @Property(tries = 200)
    void equalsUnpackThenLookup(
            @ForAll @IntRange(min = 1, max = 12) int bits,
            @ForAll @IntRange(min = 0, max = 2000) int count,
            @ForAll @IntRange(min = 0, max = 9) int offset,
            @ForAll @IntRange(min = 0, max = 9) int trailing,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] packed =
                randomBytes(random, offset + (int) BitPacker.packedBytes(count, bits) + trailing);
        float[] table = gaussians(random, 1 << bits);
        int[] codes = new int[count];
        BitPacker.unpack(packed, offset, bits, codes, 0, count);
        float[] values = new float[count + 3];
        BitPacker.unpack(packed, offset, bits, table, values, 3, count);
        for (int i = 0; i < count; i++) {
            assertThat(values[i + 3]).isEqualTo(table[codes[i]]);
        }
        assertThat(values[0]).isZero(); // nothing written before `from`
    }

    /** The fused unpack-and-dot equals a double-precision dot over the unpacked codes. */
    @Property(tries = 200)
    void dotEqualsTheProductWithUnpackedValues(
            @ForAll @IntRange(min = 1, max = 12) int bits,
            @ForAll @IntRange(min = 0, max = 2000) int count,
            @ForAll @IntRange(min = 0, max = 9) int offset,
            @ForAll @IntRange(min = 0, max = 5) int from,
            @ForAll @IntRange(min = 0, max = 9) int trailing,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] packed =
                randomBytes(random, offset + (int) BitPacker.packedBytes(count, bits) + trailing);
        float[] table = gaussians(random, 1 << bits);
        float[] x = gaussians(random, from + count);
        int[] codes = new int[count];
        BitPacker.unpack(packed, offset, bits, codes, 0, count);
        double expected = 0;
        double magnitude = 0;
        for (int i = 0; i < count; i++) {
            expected += (double) table[codes[i]] * x[from + i];
            magnitude += Math.abs((double) table[codes[i]] * x[from + i]);
        }
        float dot = BitPacker.dot(packed, offset, bits, table, x, from, count);
        assertThat((double) dot).isCloseTo(expected, Offset.offset(1e-6 * magnitude + 1e-30));
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    static float[] gaussians(SplittableRandom random, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    @Test
    void rejectsShortTables() {
        assertThatThrownBy(
                        () ->
                                BitPacker.unpack(
                                        new byte[8], 0, 4, new float[15], new float[8], 0, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 entries");
    }
}
