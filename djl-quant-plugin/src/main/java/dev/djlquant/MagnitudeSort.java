package dev.djlquant;

import static dev.djlquant.GroupTasks.forEachPackedSegment;
import static dev.djlquant.GroupTasks.forEachTask;

import dev.djlquant.pack.BitPacker;
import dev.djlquant.pack.PackedValues;
import dev.djlquant.simd.ParallelBlocks;
import java.nio.FloatBuffer;

/**
 * The stable sort by magnitude behind {@code sortedN} groups, the gather/scatter it needs, and the
 * packed form in which the order is stored.
 *
 * <p>The order comes from a least-significant-digit radix sort of the 31-bit magnitudes (the float
 * bits without the sign, which order like the magnitudes), three passes of 11 bits that each keep
 * the order of equal digits, so equal magnitudes stay in index order. Each pass counts digits per
 * block of values and scatters the blocks in parallel. Measured on 37.7M weights: about 0.5 s of
 * CPU against 3.9 s for sorting (magnitude, index) longs with {@code Arrays.parallelSort}.
 */
final class MagnitudeSort {

    private static final int DIGIT_BITS = 11;
    private static final int RADIX = 1 << DIGIT_BITS;
    private static final int KEY_BITS = 31;
    private static final int BLOCK = 1 << 18;

    private MagnitudeSort() {}

    /**
     * Returns {@code order} with {@code values[order[j]]} ascending in {@code |x|}, equal
     * magnitudes in index order. Rejects NaN and infinities first, since they have no place in the
     * order.
     */
    static int[] stableOrder(float[] values, String name) {
        int n = values.length;
        int[] magnitudes = new int[n];
        int[] identity = new int[n];
        boolean[] finite = new boolean[blocks(n)];
        ParallelBlocks.forEach(
                n,
                BLOCK,
                (b, from, to) -> {
                    boolean ok = true;
                    for (int i = from; i < to; i++) {
                        int abs = Float.floatToRawIntBits(values[i]) & 0x7FFFFFFF;
                        magnitudes[i] = abs;
                        identity[i] = i;
                        ok &= abs < 0x7F800000;
                    }
                    finite[b] = ok;
                });
        for (boolean ok : finite) {
            if (!ok) {
                throw GroupScales.nonFinite(FloatBuffer.wrap(values), name);
            }
        }
        int[] keys = magnitudes;
        int[] order = identity;
        int[] keysOut = new int[n];
        int[] orderOut = new int[n];
        for (int shift = 0; shift < KEY_BITS; shift += DIGIT_BITS) {
            if (pass(keys, order, keysOut, orderOut, shift)) {
                int[] t = keys;
                keys = keysOut;
                keysOut = t;
                t = order;
                order = orderOut;
                orderOut = t;
            }
        }
        return order;
    }

    /**
     * Moves {@code (keys, order)} into {@code (keysOut, orderOut)} stably by the digit at {@code
     * shift}; returns false, moving nothing, when every key has the same digit there.
     */
    private static boolean pass(int[] keys, int[] order, int[] keysOut, int[] orderOut, int shift) {
        int n = keys.length;
        int blocks = blocks(n);
        int[][] counts = new int[blocks][];
        ParallelBlocks.forEach(
                n,
                BLOCK,
                (b, from, to) -> {
                    int[] c = new int[RADIX];
                    for (int i = from; i < to; i++) {
                        c[(keys[i] >>> shift) & (RADIX - 1)]++;
                    }
                    counts[b] = c;
                });
        // Block b's values with digit d go after all smaller digits and after blocks < b.
        long used = 0;
        int next = 0;
        for (int d = 0; d < RADIX; d++) {
            int total = 0;
            for (int b = 0; b < blocks; b++) {
                int c = counts[b][d];
                counts[b][d] = next + total;
                total += c;
            }
            next += total;
            used += total == 0 ? 0 : 1;
        }
        if (used <= 1) {
            return false;
        }
        ParallelBlocks.forEach(
                n,
                BLOCK,
                (b, from, to) -> {
                    int[] at = counts[b];
                    for (int i = from; i < to; i++) {
                        int slot = at[(keys[i] >>> shift) & (RADIX - 1)]++;
                        keysOut[slot] = keys[i];
                        orderOut[slot] = order[i];
                    }
                });
        return true;
    }

    /** Returns {@code values[order[j]]} for each j. */
    static float[] gather(float[] values, int[] order) {
        float[] out = new float[order.length];
        ParallelBlocks.forEach(
                order.length,
                BLOCK,
                (b, from, to) -> {
                    for (int j = from; j < to; j++) {
                        out[j] = values[order[j]];
                    }
                });
        return out;
    }

    /** Returns the array {@code out} with {@code out[order[j]] = sorted[j]}. */
    static float[] scatter(float[] sorted, int[] order) {
        float[] out = new float[sorted.length];
        ParallelBlocks.forEach(
                sorted.length,
                BLOCK,
                (b, from, to) -> {
                    for (int j = from; j < to; j++) {
                        out[order[j]] = sorted[j];
                    }
                });
        return out;
    }

    /**
     * Packs a permutation of {@code order.length} positions at the fewest bits that index them
     * ({@link BitPacker#indexBits}), as {@code sortedN} stores it.
     */
    static PackedValues pack(int[] order) {
        int bits = BitPacker.indexBits(order.length);
        PackedValues packed = PackedValues.allocate(order.length, bits);
        forEachTask(
                order.length,
                (from, to) ->
                        forEachPackedSegment(
                                from,
                                to,
                                (run, end) ->
                                        BitPacker.pack(
                                                order,
                                                run,
                                                end - run,
                                                bits,
                                                packed.segmentOf(run),
                                                packed.byteOffsetOf(run))));
        return packed;
    }

    /** Unpacks a permutation packed by {@link #pack}. */
    static int[] unpack(PackedValues packed) {
        int[] out = new int[(int) packed.count()];
        forEachTask(
                out.length,
                (from, to) ->
                        forEachPackedSegment(
                                from,
                                to,
                                (run, end) ->
                                        BitPacker.unpack(
                                                packed.segmentOf(run),
                                                packed.byteOffsetOf(run),
                                                packed.bits(),
                                                out,
                                                run,
                                                end - run)));
        return out;
    }

    private static int blocks(int n) {
        return (n + BLOCK - 1) / BLOCK;
    }
}
