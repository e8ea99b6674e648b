package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * The study's functions on inputs outside the common case: an array on another device than its
 * manager's, float16 and float64 inputs, and stable-embedding parts that do not fit together.
 * Expected values are worked out by hand from DESIGN section 3.
 */
class QuantizationEdgeTest extends ManagerPerTest {

    @Test
    void outputsAreCreatedOnTheInputsDeviceAndAttachedToItsManager() {
        // A CPU array attached to a manager whose device is a GPU: the input's own device is
        // available, so the results must be made there (the GPU does not exist on this machine).
        try (NDManager gpuManager = NDManager.newBaseManager(Device.gpu())) {
            NDArray x = manager.create(new float[] {0.5f, -0.25f, 1f, 0.125f}, new Shape(2, 2));
            x.attach(gpuManager);

            Quantization.Quantized rows = Quantization.quantizeRowwise(x, true);
            // Row maxima 0.5 and 1; y = 1, -0.5 | 1, 0.125; seeddt8 keeps 7 bits of 1: 127/128.
            assertThat(rows.values().getDevice()).isEqualTo(x.getDevice());
            assertThat(rows.values().getManager()).isSameAs(gpuManager);
            assertThat(rows.maxes().getManager()).isSameAs(gpuManager);
            assertThat(rows.values().toFloatArray())
                    .containsExactly(0.9921875f, -0.5f, 0.9921875f, 0.125f);
            assertThat(rows.maxes().toFloatArray()).containsExactly(0.5f, 1f);

            Quantization.Quantized sorted = Quantization.quantizeStableEmbedding(x, 2, true);
            // |x| ascending: 0.125 (3), 0.25 (1), 0.5 (0), 1 (2); groups {0.125, -0.25} with
            // max 0.25 and {0.5, 1} with max 1.
            assertThat(sorted.indexing().getDevice()).isEqualTo(x.getDevice());
            assertThat(sorted.indexing().getManager()).isSameAs(gpuManager);
            assertThat(sorted.indexing().toLongArray()).containsExactly(3, 1, 0, 2);
            assertThat(sorted.values().toFloatArray())
                    .containsExactly(0.5f, -0.9921875f, 0.5f, 0.9921875f);
            assertThat(sorted.maxes().toFloatArray()).containsExactly(0.25f, 1f);

            NDArray back = Quantization.dequantizeStableEmbedding(sorted);
            assertThat(back.getDevice()).isEqualTo(x.getDevice());
            assertThat(back.getManager()).isSameAs(gpuManager);
            assertThat(back.toFloatArray())
                    .containsExactly(0.5f, -0.248046875f, 0.9921875f, 0.125f);
        }
    }

    @Test
    void leavesOnlyItsResultsInTheInputsManager() {
        try (NDManager sub = manager.newSubManager()) {
            NDArray x =
                    sub.create(new float[] {0.5f, -0.25f, 1f, 0.125f}, new Shape(2, 2))
                            .toType(DataType.FLOAT16, true);
            int before = sub.getManagedArrays().size();
            Quantization.Quantized rows = Quantization.quantizeRowwise(x, false);
            assertThat(sub.getManagedArrays().size() - before).isEqualTo(2); // values, maxes

            Quantization.Quantized sorted = Quantization.quantizeStableEmbedding(x, 2, false);
            NDArray order = sorted.indexing().toType(DataType.INT32, true);
            before = sub.getManagedArrays().size();
            Quantization.dequantizeStableEmbedding(sorted.values(), sorted.maxes(), order, 2);
            assertThat(sub.getManagedArrays().size() - before).isEqualTo(1);

            NDArray y = Quantization.dequantizeRowwise(rows.values(), rows.maxes());
            before = sub.getManagedArrays().size();
            Quantization.measureQuantizationError(x, y);
            assertThat(sub.getManagedArrays().size() - before).isEqualTo(1); // |diff|
        }
    }

    @Test
    void measuresTheErrorOfFloat64ArraysInFloat64() {
        NDArray original = manager.create(new double[] {0.1, 0.3});
        NDArray other = manager.create(new double[] {0.0, 0.3});
        Quantization.QuantizationError e = Quantization.measureQuantizationError(original, other);
        // |0.1 - 0| + |0.3 - 0.3| = 0.1 exactly in double; halving is exact.
        assertThat(e.mae()).isEqualTo(0.05);
        assertThat(e.absoluteDifference().getDataType()).isEqualTo(DataType.FLOAT64);
        assertThat(e.absoluteDifference().toDoubleArray()).containsExactly(0.1, 0.0);
    }

    @Test
    void rowMaximaOfAnotherShapeAreRefusedWithBothShapes() {
        NDArray x = manager.create(new float[] {0.5f, -0.25f, 1f, 0.125f, 2f, 3f}, new Shape(2, 3));
        Quantization.Quantized q = Quantization.quantizeRowwise(x, true);
        NDArray wrong = manager.create(new float[] {1f, 2f, 3f, 4f}, new Shape(4, 1));
        assertThatThrownBy(() -> Quantization.dequantizeRowwise(q.values(), wrong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Row maxima of shape (4, 1)")
                .hasMessageContaining("values of shape (2, 3)");
    }

    @Test
    void refusesStableEmbeddingPartsThatDoNotFit() {
        NDArray x = manager.create(new float[] {0.5f, -0.25f, 1f, 0.125f});
        Quantization.Quantized q = Quantization.quantizeStableEmbedding(x, 2, true);
        NDArray values = q.values();
        NDArray maxes = q.maxes();
        assertThatThrownBy(
                        () ->
                                Quantization.dequantizeStableEmbedding(
                                        values, maxes, manager.create(new long[] {3, 3, 0, 2})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a permutation")
                .hasMessageContaining("repeated index 3 at position 1");
        assertThatThrownBy(
                        () ->
                                Quantization.dequantizeStableEmbedding(
                                        values, maxes, manager.create(new long[] {3, 1, 0, 4})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range index 4 at position 3");
        assertThatThrownBy(
                        () ->
                                Quantization.dequantizeStableEmbedding(
                                        values, maxes, q.indexing(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1, got 0");
        assertThatThrownBy(
                        () ->
                                Quantization.dequantizeStableEmbedding(
                                        values, manager.create(new float[0]), q.indexing()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxes are empty");
        assertThatThrownBy(() -> Quantization.quantizeStableEmbedding(x, 0, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize must be 1..")
                .hasMessageContaining("got 0")
                .hasMessageNotContaining("spec");
        NDArray empty =
                Quantization.dequantizeStableEmbedding(
                        manager.create(new float[0]),
                        manager.create(new float[0]),
                        manager.create(new long[0]));
        assertThat(empty.size()).isZero();
    }
}
