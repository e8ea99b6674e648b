package dev.djlquant;

import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.pack.PackedValues;
import dev.djlquant.simd.ParallelBlocks;
import java.util.concurrent.ForkJoinPool;

/**
 * How the group kernels split a tensor's values: into parallel tasks of whole chunks, into runs
 * inside one group, and into runs inside one segment of packed codes. Small tensors stay on the
 * calling thread.
 */
final class GroupTasks {

    /**
     * Values per buffered chunk; a multiple of 8 so packed chunks start on byte boundaries, and a
     * divisor of {@link PackedValues#SEGMENT_VALUES} so they stay inside one segment.
     */
    static final int CHUNK = 1 << 12;

    /** Most values per parallel task, whole chunks that share one set of buffers. */
    static final int TASK = 128 * CHUNK;

    private GroupTasks() {}

    /** Work on the values {@code [from, to)}. */
    interface Range {
        void run(int from, int to);
    }

    /** Work on the values {@code [from, to)}, all in group {@code group}. */
    interface GroupRun {
        void run(int from, int to, int group);
    }

    /** Groups of {@code groupLength} that {@code n} values make, the last one possibly short. */
    static int groupCount(long n, int groupLength) {
        return (int) ((n + groupLength - 1) / groupLength);
    }

    /** Runs {@code work} on consecutive ranges of whole chunks, in parallel for large {@code n}. */
    static void forEachTask(int n, Range work) {
        forEachTask(0, n, work);
    }

    /** {@link #forEachTask(int, Range)} over the positions {@code [first, first + count)}. */
    static void forEachTask(int first, int count, Range work) {
        try {
            ParallelBlocks.forEach(
                    count, taskLength(count), (t, from, to) -> work.run(first + from, first + to));
        } catch (IllegalArgumentException e) {
            // Bad input found on a pool thread comes back as a copy whose message is the
            // original's toString(): rethrow the original, whose message is the one to read.
            throw e.getCause() instanceof IllegalArgumentException original ? original : e;
        }
    }

    /**
     * Values per task over {@code count} values: whole {@link ErrorMetrics#BLOCK}s (so that a task
     * measures whole blocks), one task up to {@link #TASK} values, and above that as many tasks as
     * a multiple of the threads that run them (the common pool's and the caller), so that no thread
     * is left with one long task more than the others at the end: VGG16's 2.36M-value convolution
     * weights made 5 tasks for 2 threads, its 590K-value ones a task of 512K and one of 78K.
     * (Splitting single tasks too slowed VGG16's batch-1 forward, whose restores then handed small
     * tasks to a core that libtorch's OpenMP worker was spinning on.)
     */
    private static int taskLength(int count) {
        int tasks = groupCount(count, TASK);
        if (tasks <= 1) {
            return TASK;
        }
        int threads = ForkJoinPool.getCommonPoolParallelism() + 1;
        tasks = groupCount(tasks, threads) * threads;
        long blocks = groupCount(groupCount(count, tasks), ErrorMetrics.BLOCK);
        return (int) Math.min(TASK, blocks * ErrorMetrics.BLOCK);
    }

    /** Splits {@code [from, to)} at the boundaries of groups of {@code groupLength} values. */
    static void forEachGroupRun(int from, int to, int groupLength, GroupRun work) {
        for (int i = from; i < to; ) {
            int g = i / groupLength;
            int end = (int) Math.min(to, (long) (g + 1) * groupLength);
            work.run(i, end, g);
            i = end;
        }
    }

    /**
     * Splits {@code [from, to)} at {@link PackedValues#SEGMENT_VALUES} boundaries, so that no
     * packed run crosses from one segment into the next. Not {@link #forEachGroupRun} at the
     * segment length: through that shared loop, whose callers pass several lambdas, the decode
     * kernels' call site no longer inlined, and dequantizing 4096 x 9216 at {@code dt3@row} took 56
     * ms against 10 (the restores and the report's error measurement slowed alike).
     */
    static void forEachPackedSegment(int from, int to, Range work) {
        for (int run = from; run < to; ) {
            int end =
                    (int)
                            Math.min(
                                    to,
                                    (run / PackedValues.SEGMENT_VALUES + 1L)
                                            * PackedValues.SEGMENT_VALUES);
            work.run(run, end);
            run = end;
        }
    }
}
