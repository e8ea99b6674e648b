package dev.djlquant;

import ai.djl.MalformedModelException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The body of a {@link QuantizedBlock}'s compact parameters, preceded by its length and CRC-32, so
 * that a load reads and checks all of it before it changes anything: a damaged or cut file leaves
 * the block as it was. Saving writes the body twice, first only counted (no copy of it is held).
 */
final class CheckedBody {

    /** Bytes read at a time: a damaged length is caught at the stream's end, not by allocating. */
    private static final int PIECE = 1 << 20;

    private CheckedBody() {}

    /** Writes the body. */
    interface Writer {
        void write(DataOutputStream body) throws IOException;
    }

    /**
     * Writes the length and CRC-32 of what {@code writer} writes, then what it writes.
     *
     * @throws IOException if writing fails, or the second pass wrote other bytes than the first
     *     (the parameters changed meanwhile: a training step on another thread, say)
     */
    static void write(DataOutputStream os, Writer writer) throws IOException {
        // DataOutputStream holds no buffer: every byte has reached the count when write returns.
        Counted counted = new Counted(OutputStream.nullOutputStream());
        writer.write(new DataOutputStream(counted));
        os.writeLong(counted.length);
        os.writeInt((int) counted.crc.getValue());
        Counted written = new Counted(os);
        writer.write(new DataOutputStream(written));
        if (written.length != counted.length || written.crc.getValue() != counted.crc.getValue()) {
            throw new IOException(
                    "The parameters changed while they were saved: save them again while no"
                            + " other thread changes them");
        }
    }

    /**
     * Reads the length, the CRC-32 and the whole body that {@link #write} wrote and returns the
     * body, checked.
     *
     * @throws EOFException if the stream ends inside the length or the CRC-32
     * @throws MalformedModelException if the body is cut short or its CRC-32 differs
     */
    static DataInputStream read(DataInputStream is) throws IOException, MalformedModelException {
        long length = is.readLong();
        int stored = is.readInt();
        if (length < 0) {
            throw new MalformedModelException(
                    "The parameters' header is damaged: a length of " + length + " bytes");
        }
        CRC32 crc = new CRC32();
        List<InputStream> pieces = new ArrayList<>();
        for (long left = length; left > 0; ) {
            byte[] piece = new byte[(int) Math.min(left, PIECE)];
            int read = is.readNBytes(piece, 0, piece.length);
            if (read < piece.length) {
                throw new MalformedModelException(
                        String.format(
                                Locale.ROOT,
                                "The parameters end after %d of their %d bytes: truncated (or"
                                        + " their length is damaged)",
                                length - left + read,
                                length));
            }
            crc.update(piece);
            pieces.add(new ByteArrayInputStream(piece));
            left -= piece.length;
        }
        if ((int) crc.getValue() != stored) {
            throw new MalformedModelException(
                    String.format(
                            Locale.ROOT,
                            "The parameters are damaged: their CRC-32 is %08x, saved as %08x."
                                    + " Load them from an intact copy",
                            (int) crc.getValue(),
                            stored));
        }
        return new DataInputStream(new SequenceInputStream(Collections.enumeration(pieces)));
    }

    /** Counts the bytes written through it and takes their CRC-32. */
    private static final class Counted extends FilterOutputStream {
        private final CRC32 crc = new CRC32();
        private long length;

        Counted(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            crc.update(b);
            length++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            crc.update(b, off, len);
            length += len;
        }
    }
}
