package dev.djlquant.pack;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.zip.Checksum;

/**
 * Values of one bit width packed LSB-first as {@link BitPacker} writes them, held in segments of
 * {@link #SEGMENT_VALUES} values, one byte array each; the segments in order are the plain packed
 * byte stream. No large tensor needs one large array: the G1 collector gives every array of half a
 * heap region or more whole regions of its own (arrays of 4 MB and up in the 8 MB regions of a 12
 * GB heap), which held AlexNet's packed weights in 1.5-1.7 times their size.
 */
public final class PackedValues {

    /**
     * Values per segment. Every segment but the last holds exactly {@code SEGMENT_VALUES * bits /
     * 8} bytes, at most 288 KB for codes (9 bits at most): below half of G1's smallest region (1
     * MB). Permutations of {@code sortedN}, stored here at up to 30 bits a position, make segments
     * of up to 960 KB.
     */
    public static final int SEGMENT_VALUES = 1 << 18;

    private final long count;
    private final int bits;
    private final byte[][] segments;

    private PackedValues(long count, int bits) {
        if (count < 0 || bits < 0 || bits > 31) {
            throw new IllegalArgumentException(count + " values of " + bits + " bits");
        }
        this.count = count;
        this.bits = bits;
        this.segments = new byte[(int) ((count + SEGMENT_VALUES - 1) / SEGMENT_VALUES)][];
        for (int s = 0; s < segments.length; s++) {
            long values = Math.min(SEGMENT_VALUES, count - (long) s * SEGMENT_VALUES);
            segments[s] = new byte[(int) BitPacker.packedBytes(values, bits)];
        }
    }

    /**
     * Returns zeroed storage for {@code count} values of {@code bits} bits (0 to 31).
     *
     * @param count the number of values, non-negative
     * @param bits the bits per value, 0 to 31
     * @return new storage, all bits zero
     * @throws IllegalArgumentException if {@code count} is negative or {@code bits} is not 0 to 31
     */
    public static PackedValues allocate(long count, int bits) {
        return new PackedValues(count, bits);
    }

    /**
     * Returns the number of values.
     *
     * @return the number of values
     */
    public long count() {
        return count;
    }

    /**
     * Returns the bits per value.
     *
     * @return the bits per value
     */
    public int bits() {
        return bits;
    }

    /**
     * Returns the packed size in bytes, {@code ceil(count * bits / 8)}.
     *
     * @return the packed size in bytes
     */
    public long byteLength() {
        return BitPacker.packedBytes(count, bits);
    }

    /**
     * Returns the segment that holds value {@code index}; a run of values packed or unpacked in it
     * must not cross {@link #SEGMENT_VALUES} boundaries.
     *
     * @param index the index of a value, below {@link #count()}
     * @return the segment itself, not a copy
     */
    public byte[] segmentOf(long index) {
        return segments[(int) (index / SEGMENT_VALUES)];
    }

    /**
     * Returns the byte offset of value {@code index} in its segment (a multiple of 8 values).
     *
     * @param index the index of a value, below {@link #count()}
     * @return the offset of the byte holding the value's first bit
     */
    public int byteOffsetOf(long index) {
        return (int) (index % SEGMENT_VALUES * bits / 8);
    }

    /**
     * Writes the packed byte stream, also feeding it to {@code checksum}.
     *
     * @param out receives the bytes of every segment in order
     * @param checksum is updated with the same bytes
     * @throws IOException if writing to {@code out} fails
     */
    public void writeTo(DataOutput out, Checksum checksum) throws IOException {
        for (byte[] segment : segments) {
            checksum.update(segment, 0, segment.length);
            out.write(segment);
        }
    }

    /**
     * Reads {@code count} values of {@code bits} bits written by {@link #writeTo}.
     *
     * @param in the stream, positioned at the packed bytes
     * @param count the number of values, non-negative
     * @param bits the bits per value, 0 to 31
     * @param checksum is updated with the bytes read
     * @return the values
     * @throws java.io.EOFException if {@code in} ends before {@code ceil(count * bits / 8)} bytes
     * @throws IOException if reading from {@code in} fails
     * @throws IllegalArgumentException if {@code count} is negative or {@code bits} is not 0 to 31
     */
    public static PackedValues readFrom(DataInput in, long count, int bits, Checksum checksum)
            throws IOException {
        PackedValues values = new PackedValues(count, bits);
        for (byte[] segment : values.segments) {
            in.readFully(segment);
            checksum.update(segment, 0, segment.length);
        }
        return values;
    }
}
