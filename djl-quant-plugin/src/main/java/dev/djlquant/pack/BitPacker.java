package dev.djlquant.pack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Packs unsigned integers of 1..31 bits into a byte stream, LSB-first: value {@code i} of a run
 * occupies bits {@code [i*bits, (i+1)*bits)} counted from the run's first byte. Runs that start on
 * a byte boundary can be packed and unpacked independently, which is how callers parallelize.
 */
public final class BitPacker {

    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private BitPacker() {}

    /** Returns the bytes that {@code count} values of {@code bits} bits occupy. */
    public static long packedBytes(long count, int bits) {
        return (count * bits + 7) / 8;
    }

    /** Returns the fewest bits that can index {@code n} distinct positions: ceil(log2 n). */
    public static int indexBits(long n) {
        return n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1);
    }

    /**
     * Writes {@code values[from..from+count)} at {@code bits} bits each into {@code dst} from byte
     * {@code offset}; values must be below {@code 2^bits}. Writes exactly {@code packedBytes(count,
     * bits)} bytes.
     */
    public static void pack(int[] values, int from, int count, int bits, byte[] dst, int offset) {
        checkBits(bits);
        long acc = 0;
        int held = 0;
        int p = offset;
        for (int i = from; i < from + count; i++) {
            acc |= (long) values[i] << held;
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
     */
    public static void unpack(byte[] src, int offset, int bits, int[] dst, int from, int count) {
        checkBits(bits);
        long mask = (1L << bits) - 1;
        long acc = 0;
        int held = 0;
        int p = offset;
        for (int i = from; i < from + count; i++) {
            if (held < bits) {
                if (p + 4 <= src.length) {
                    acc |= ((int) INT_LE.get(src, p) & 0xFFFFFFFFL) << held;
                    p += 4;
                    held += 32;
                } else {
                    for (; held < bits; held += 8) {
                        acc |= (src[p++] & 0xFFL) << held;
                    }
                }
            }
            dst[i] = (int) (acc & mask);
            acc >>>= bits;
            held -= bits;
        }
    }

    private static void checkBits(int bits) {
        if (bits < 0 || bits > 31) {
            throw new IllegalArgumentException("BitPacker packs 0 to 31 bits, got " + bits);
        }
    }
}
