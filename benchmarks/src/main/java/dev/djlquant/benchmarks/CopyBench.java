package dev.djlquant.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The memory-bound limit: one {@code System.arraycopy} of the same float[] into a preallocated
 * array (reads and writes every value once, single thread, no allocation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {
            Weights.HEAP_MIN,
            Weights.HEAP_MAX,
            Weights.PRE_TOUCH,
            Weights.OFFLINE,
            Weights.QUIET
        })
public class CopyBench {

    @Param({Weights.LARGE, Weights.SMALL})
    public String shape;

    private float[] values;
    private float[] target;

    @Setup
    public void setUp() {
        values = Weights.forShape(Weights.shape(shape));
        target = new float[values.length];
    }

    @Benchmark
    public float[] arraycopy() {
        System.arraycopy(values, 0, target, 0, values.length);
        return target;
    }
}
