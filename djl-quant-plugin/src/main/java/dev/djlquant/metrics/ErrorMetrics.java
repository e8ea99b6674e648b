package dev.djlquant.metrics;

import dev.djlquant.simd.ParallelBlocks;
import java.nio.FloatBuffer;

/**
 * How far restored values are from the originals, as sums in double so that metrics of several
 * tensors combine exactly: mean absolute and squared error, maximum absolute error and the
 * signal-to-quantization-noise ratio {@code 10*log10(sum x^2 / sum (x - x')^2)} in dB.
 */
public record ErrorMetrics(
        long count,
        double absErrorSum,
        double squaredErrorSum,
        double signalSum,
        double maxAbsError) {

    /** Values per block: blocks are measured in parallel and combined in order. */
    public static final int BLOCK = 1 << 16;

    private static final ThreadLocal<float[]> ORIGINALS =
            ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Compares {@code restored} with {@code original}, which must have the same length. Blocks of
     * 65,536 values are summed in parallel and combined in block order, so the result does not
     * depend on the thread count.
     *
     * @param original the original values
     * @param restored the restored values, as many
     * @return the metrics
     * @throws IllegalArgumentException if the lengths differ
     */
    public static ErrorMetrics between(float[] original, float[] restored) {
        return between(FloatBuffer.wrap(original), restored);
    }

    /**
     * As {@link #between(float[], float[])}, with the originals in a buffer (from index 0 to its
     * capacity), such as a view of an engine's tensor memory.
     *
     * @param original the original values; its position and limit are not used
     * @param restored the restored values, as many as the buffer's capacity
     * @return the metrics
     * @throws IllegalArgumentException if the buffer's capacity is not {@code restored.length}
     */
    public static ErrorMetrics between(FloatBuffer original, float[] restored) {
        if (original.capacity() != restored.length) {
            throw new IllegalArgumentException(
                    "Cannot compare " + original.capacity() + " values with " + restored.length);
        }
        int n = restored.length;
        ErrorMetrics[] blocks = new ErrorMetrics[(n + BLOCK - 1) / BLOCK];
        // Each block's sums go to its own slot and are added in block order once all are done, so
        // the doubles do not depend on which thread measured which block, or when.
        ParallelBlocks.forEach(
                n,
                BLOCK,
                (b, from, to) -> blocks[b] = ofBlock(original, from, restored, from, to - from));
        return combine(blocks);
    }

    /**
     * Compares {@code restored[at..at+count)} with {@code original[from..from+count)} as one block:
     * {@link #between} is the {@link #combine} of such blocks of {@link #BLOCK} values, so a caller
     * that restores block by block gets the same sums. Within a block, value {@code i} adds to the
     * sums of lane {@code i % 8} and the eight lanes are added in order (SIMD where the JVM has it,
     * the same doubles either way: {@link ErrorSums}). Originals outside a heap array (a view of an
     * engine's tensor memory) are first copied into a per-thread array.
     *
     * @param original the original values
     * @param from the index in {@code original} of the first value
     * @param restored the restored values
     * @param at the index in {@code restored} of the first value
     * @param count the number of values
     * @return the metrics of the block
     */
    public static ErrorMetrics ofBlock(
            FloatBuffer original, int from, float[] restored, int at, int count) {
        ErrorSums sums = new ErrorSums();
        if (original.hasArray()) {
            sums.add(original.array(), original.arrayOffset() + from, restored, at, count);
            return sums.toMetrics();
        }
        float[] copy = ORIGINALS.get();
        if (copy.length < count) {
            copy = new float[count];
            ORIGINALS.set(copy);
        }
        original.get(from, copy, 0, count);
        sums.add(copy, 0, restored, at, count);
        return sums.toMetrics();
    }

    /**
     * Combines blocks in order, from zero.
     *
     * @param blocks the metrics of consecutive blocks
     * @return their sum; all zeros for no blocks
     */
    public static ErrorMetrics combine(ErrorMetrics[] blocks) {
        ErrorMetrics total = new ErrorMetrics(0, 0, 0, 0, 0);
        for (ErrorMetrics block : blocks) {
            total = total.plus(block);
        }
        return total;
    }

    /**
     * Mean absolute error.
     *
     * @return the mean of {@code |x - x'|}, 0 for no values
     */
    public double mae() {
        return count == 0 ? 0 : absErrorSum / count;
    }

    /**
     * Mean squared error.
     *
     * @return the mean of {@code (x - x')^2}, 0 for no values
     */
    public double mse() {
        return count == 0 ? 0 : squaredErrorSum / count;
    }

    /**
     * SQNR in dB; positive infinity when restoration is exact.
     *
     * @return the SQNR in dB
     */
    public double sqnrDb() {
        return squaredErrorSum == 0
                ? Double.POSITIVE_INFINITY
                : 10 * Math.log10(signalSum / squaredErrorSum);
    }

    /**
     * Combines metrics of disjoint value sets, as if measured over their union.
     *
     * @param other the metrics of other values
     * @return the combined metrics; the maximum is the larger of the two
     */
    public ErrorMetrics plus(ErrorMetrics other) {
        return new ErrorMetrics(
                count + other.count,
                absErrorSum + other.absErrorSum,
                squaredErrorSum + other.squaredErrorSum,
                signalSum + other.signalSum,
                Math.max(maxAbsError, other.maxAbsError));
    }
}
