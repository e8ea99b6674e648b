package dev.djlquant.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports {@code cpu}: CPU time per operation summed over all Java threads of the benchmark JVM
 * (the measuring thread and the fork-join workers that run the parallel kernel). Unlike wall time
 * it barely moves when other processes compete for the cores, so it shows what an operation costs
 * when wall times are noisy. GC threads and native (PyTorch) threads are not Java threads and are
 * not counted: use it for djl-quant and arraycopy only.
 */
public final class CpuTimeProfiler implements InternalProfiler {

    /** The label of the secondary result. */
    public static final String LABEL = "cpu";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private long start;

    @Override
    public String getDescription() {
        return "CPU time of all Java threads per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
        start = cpuNanos();
    }

    @Override
    public Collection<? extends Result> afterIteration(
            BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
        long cpu = cpuNanos() - start;
        long ops = Math.max(1, result.getMetadata().getMeasuredOps());
        return List.of(new ScalarResult(LABEL, cpu / 1e6 / ops, "ms/op", AggregationPolicy.AVG));
    }

    private static long cpuNanos() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }
}
