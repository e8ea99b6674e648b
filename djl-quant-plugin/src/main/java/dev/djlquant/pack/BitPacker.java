package dev.djlquant.pack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Packs unsigned integers of 0..31 bits into a byte stream (0 bits: the one-element permutation),
 * LSB-first: value {@code i} of a run occupies bits {@code [i*bits, (i+1)*bits)} counted from the
 * run's first byte. Runs that start on a byte boundary can be packed and unpacked independently,
 * which is how callers parallelize.
 */
public final class BitPacker {

    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private BitPacker() {}

    /**
     * Returns the bytes that {@code count} values of {@code bits} bits occupy.
     *
     * @param count the number of values, non-negative
     * @param bits the bits per value
     * @return {@code ceil(count * bits / 8)}
     */
    public static long packedBytes(long count, int bits) {
        return (count * bits + 7) / 8;
    }

    /**
     * Returns the fewest bits that can index {@code n} distinct positions: ceil(log2 n).
     *
     * @param n the number of positions
     * @return the index width in bits, 0 to 63; 0 when {@code n} is at most 1
     */
    public static int indexBits(long n) {
        return n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1);
    }

    /**
     * Writes {@code values[from..from+count)} at {@code bits} bits each into {@code dst} from byte
     * {@code offset}; values must be below {@code 2^bits}. Writes exactly {@code packedBytes(count,
     * bits)} bytes.
     *
     * @param values the values; each must be below {@code 2^bits}, which is not checked (a larger
     *     or negative value corrupts the values packed after it)
     * @param from the index in {@code values} of the first value
     * @param count the number of values
     * @param bits the bits per value, 0 to 31
     * @param dst the packed stream; its bytes from {@code offset} on are overwritten, not merged,
     *     and the unused bits of the last byte become zero
     * @param offset the byte of {@code dst} at which the run starts
     * @throws IllegalArgumentException if {@code bits} is not 0 to 31
     */
    public static void pack(int[] values, int from, int count, int bits, byte[] dst, int offset) {
        checkBits(bits);
        if (bits == 8) {
            // One byte per value: a plain store, faster still than the loop below on the 8-bit
            // codes most schemes use (7 ms against 11 ms per 37.7M values on one core).
            for (int i = 0; i < count; i++) {
                dst[offset + i] = (byte) values[from + i];
            }
            return;
        }
        int end = offset + (int) packedBytes(count, bits);
        int i = 0;
        int p = offset;
        if (bits < 8) {
            // Eight values fill exactly `bits` bytes: gather them in a long and store all 8 bytes
            // at once (those past `bits` are zeros the next store overwrites) while the store stays
            // inside this run, so parallel runs never touch each other's bytes. Measured 13 ms per
            // 37.7M 4-bit values against 82 ms for the accumulator below.
            for (; i + 8 <= count && p + 8 <= end; i += 8, p += bits) {
                long window = 0;
                for (int k = 0; k < 8; k++) {
                    window |= (long) values[from + i + k] << (k * bits);
                }
                LONG_LE.set(dst, p, window);
            }
        }
        long acc = 0;
        int held = 0;
        for (; i < count; i++) {
            acc |= (long) values[from + i] << held;
            held += bits;
            if (held >= 32) {
                INT_LE.set(dst, p, (int) acc);
                p += 4;
                acc >>>= 32;
                held -= 32;
            }
        }
        for (; held > 0; held -= 8) {
            dst[p++] = (byte) acc;
            acc >>>= 8;
        }
    }

    /**
     * Reads {@code count} values of {@code bits} bits from {@code src} at byte {@code offset} into
     * {@code dst[from..from+count)}.
     *
     * @param src the packed stream
     * @param offset the byte of {@code src} at which the run starts
     * @param bits the bits per value, 0 to 31
     * @param dst receives the values
     * @param from the index in {@code dst} of the first value
     * @param count the number of values
     * @throws IllegalArgumentException if {@code bits} is not 0 to 31
     */
    public static void unpack(byte[] src, int offset, int bits, int[] dst, int from, int count) {
        checkBits(bits);
        int mask = (int) ((1L << bits) - 1);
        int i = 0;
        if (bits <= 8) {
            // Eight values occupy exactly `bits` bytes, so one 8-byte read yields all eight
            // (measured 12 ms per 37.7M values against 21 ms reading per value).
            for (int p = offset; i + 8 <= count && p + 8 <= src.length; i += 8, p += bits) {
                long window = (long) LONG_LE.get(src, p);
                for (int k = 0; k < 8; k++) {
                    dst[from + i + k] = (int) (window >>> (k * bits)) & mask;
                }
            }
        }
        // Wider values and the tail: each from a 64-bit window starting at its first byte.
        long bit = (long) offset * 8 + (long) i * bits;
        for (; i < count; i++, bit += bits) {
            int p = (int) (bit >>> 3);
            long window = p + 8 <= src.length ? (long) LONG_LE.get(src, p) : tailWindow(src, p);
            dst[from + i] = (int) (window >>> (bit & 7)) & mask;
        }
    }

    /**
     * Reads {@code count} codes of {@code bits} bits from {@code src} at byte {@code offset} and
     * writes {@code table[code]} to {@code dst[from..from+count)}: {@link #unpack} fused with a
     * lookup, which saves writing and reading back the codes (dequantizing 37.7M 8-bit codes took
     * 19-21 ms of CPU this way against 25-34 ms through an int buffer). {@code table} must have
     * {@code 2^bits} entries.
     *
     * @param src the packed codes
     * @param offset the byte of {@code src} at which the run starts
     * @param bits the bits per code, 0 to 31
     * @param table the value of each code, at least {@code 2^bits} entries
     * @param dst receives the values
     * @param from the index in {@code dst} of the first value
     * @param count the number of codes
     * @throws IllegalArgumentException if {@code bits} is not 0 to 31 or {@code table} has fewer
     *     than {@code 2^bits} entries
     */
    public static void unpack(
            byte[] src, int offset, int bits, float[] table, float[] dst, int from, int count) {
        checkBits(bits);
        if (table.length < (1L << bits)) {
            throw new IllegalArgumentException(
                    "A table for " + bits + "-bit codes needs " + (1L << bits) + " entries");
        }
        if (bits == 8) {
            // One byte per code: a plain loop over the bytes, faster than the 8-byte windows
            // below (0.30 against 0.77-0.91 ns a value on one core for a 256-entry table).
            for (int i = 0; i < count; i++) {
                dst[from + i] = table[src[offset + i] & 0xFF];
            }
            return;
        }
        int mask = (int) ((1L << bits) - 1);
        int i = 0;
        if (bits < 8) {
            for (int p = offset; i + 8 <= count && p + 8 <= src.length; i += 8, p += bits) {
                long window = (long) LONG_LE.get(src, p);
                for (int k = 0; k < 8; k++) {
                    dst[from + i + k] = table[(int) (window >>> (k * bits)) & mask];
                }
            }
        }
        long bit = (long) offset * 8 + (long) i * bits;
        for (; i < count; i++, bit += bits) {
            int p = (int) (bit >>> 3);
            long window = p + 8 <= src.length ? (long) LONG_LE.get(src, p) : tailWindow(src, p);
            dst[from + i] = table[(int) (window >>> (bit & 7)) & mask];
        }
    }

    /**
     * Fills {@code pairs} (256 entries) for {@link #unpackPairs}: entry {@code b} holds the float32
     * bits of {@code table[b & 15] * scale} in its low half and of {@code table[b >>> 4] * scale}
     * in its high half, the values of the two 4-bit codes in byte {@code b}, scaled.
     *
     * @param table the values of the 16 codes (at least 16 entries)
     * @param scale the factor every value is multiplied by, in float32
     * @param pairs receives the entries; at least 256 long
     */
    public static void fillPairs(float[] table, float scale, long[] pairs) {
        for (int b = 0; b < 256; b++) {
            long low = Float.floatToRawIntBits(table[b & 15] * scale) & 0xFFFFFFFFL;
            long high = Float.floatToRawIntBits(table[b >>> 4] * scale) & 0xFFFFFFFFL;
            pairs[b] = low | high << 32;
        }
    }

    /**
     * Reads {@code count} 4-bit codes from {@code src} at byte {@code offset} and writes their
     * values from {@code pairs} ({@link #fillPairs}) to {@code dst} from byte {@code at}, as
     * little-endian float32: one table read and one 8-byte store per byte of codes, where {@link
     * #unpack} spends a shift, a read and a store per code (restoring a 512 x 4608 weight this way
     * took 0.65 ms on one core against 0.59 ms on two).
     *
     * @param src the packed 4-bit codes
     * @param offset the byte of {@code src} that holds the first code, in its low four bits
     * @param pairs the entries that {@link #fillPairs} filled
     * @param dst receives {@code 4 * count} bytes
     * @param at the byte of {@code dst} at which the first value goes
     * @param count the number of codes
     */
    public static void unpackPairs(
            byte[] src, int offset, long[] pairs, byte[] dst, int at, int count) {
        int bytes = count / 2;
        for (int j = 0; j < bytes; j++) {
            LONG_LE.set(dst, at + 8 * j, pairs[src[offset + j] & 0xFF]);
        }
        if (count % 2 != 0) {
            INT_LE.set(dst, at + 8 * bytes, (int) pairs[src[offset + bytes] & 0xFF]);
        }
    }

    /**
     * Returns {@code sum table[code_i] * x[from + i]} over {@code count} codes of {@code bits} bits
     * read from {@code src} at byte {@code offset}: {@link #unpack} fused with a dot product, so a
     * linear layer multiplies straight from packed codes. The eight codes of one read go to eight
     * partial sums, which run side by side. {@code table} must have {@code 2^bits} entries.
     *
     * @param src the packed codes
     * @param offset the byte of {@code src} at which the run starts
     * @param bits the bits per code, 0 to 31
     * @param table the value of each code; its length is not checked here
     * @param x the values the codes' values are multiplied with
     * @param from the index in {@code x} of the value that goes with the first code
     * @param count the number of codes
     * @return the sum of the products, in float32; summed in eight partial sums, it may round
     *     differently from a sum taken in order
     * @throws IllegalArgumentException if {@code bits} is not 0 to 31
     */
    public static float dot(
            byte[] src, int offset, int bits, float[] table, float[] x, int from, int count) {
        checkBits(bits);
        if (bits == 8) {
            int whole = count & ~7;
            return addTail(
                    dotBytes(src, offset, table, x, from, whole),
                    src,
                    offset,
                    bits,
                    table,
                    x,
                    from,
                    whole,
                    count);
        }
        int mask = (int) ((1L << bits) - 1);
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        if (bits == 4) {
            // Sixteen 4-bit codes per 8-byte read, the width of dt4, nf4 and int4: half the reads
            // of the loop below measured 2.4 ms against 3.8 ms for a 4096 x 4096 product (a loop
            // over a read's groups of eight, for every width that divides 64, ran slower still).
            for (int p = offset; i + 16 <= count && p + 8 <= src.length; i += 16, p += 8) {
                long w = (long) LONG_LE.get(src, p);
                int j = from + i;
                s0 += table[(int) w & 15] * x[j];
                s1 += table[(int) (w >>> 4) & 15] * x[j + 1];
                s2 += table[(int) (w >>> 8) & 15] * x[j + 2];
                s3 += table[(int) (w >>> 12) & 15] * x[j + 3];
                s4 += table[(int) (w >>> 16) & 15] * x[j + 4];
                s5 += table[(int) (w >>> 20) & 15] * x[j + 5];
                s6 += table[(int) (w >>> 24) & 15] * x[j + 6];
                s7 += table[(int) (w >>> 28) & 15] * x[j + 7];
                s0 += table[(int) (w >>> 32) & 15] * x[j + 8];
                s1 += table[(int) (w >>> 36) & 15] * x[j + 9];
                s2 += table[(int) (w >>> 40) & 15] * x[j + 10];
                s3 += table[(int) (w >>> 44) & 15] * x[j + 11];
                s4 += table[(int) (w >>> 48) & 15] * x[j + 12];
                s5 += table[(int) (w >>> 52) & 15] * x[j + 13];
                s6 += table[(int) (w >>> 56) & 15] * x[j + 14];
                s7 += table[(int) (w >>> 60) & 15] * x[j + 15];
            }
        }
        if (bits <= 8) {
            int start = offset + i * bits / 8;
            for (int p = start; i + 8 <= count && p + 8 <= src.length; i += 8, p += bits) {
                long w = (long) LONG_LE.get(src, p);
                int j = from + i;
                s0 += table[(int) w & mask] * x[j];
                s1 += table[(int) (w >>> bits) & mask] * x[j + 1];
                s2 += table[(int) (w >>> (2 * bits)) & mask] * x[j + 2];
                s3 += table[(int) (w >>> (3 * bits)) & mask] * x[j + 3];
                s4 += table[(int) (w >>> (4 * bits)) & mask] * x[j + 4];
                s5 += table[(int) (w >>> (5 * bits)) & mask] * x[j + 5];
                s6 += table[(int) (w >>> (6 * bits)) & mask] * x[j + 6];
                s7 += table[(int) (w >>> (7 * bits)) & mask] * x[j + 7];
            }
        }
        float sum = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        return addTail(sum, src, offset, bits, table, x, from, i, count);
    }

    /**
     * {@link #dot} of {@code count} (a multiple of 8) one-byte codes: byte reads with a constant
     * mask, in a method of their own, took 7.2 ms against 14.4 ms for the shifts of the loop in
     * {@code dot} (4096 x 4096 product, one core; 10.3 ms inlined there). Same partial sums in the
     * same order.
     */
    private static float dotBytes(
            byte[] src, int offset, float[] table, float[] x, int from, int count) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int i = 0; i < count; i += 8) {
            int p = offset + i;
            int j = from + i;
            s0 += table[src[p] & 0xFF] * x[j];
            s1 += table[src[p + 1] & 0xFF] * x[j + 1];
            s2 += table[src[p + 2] & 0xFF] * x[j + 2];
            s3 += table[src[p + 3] & 0xFF] * x[j + 3];
            s4 += table[src[p + 4] & 0xFF] * x[j + 4];
            s5 += table[src[p + 5] & 0xFF] * x[j + 5];
            s6 += table[src[p + 6] & 0xFF] * x[j + 6];
            s7 += table[src[p + 7] & 0xFF] * x[j + 7];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** {@code sum} plus, one by one, the products of the codes from {@code i} to {@code count}. */
    private static float addTail(
            float sum,
            byte[] src,
            int offset,
            int bits,
            float[] table,
            float[] x,
            int from,
            int i,
            int count) {
        int mask = (int) ((1L << bits) - 1);
        long bit = (long) offset * 8 + (long) i * bits;
        for (; i < count; i++, bit += bits) {
            int p = (int) (bit >>> 3);
            long window = p + 8 <= src.length ? (long) LONG_LE.get(src, p) : tailWindow(src, p);
            sum += table[(int) (window >>> (bit & 7)) & mask] * x[from + i];
        }
        return sum;
    }

    /** The bytes from {@code p} to the end of {@code src}, little-endian, zero-padded. */
    private static long tailWindow(byte[] src, int p) {
        long window = 0;
        for (int k = 0; p + k < src.length && k < 8; k++) {
            window |= (src[p + k] & 0xFFL) << (8 * k);
        }
        return window;
    }

    private static void checkBits(int bits) {
        if (bits < 0 || bits > 31) {
            throw new IllegalArgumentException("BitPacker packs 0 to 31 bits, got " + bits);
        }
    }
}
