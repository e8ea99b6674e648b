package dev.djlquant.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Segmented packing writes the same byte stream as packing every value into one array, and reads it
 * back with the same checksum.
 */
class PackedValuesTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 8, 9, 19})
    void segmentsInOrderAreThePlainPackedStream(int bits) throws Exception {
        int n = 2 * PackedValues.SEGMENT_VALUES + 12_345;
        SplittableRandom random = new SplittableRandom(bits);
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextInt(1 << bits);
        }
        byte[] plain = new byte[(int) BitPacker.packedBytes(n, bits)];
        BitPacker.pack(values, 0, n, bits, plain, 0);

        PackedValues packed = PackedValues.allocate(n, bits);
        for (int run = 0; run < n; run += PackedValues.SEGMENT_VALUES) {
            int count = Math.min(PackedValues.SEGMENT_VALUES, n - run);
            BitPacker.pack(
                    values, run, count, bits, packed.segmentOf(run), packed.byteOffsetOf(run));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CRC32 written = new CRC32();
        packed.writeTo(new DataOutputStream(bytes), written);
        assertThat(packed.byteLength()).isEqualTo(plain.length);
        assertThat(Arrays.mismatch(bytes.toByteArray(), plain)).isEqualTo(-1);

        CRC32 read = new CRC32();
        PackedValues back =
                PackedValues.readFrom(
                        new DataInputStream(new ByteArrayInputStream(plain)), n, bits, read);
        assertThat(read.getValue()).isEqualTo(written.getValue());
        int[] unpacked = new int[n];
        for (int run = 0; run < n; run += PackedValues.SEGMENT_VALUES) {
            int count = Math.min(PackedValues.SEGMENT_VALUES, n - run);
            BitPacker.unpack(
                    back.segmentOf(run), back.byteOffsetOf(run), bits, unpacked, run, count);
        }
        assertThat(Arrays.mismatch(unpacked, values)).isEqualTo(-1);
    }
}
