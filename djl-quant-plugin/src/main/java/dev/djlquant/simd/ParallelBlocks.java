package dev.djlquant.simd;

import java.util.stream.IntStream;

/**
 * Runs work over {@code [0, count)} in consecutive blocks of {@code blockLength}, in parallel from
 * {@link #SEQUENTIAL_BELOW} values. Boundaries depend only on {@code count} and {@code
 * blockLength}, never on threads; blocks run in no set order, so results are kept per block and
 * combined after.
 */
public final class ParallelBlocks {

    /**
     * Work on fewer values than this (256 KB of float32) runs on the calling thread: small tensors,
     * such as biases and norm parameters, would spend more on handing blocks to the pool than on
     * the work itself.
     */
    public static final int SEQUENTIAL_BELOW = 1 << 16;

    /** Work on block {@code index}, the items {@code [from, to)}. */
    @FunctionalInterface
    public interface Block {
        /**
         * Works on one block.
         *
         * @param index the block's index, from 0
         * @param from the first item of the block
         * @param to the item after the block's last
         */
        void run(int index, int from, int to);
    }

    private ParallelBlocks() {}

    /**
     * {@link #forEach(int, int, long, Block)} where the items are the values themselves.
     *
     * @param count the number of values, non-negative
     * @param blockLength the values per block, at least 1
     * @param work runs once per block; an exception it throws is rethrown here
     */
    public static void forEach(int count, int blockLength, Block work) {
        forEach(count, blockLength, count, work);
    }

    /**
     * Runs {@code work} on every block {@code [b * blockLength, min(count, (b + 1) * blockLength))}
     * of the items {@code [0, count)} (values, rows or groups), which hold {@code values} values in
     * all. The blocks run on a parallel stream: in the common fork-join pool, the calling thread
     * taking part. Fewer than {@link #SEQUENTIAL_BELOW} values, or a single block, run on the
     * calling thread (where a parallel stream would run a single block anyway).
     *
     * @param count the number of items, non-negative; none runs no block
     * @param blockLength the items per block, at least 1
     * @param values the number of values the items hold, which decides whether to run in parallel
     * @param work runs once per block; an exception it throws is rethrown here
     */
    public static void forEach(int count, int blockLength, long values, Block work) {
        int blocks = (int) ((count + (long) blockLength - 1) / blockLength);
        IntStream indices = IntStream.range(0, blocks);
        (values < SEQUENTIAL_BELOW || blocks < 2 ? indices : indices.parallel())
                .forEach(
                        b ->
                                work.run(
                                        b,
                                        b * blockLength,
                                        (int) Math.min(count, (long) (b + 1) * blockLength)));
    }
}
