package dev.djlquant;

import dev.djlquant.pack.CodeKernel;

/**
 * One task's count of how often each code occurs, taken from packed bytes: codes whose width
 * divides a byte are counted a whole byte at a time (two 4-bit codes, four 2-bit codes per
 * increment) and the byte counts split into codes at the end; other widths up to 8 bits are first
 * written one code a byte; wider codes (the study's 9-bit dynamic tree) are counted one by one.
 * {@link #addTo} adds the counts to a shared histogram.
 */
final class CodeCounts {

    /**
     * Count tables, filled in turn: weights repeat a few codes, and incrementing one counter back
     * to back waits for its previous store each time. Eight made the report's quantize of AlexNet
     * {@code int8@row} about a tenth faster than four (benchmarks README, twenty-first round).
     */
    private static final int TABLES = 8;

    /**
     * Entries from one table to the next: one more than the byte values. With tables a power of two
     * apart, each increment waited on a store to the same offset in another table (0.9-1.1 against
     * 0.42-0.49 ns a value on this EPYC).
     */
    private static final int STRIDE = 257;

    private final int bits;

    /** Codes a counted byte holds: {@code 8 / bits} when that divides a byte, else 1. */
    private final int perByte;

    private final int[] tables = new int[TABLES * STRIDE];

    /** Codes past the last whole byte of a range, and codes wider than a byte, one by one. */
    private final int[] singles;

    /** One code a byte, for widths that do not divide a byte. */
    private final byte[] keys;

    /** Counts for codes of {@code bits} bits, handed at most {@code chunkLength} codes at once. */
    CodeCounts(int bits, int chunkLength) {
        this.bits = bits;
        this.perByte = needsInts(bits) ? 1 : 8 / bits;
        this.singles = new int[1 << bits];
        this.keys = needsInts(bits) && bits < 8 ? new byte[chunkLength] : null;
    }

    /**
     * Whether {@link #add} reads the codes as ints for {@code bits}-bit codes: all but the widths
     * that divide a byte, which it counts from the packed bytes alone.
     */
    static boolean needsInts(int bits) {
        return bits > 8 || 8 % bits != 0;
    }

    /**
     * Counts {@code codes[0..length)}, which are also packed in {@code packed} from byte {@code
     * offset} on (at {@code bits} bits each, starting on a byte); {@code codes} may be null where
     * {@link #needsInts} is false.
     */
    void add(int[] codes, int length, byte[] packed, int offset) {
        if (bits > 8) {
            for (int i = 0; i < length; i++) {
                singles[codes[i]]++;
            }
            return;
        }
        if (keys != null) {
            CodeKernel.pack(codes, 0, length, 8, keys, 0);
            countBytes(keys, 0, length);
            return;
        }
        int whole = length / perByte;
        countBytes(packed, offset, whole);
        int rest = length - whole * perByte;
        if (rest > 0) {
            // The codes of a last, partly filled byte.
            int last = packed[offset + whole] & 0xFF;
            for (int k = 0; k < rest; k++) {
                singles[(last >>> (k * bits)) & ((1 << bits) - 1)]++;
            }
        }
    }

    /**
     * Counts {@code bytes[from..from+count)} into the tables in turn, unrolled by hand so that each
     * table's offset is a constant (0.30 against 0.37 ns a value with the table picked by {@code i
     * & 3}).
     */
    private void countBytes(byte[] bytes, int from, int count) {
        int i = from;
        int end = from + count;
        for (; i + TABLES <= end; i += TABLES) {
            tables[bytes[i] & 0xFF]++;
            tables[STRIDE + (bytes[i + 1] & 0xFF)]++;
            tables[2 * STRIDE + (bytes[i + 2] & 0xFF)]++;
            tables[3 * STRIDE + (bytes[i + 3] & 0xFF)]++;
            tables[4 * STRIDE + (bytes[i + 4] & 0xFF)]++;
            tables[5 * STRIDE + (bytes[i + 5] & 0xFF)]++;
            tables[6 * STRIDE + (bytes[i + 6] & 0xFF)]++;
            tables[7 * STRIDE + (bytes[i + 7] & 0xFF)]++;
        }
        for (; i < end; i++) {
            tables[bytes[i] & 0xFF]++;
        }
    }

    /** Adds these counts, each counted byte split into its codes, to {@code histogram}. */
    void addTo(long[] histogram) {
        long[] bytes = new long[256];
        for (int t = 0; t < TABLES; t++) {
            for (int b = 0; b < 256; b++) {
                bytes[b] += tables[t * STRIDE + b];
            }
        }
        int mask = (1 << bits) - 1;
        synchronized (histogram) {
            for (int b = 0; b < 256; b++) {
                for (int k = 0; k < perByte; k++) {
                    histogram[(b >>> (k * bits)) & mask] += bytes[b];
                }
            }
            for (int c = 0; c < singles.length; c++) {
                histogram[c] += singles[c];
            }
        }
    }
}
