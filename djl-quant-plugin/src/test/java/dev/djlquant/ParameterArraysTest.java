package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Moving values through the engine's memory, and the fallbacks when it is not plain memory. */
class ParameterArraysTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private Parameter parameter(NDArray values) {
        Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
        p.setArray(values);
        return p;
    }

    @Test
    void contiguousParametersAreReadAndWrittenInRowMajorOrder() {
        Parameter p = parameter(manager.arange(12f).reshape(3, 4));
        assertThat(ParameterArrays.read("w", p))
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        float[] values = {5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5, -6};
        ParameterArrays.write("w", p, values, true);
        assertThat(p.getArray().toFloatArray()).containsExactly(values);
        assertThat(p.getArray().getShape()).isEqualTo(new Shape(3, 4));
    }

    /** A transposed array is not contiguous: its memory view is a copy, so the write falls back. */
    @Test
    void nonContiguousParametersStillGetTheirValues() {
        NDArray transposed = manager.arange(12f).reshape(3, 4).transpose();
        Parameter p = parameter(transposed);
        // Row-major order of the transposed (4 x 3) array.
        assertThat(ParameterArrays.read("w", p))
                .containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
        float[] values = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        ParameterArrays.write("w", p, values, true);
        assertThat(p.getArray().toFloatArray()).containsExactly(values);
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
}
