package dev.djlquant;

import dev.djlquant.pack.BitPacker;
import dev.djlquant.pack.PackedValues;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The byte stream of a {@link QuantizedTensor}: magic, version, spec, shape, group and byte counts
 * (a header), the scales, the packed codes and permutation, then a CRC32 of all of it. Reading
 * checks every field against the spec and shape before it allocates, so a damaged or truncated
 * stream fails with a {@link CorruptTensorException} that says which field.
 */
final class TensorStream {

    /** Version of streams whose scales are float32; {@link QuantizedTensor#VERSION} holds +dq. */
    private static final byte VERSION_FLOAT_SCALES = 1;

    private static final byte VERSION = QuantizedTensor.VERSION;

    private static final int MAGIC = 0x444A5154; // "DJQT"

    private TensorStream() {}

    /** Writes {@code t} as a versioned, CRC-checked byte stream. */
    static void write(QuantizedTensor t, OutputStream out) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(header);
        h.writeInt(MAGIC);
        h.writeByte(t.storedScales().eightBit() != null ? VERSION : VERSION_FLOAT_SCALES);
        h.writeUTF(t.quantizer().spec());
        long[] shape = t.shape();
        h.writeByte(shape.length);
        for (long d : shape) {
            h.writeLong(d);
        }
        h.writeInt(t.groupLength());
        h.writeInt(t.groups());
        h.writeInt((int) t.packedCodes().byteLength());
        PackedValues permutation = t.packedPermutation();
        h.writeInt(permutation == null ? -1 : (int) permutation.byteLength());
        h.flush();
        byte[] headerBytes = header.toByteArray();
        CRC32 crc = new CRC32();
        DataOutputStream d = new DataOutputStream(out);
        crc.update(headerBytes);
        d.write(headerBytes);
        t.storedScales().writeTo(d, crc);
        t.packedCodes().writeTo(d, crc);
        if (permutation != null) {
            permutation.writeTo(d, crc);
        }
        d.writeInt((int) crc.getValue());
        d.flush();
    }

    /** Reads a stream that {@link #write} wrote; see the class description for the checks. */
    static QuantizedTensor read(InputStream in) throws IOException {
        return new Reader(new DataInputStream(in)).read();
    }

    /** Reads and validates one serialized tensor, keeping a running checksum. */
    private static final class Reader {
        private final DataInputStream in;
        private final CRC32 crc = new CRC32();

        Reader(DataInputStream in) {
            this.in = in;
        }

        QuantizedTensor read() throws IOException {
            try {
                return readChecked();
            } catch (EOFException e) {
                throw new CorruptTensorException("quantized tensor is truncated", e);
            }
        }

        private QuantizedTensor readChecked() throws IOException {
            int magic = readInt();
            if (magic != MAGIC) {
                throw new CorruptTensorException(
                        "not a quantized tensor (magic " + Integer.toHexString(magic) + ")");
            }
            int version = bytes(1)[0];
            if (version != VERSION_FLOAT_SCALES && version != VERSION) {
                throw new CorruptTensorException(
                        "quantized tensor format version "
                                + version
                                + " is not supported (this"
                                + " library reads versions "
                                + VERSION_FLOAT_SCALES
                                + " to "
                                + VERSION
                                + ")");
            }
            Quantizer quantizer = parseSpec(readUtf());
            if (quantizer.quantizesScales() != (version == VERSION)) {
                throw new CorruptTensorException(
                        "format version " + version + " cannot hold " + quantizer.spec());
            }
            long[] shape = new long[bytes(1)[0] & 0xFF];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = ByteBuffer.wrap(bytes(8)).getLong();
            }
            long n = checkedSize(shape);
            int groupLength = readInt();
            int groups = readInt();
            int codeBytes = readInt();
            int permutationBytes = readInt();
            expect(
                    groupLength == expectedGroupLength(quantizer, shape),
                    "group length",
                    groupLength);
            expect(groups == GroupTasks.groupCount(n, groupLength), "group count", groups);
            int bits = quantizer.format().codeBits();
            long expectedCodeBytes = BitPacker.packedBytes(n, bits);
            if (codeBytes != expectedCodeBytes) {
                // Says what this library packs, for streams of another layout (seeddt3..5 were
                // written at 9 bits before 2026-12-06) as well as for damaged ones.
                throw new CorruptTensorException(
                        String.format(
                                Locale.ROOT,
                                "inconsistent code bytes %d: %d values of %s take %d bytes at %d"
                                        + " bits",
                                codeBytes,
                                n,
                                quantizer.spec(),
                                expectedCodeBytes,
                                bits));
            }
            long expectedPermutation =
                    quantizer.granularity().permutes()
                            ? BitPacker.packedBytes(n, BitPacker.indexBits(n))
                            : -1;
            expect(permutationBytes == expectedPermutation, "permutation bytes", permutationBytes);
            QuantizedTensor.Scales scales =
                    quantizer.quantizesScales()
                            ? new QuantizedTensor.Scales(
                                    null, DoubleQuantizedScales.readFrom(in, groups, crc))
                            : QuantizedTensor.Scales.exact(readFloats(groups));
            PackedValues codes = PackedValues.readFrom(in, n, bits, crc);
            PackedValues permutation =
                    permutationBytes < 0
                            ? null
                            : PackedValues.readFrom(in, n, BitPacker.indexBits(n), crc);
            int expectedCrc = (int) crc.getValue();
            if (in.readInt() != expectedCrc) {
                throw new CorruptTensorException("quantized tensor checksum mismatch");
            }
            scales.check(quantizer.format().scaling());
            return new QuantizedTensor(
                    quantizer, shape, groupLength, scales, codes, permutation, null);
        }

        private float[] readFloats(int count) throws IOException {
            float[] values = new float[count];
            ByteBuffer.wrap(bytes(4 * count)).asFloatBuffer().get(values);
            return values;
        }

        private int readInt() throws IOException {
            return ByteBuffer.wrap(bytes(4)).getInt();
        }

        private String readUtf() throws IOException {
            int length = ByteBuffer.wrap(bytes(2)).getShort() & 0xFFFF;
            return new String(bytes(length), StandardCharsets.UTF_8);
        }

        private byte[] bytes(int count) throws IOException {
            byte[] b = new byte[count];
            in.readFully(b);
            crc.update(b);
            return b;
        }

        private static Quantizer parseSpec(String spec) throws CorruptTensorException {
            try {
                return Quantizer.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new CorruptTensorException("unreadable spec: " + e.getMessage(), e);
            }
        }

        private static long checkedSize(long[] shape) throws CorruptTensorException {
            try {
                long n = Shapes.size(shape);
                if (n == 0 || n > Integer.MAX_VALUE - 8) {
                    throw new CorruptTensorException("implausible shape " + Arrays.toString(shape));
                }
                return n;
            } catch (IllegalArgumentException e) {
                throw new CorruptTensorException("implausible shape " + Arrays.toString(shape), e);
            }
        }

        private static int expectedGroupLength(Quantizer quantizer, long[] shape)
                throws CorruptTensorException {
            try {
                return quantizer.granularity().groupLength(shape);
            } catch (IllegalArgumentException e) {
                throw new CorruptTensorException(e.getMessage(), e);
            }
        }

        private static void expect(boolean ok, String field, long value)
                throws CorruptTensorException {
            if (!ok) {
                throw new CorruptTensorException("inconsistent " + field + " " + value);
            }
        }
    }
}
