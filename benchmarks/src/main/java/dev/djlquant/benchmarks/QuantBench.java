package dev.djlquant.benchmarks;

import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizer;
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

/** djl-quant's own quantize and dequantize through the public API. */
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
public class QuantBench {

    @Param({
        "int8@row",
        "fp8e4m3@row",
        "dt8@row",
        "dt4@row",
        "dt3@row",
        "nf4@row",
        "nf4@block64",
        "nf4@block64+dq",
        "int8@tensor",
        "seedlinear8@tensor",
        "seedfp8@lastaxis",
        "seeddt8@lastaxis",
        "dt8@sorted4096"
    })
    public String spec;

    /** The schemes of {@link #spec}'s {@code @Param}, in order (an annotation holds the list). */
    static String[] specs() {
        try {
            return QuantBench.class.getField("spec").getAnnotation(Param.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    @Param({Weights.LARGE, Weights.SMALL})
    public String shape;

    private Quantizer quantizer;
    private long[] dims;
    private float[] values;
    private QuantizedTensor quantized;

    @Setup
    public void setUp() {
        quantizer = Quantizer.parse(spec);
        dims = Weights.shape(shape);
        values = Weights.forShape(dims);
        quantized = quantizer.quantize(values, dims);
    }

    @Benchmark
    public QuantizedTensor quantize() {
        return quantizer.quantize(values, dims);
    }

    @Benchmark
    public float[] dequantize() {
        return quantizer.dequantize(quantized);
    }
}
