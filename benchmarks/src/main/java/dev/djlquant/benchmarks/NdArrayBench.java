package dev.djlquant.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizer;
import dev.djlquant.format.Fp8Format;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * The baseline: {@link NdComposition} on the PyTorch engine. {@code *Resident} starts from arrays
 * already in native memory and leaves the result there; {@code *WithTransfer} starts from the Java
 * arrays djl-quant takes ({@code float[]} weights, or {@code byte[]} codes and {@code float[]}
 * scales) and copies the result back to Java arrays, as a caller holding Java arrays must.
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
public class NdArrayBench {

    @Param({
        "int8@row",
        "fp8e4m3@row",
        "dt8@row",
        "dt4@row",
        "dt3@row",
        "int8@tensor",
        "seedlinear8@tensor"
    })
    public String spec;

    @Param({Weights.LARGE})
    public String shape;

    private NDManager manager;
    private NdComposition composition;
    private float[] values;
    private Shape dims;
    private NDArray weights;
    private NDArray codes;
    private NDArray scales;
    private byte[] codeBytes;
    private float[] scaleValues;

    @Setup
    public void setUp() {
        manager = Engine.getEngine("PyTorch").newBaseManager();
        composition = NdComposition.of(spec, manager);
        long[] longDims = Weights.shape(shape);
        dims = new Shape(longDims);
        values = Weights.forShape(longDims);
        weights = manager.create(values, dims);
        NDList quantized = composition.quantize(weights);
        scales = quantized.get(1);
        if (composition.kind() == NdComposition.Kind.FP8) {
            // The composition's FP8 "codes" are float32; dequantize takes real 8-bit codes.
            quantized.get(0).close();
            codeBytes = fp8Codes(values, longDims, spec);
            codes = manager.create(ByteBuffer.wrap(codeBytes), dims, DataType.UINT8);
        } else {
            codes = quantized.get(0);
            codeBytes = codes.toByteArray();
        }
        scaleValues = scales.toFloatArray();
    }

    /** One FP8 code per value from djl-quant's own scales. */
    static byte[] fp8Codes(float[] values, long[] dims, String spec) {
        QuantizedTensor t = Quantizer.parse(spec).quantize(values, dims);
        float[] s = t.scales();
        int groupLength = t.groupLength();
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            float scale = s[i / groupLength];
            out[i] = scale == 0f ? 0 : Fp8Format.E4M3.encode(values[i] / scale);
        }
        return out;
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public long quantizeResident() {
        try (NDManager scope = manager.newSubManager()) {
            weights.tempAttach(scope);
            NDList out = composition.quantize(weights);
            return out.get(0).size() + out.get(1).size();
        }
    }

    @Benchmark
    public Object[] quantizeWithTransfer() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(values, dims);
            NDList out = composition.quantize(x);
            return new Object[] {out.get(0).toByteArray(), out.get(1).toFloatArray()};
        }
    }

    @Benchmark
    public long dequantizeResident() {
        try (NDManager scope = manager.newSubManager()) {
            codes.tempAttach(scope);
            scales.tempAttach(scope);
            return composition.dequantize(codes, scales).size();
        }
    }

    @Benchmark
    public float[] dequantizeWithTransfer() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray c = scope.create(ByteBuffer.wrap(codeBytes), dims, composition.codeType());
            NDArray s = scope.create(scaleValues, scales.getShape());
            return composition.dequantize(c, s).toFloatArray();
        }
    }
}
