package dev.djlquant.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Wall and CPU time of repeated runs of an operation, each on freshly prepared state: the median
 * and the best of the timed runs. CPU time is the whole process's (Java, GC and PyTorch's native
 * threads), so it shows the work done even when other processes hold the cores. Its resolution is
 * the kernel's clock tick (the JDK reads it with {@code times()}: 10 ms steps on Linux), so for
 * runs of a few tens of milliseconds the median CPU figure is a multiple of 10 ms and only a rough
 * guide; no ratio or verdict uses it.
 */
record Timing(double medianMs, double bestMs, double medianCpuMs, int repetitions) {

    /** One prepared run: {@link #run()} is timed, {@link #close()} (clean-up) is not. */
    interface Run extends AutoCloseable {
        void run() throws Exception;

        /** A run of {@code action} on state that needs no clean-up. */
        static Run of(Runnable action) {
            return new Run() {
                @Override
                public void run() {
                    action.run();
                }

                @Override
                public void close() {}
            };
        }
    }

    private static final long ORDER_SEED = 20261207L;

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /**
     * Times several operations in turns, {@code warmup} untimed rounds then {@code repetitions}
     * timed ones, each round running every operation once on freshly prepared (untimed) state, in
     * an order shuffled anew each round (the same orders in every run). Interleaving puts the
     * operations being compared under the same machine load; shuffling keeps a pause that recurs at
     * the same point of every round, such as a young collection after each round's same
     * allocations, from landing in one operation's every run: in a fixed order it made a VGG16
     * {@code int8@row} SIMULATE apply's median 89.7 ms in one JVM against 25.1 ms in the next.
     */
    static List<Timing> interleaved(int warmup, int repetitions, List<Callable<Run>> operations)
            throws Exception {
        if (repetitions < 1) {
            throw new IllegalArgumentException("repetitions must be at least 1");
        }
        double[][] wall = new double[operations.size()][repetitions];
        double[][] cpu = new double[operations.size()][repetitions];
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < operations.size(); k++) {
            order.add(k);
        }
        Random shuffling = new Random(ORDER_SEED);
        for (int i = -warmup; i < repetitions; i++) {
            Collections.shuffle(order, shuffling);
            for (int k : order) {
                try (Run run = operations.get(k).call()) {
                    long cpu0 = OS.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    run.run();
                    long t1 = System.nanoTime();
                    long cpu1 = OS.getProcessCpuTime();
                    if (i >= 0) {
                        wall[k][i] = (t1 - t0) / 1e6;
                        cpu[k][i] = (cpu1 - cpu0) / 1e6;
                    }
                }
            }
        }
        List<Timing> timings = new ArrayList<>();
        for (int k = 0; k < operations.size(); k++) {
            timings.add(
                    new Timing(
                            median(wall[k]),
                            Arrays.stream(wall[k]).min().orElseThrow(),
                            median(cpu[k]),
                            repetitions));
        }
        return timings;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "median %s ms (best %s, CPU %s, n=%d)",
                CompareRunner.fmt(medianMs),
                CompareRunner.fmt(bestMs),
                CompareRunner.fmt(medianCpuMs),
                repetitions);
    }
}
