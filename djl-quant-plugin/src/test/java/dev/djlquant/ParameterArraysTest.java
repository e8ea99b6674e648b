package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.lang.reflect.Proxy;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** Moving values through the engine's memory, and the fallbacks when it is not plain memory. */
class ParameterArraysTest extends ManagerPerTest {

    private Parameter parameter(NDArray values) {
        Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
        p.setArray(values);
        return p;
    }

    private static float[] read(Parameter p) {
        FloatBuffer values = ParameterArrays.values("w", p);
        float[] out = new float[values.capacity()];
        values.get(0, out);
        return out;
    }

    @Test
    void contiguousParametersAreReadAndWrittenInRowMajorOrder() {
        Parameter p = parameter(manager.arange(12f).reshape(3, 4));
        assertThat(read(p)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        float[] values = {5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5, -6};
        ParameterArrays.write("w", p, values);
        assertThat(p.getArray().toFloatArray()).containsExactly(values);
        assertThat(p.getArray().getShape()).isEqualTo(new Shape(3, 4));
    }

    @Test
    void float64ValuesBeyondFloat32AreNamedAsTheyWere() {
        double[] values = {1, -2, 3, 1e300, 5, 6};
        Parameter p = parameter(manager.create(values, new Shape(2, 3)));
        assertThatThrownBy(() -> read(p))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "w: value 1.0E300 at flat index 3 is beyond float32's range (largest "
                                + Float.MAX_VALUE
                                + ")");
        // Within range, float64 values are read rounded to float32.
        values[3] = 0.1;
        assertThat(read(parameter(manager.create(values, new Shape(2, 3)))))
                .containsExactly(1, -2, 3, 0.1f, 5, 6);
    }

    /** The memory view is the parameter's memory: what goes in is what the engine sees. */
    @Test
    void contiguousFloat32ParametersExposeTheirMemoryUnchanged() {
        Parameter p = parameter(manager.arange(12f).reshape(3, 4));
        FloatBuffer memory = ParameterArrays.memoryOf(p);
        assertThat(memory).isNotNull();
        // Finding out left the values as they were.
        assertThat(p.getArray().toFloatArray())
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        memory.put(0, new float[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -2});
        assertThat(p.getArray().toFloatArray())
                .containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -2);
    }

    /**
     * A transposed array is not contiguous: its view is a copy, so it has no memory to write, and
     * neither has a float16 one; the engine path still writes them.
     */
    @Test
    void nonContiguousAndFloat16ParametersAreWrittenThroughTheEngine() {
        Parameter transposed = parameter(manager.arange(12f).reshape(3, 4).transpose());
        // Row-major order of the transposed (4 x 3) array.
        assertThat(read(transposed)).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
        assertThat(ParameterArrays.memoryOf(transposed)).isNull();
        float[] values = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        ParameterArrays.write("w", transposed, values);
        assertThat(transposed.getArray().toFloatArray()).containsExactly(values);

        Parameter half = parameter(manager.arange(4f).toType(DataType.FLOAT16, false));
        assertThat(ParameterArrays.memoryOf(half)).isNull();
        ParameterArrays.write("w", half, new float[] {0.5f, 1.5f, 2.5f, -3f});
        assertThat(read(half)).containsExactly(0.5f, 1.5f, 2.5f, -3f);
    }

    @Test
    void newArraysHoldWhatTheFillerWrote() {
        NDArray array =
                ParameterArrays.create(
                        manager,
                        new Shape(2, 3),
                        buffer -> buffer.put(0, new float[] {1, 2, 3, 4, 5, 6}));
        assertThat(array.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(array.getShape()).isEqualTo(new Shape(2, 3));
        assertThat(array.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    /** Integer weights are refused by name and type, before anything is read or written. */
    @Test
    void integerParametersAreRefusedNamingTheirType() {
        Parameter integers =
                parameter(manager.arange(6f).reshape(2, 3).toType(DataType.INT32, false));
        assertThatThrownBy(() -> ParameterArrays.values("fc.weight", integers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fc.weight")
                .hasMessageContaining("INT32");
    }

    /**
     * A bfloat16 weight is refused before any conversion to or from it (converting to bfloat16
     * aborts the JVM in this DJL build). The array is a stand-in that only reports its type and
     * shape: a real one cannot be made without that conversion.
     */
    @Test
    void bfloat16ParametersAreRefusedBeforeAnyConversion() {
        NDArray bf16 =
                (NDArray)
                        Proxy.newProxyInstance(
                                NDArray.class.getClassLoader(),
                                new Class<?>[] {NDArray.class},
                                (proxy, method, args) ->
                                        switch (method.getName()) {
                                            case "getDataType" -> DataType.BFLOAT16;
                                            case "getShape" -> new Shape(2, 3);
                                            case "isReleased" -> false;
                                            default -> null;
                                        });
        Parameter weight = parameter(bf16);
        QuantizedTensor t = Quantizer.parse("int8@row").quantize(new float[6], new long[] {2, 3});
        assertThatThrownBy(() -> Quantizers.restoreInto(weight, t))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BFLOAT16");
        assertThatThrownBy(() -> ParameterArrays.values("fc.weight", weight))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fc.weight")
                .hasMessageContaining("BFLOAT16");
    }
}
