package dev.djlquant.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BitPackerTest {

    @Test
    void packsLsbFirst() {
        // 1, 2, 3 at 3 bits: 001 | 010 << 3 | 011 << 6 = 0b1101_0001, then the last bit of 3.
        byte[] out = new byte[2];
        BitPacker.pack(new int[] {1, 2, 3}, 0, 3, 3, out, 0);
        assertThat(out[0] & 0xFF).isEqualTo(0b1101_0001);
        assertThat(out[1] & 0xFF).isEqualTo(0);
        byte[] nibbles = new byte[1];
        BitPacker.pack(new int[] {0xA, 0x5}, 0, 2, 4, nibbles, 0);
        assertThat(nibbles[0] & 0xFF).isEqualTo(0x5A);
    }

    /** Zero-bit codes (a group whose every value is its only code) take no bytes at all. */
    @Test
    void zeroBitsTakeNoBytesAndReadBackAsCodeZero() {
        assertThat(BitPacker.packedBytes(1000, 0)).isZero();
        byte[] stream = {42, 43};
        BitPacker.pack(new int[5], 0, 5, 0, stream, 1);
        assertThat(stream).containsExactly(42, 43);
        int[] codes = {7, 7, 7};
        BitPacker.unpack(stream, 1, 0, codes, 0, 3);
        assertThat(codes).containsExactly(0, 0, 0);
        float[] values = new float[3];
        BitPacker.unpack(stream, 1, 0, new float[] {2.5f}, values, 0, 3);
        assertThat(values).containsExactly(2.5f, 2.5f, 2.5f);
        float dot = BitPacker.dot(stream, 1, 0, new float[] {2.5f}, new float[] {1, 2, 3}, 0, 3);
        assertThat(dot).isEqualTo(15f);
    }

    /** Widths past an int's 31 value bits, or negative, are refused by every entry point. */
    @ParameterizedTest
    @ValueSource(ints = {-1, 32})
    void widthsOutsideZeroTo31AreRefusedByName(int bits) {
        byte[] stream = new byte[64];
        float[] table = new float[2];
        String message = "0 to 31 bits, got " + bits;
        assertThatThrownBy(() -> BitPacker.pack(new int[1], 0, 1, bits, stream, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> BitPacker.unpack(stream, 0, bits, new int[1], 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> BitPacker.unpack(stream, 0, bits, table, new float[1], 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> BitPacker.dot(stream, 0, bits, table, new float[1], 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void indexBitsIsCeilLog2() {
        assertThat(BitPacker.indexBits(1)).isEqualTo(0);
        assertThat(BitPacker.indexBits(2)).isEqualTo(1);
        assertThat(BitPacker.indexBits(3)).isEqualTo(2);
        assertThat(BitPacker.indexBits(1024)).isEqualTo(10);
        assertThat(BitPacker.indexBits(1025)).isEqualTo(11);
    }

    @Property(tries = 300)
    void roundTripsAnyWidthAndLength(
            @ForAll @IntRange(min = 1, max = 31) int bits,
            @ForAll @IntRange(min = 0, max = 3000) int count,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
            values[i] = random.nextInt() & ((1 << bits) - 1);
        }
        // The run sits between other bytes of a stream, which it must leave as they were, and
        // its codes are read back with those bytes after them.
        int end = 3 + (int) BitPacker.packedBytes(count, bits);
        byte[] packed = new byte[end + 9];
        java.util.Arrays.fill(packed, end, packed.length, (byte) 0x5A);
        BitPacker.pack(values, 0, count, bits, packed, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(packed[i]).isZero(); // nothing written before the offset
        }
        for (int i = end; i < packed.length; i++) {
            assertThat(packed[i]).as("byte %d after the run", i - end).isEqualTo((byte) 0x5A);
        }
        int[] back = new int[count + 2];
        BitPacker.unpack(packed, 3, bits, back, 2, count);
        for (int i = 0; i < count; i++) {
            assertThat(back[i + 2]).isEqualTo(values[i]);
        }
    }

    /**
     * Two codes per table read give, as little-endian float32 bytes, what unpacking each code and
     * scaling its value gives; odd counts end on the low half of the last byte's pair.
     */
    @Property(tries = 200)
    void pairsDecodeLikeOneCodeAtATime(
            @ForAll @IntRange(min = 0, max = 600) int count,
            @ForAll @IntRange(min = 0, max = 5) int offset,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] codes = new int[count];
        for (int i = 0; i < count; i++) {
            codes[i] = random.nextInt(16);
        }
        float[] table = new float[16];
        for (int c = 0; c < 16; c++) {
            table[c] = (float) random.nextGaussian();
        }
        float scale = (float) random.nextDouble(-2, 2);
        byte[] packed = new byte[offset + (int) BitPacker.packedBytes(count, 4)];
        BitPacker.pack(codes, 0, count, 4, packed, offset);
        long[] pairs = new long[256];
        BitPacker.fillPairs(table, scale, pairs);
        byte[] out = new byte[4 * count + 8];
        BitPacker.unpackPairs(packed, offset, pairs, out, 8, count);
        FloatBuffer values = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int i = 0; i < count; i++) {
            assertThat(Float.floatToRawIntBits(values.get(2 + i)))
                    .as("code %d at %d", codes[i], i)
                    .isEqualTo(Float.floatToRawIntBits(table[codes[i]] * scale));
        }
        assertThat(values.get(0)).isZero(); // nothing written before the offset
        assertThat(values.get(1)).isZero();
    }
}
