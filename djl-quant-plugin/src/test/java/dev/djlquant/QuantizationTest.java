package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.djlquant.format.SeedArithmetic;
import dev.djlquant.metrics.ErrorMetrics;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QuantizationTest extends ManagerPerTest {

    private NDArray weights(long... shape) {
        int n = (int) new Shape(shape).size();
        return manager.create(
                QuantizerTest.randomWeights(new SplittableRandom(n), n), new Shape(shape));
    }

    @Test
    void scalarRoundingUsesTheStudyDefaults() {
        // 0.3 = 1.2 * 2^-2: E4M3 truncates 1.2 to 1.125; E5M2 to 1.0. In the top decade seeddt8
        // keeps 7 fraction bits: floor(0.3 * 128) / 128 = 38 / 128, at 3 bits too. One decade
        // down (0.05) keeps 8 - 2 - 1 = 5 bits, 0.5 * 0.1; at 3 bits, none: zero.
        assertThat(Quantization.roundFp8(0.3f)).isEqualTo(1.125f * 0.25f);
        assertThat(Quantization.roundFp8(0.3f, 5)).isEqualTo(0.25f);
        assertThat(Quantization.roundDt8(0.3f)).isEqualTo(38f / 128);
        assertThat(Quantization.roundDt8(0.3f, 3)).isEqualTo(38f / 128);
        assertThat(Quantization.roundDt8(0.05f, 3)).isZero();
        assertThat(Quantization.roundDt8(0.05f)).isEqualTo((float) (0.5 * 0.1));
    }

    @Test
    void float64ValuesBeyondFloat32AreNamedAsTheyWere() {
        NDArray x = manager.create(new double[] {1, -2, 3, 1e300}, new Shape(2, 2));
        assertThatThrownBy(() -> Quantization.quantizeRowwise(x, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "input: value 1.0E300 at flat index 3 is beyond float32's range (largest "
                                + Float.MAX_VALUE
                                + ")");
    }

    @Test
    void rowwiseUsesTheStudyArithmeticPerRunOfTheLastAxis() {
        NDArray x = weights(4, 3, 5);
        float[] values = x.toFloatArray();
        for (boolean dt : new boolean[] {false, true}) {
            Quantization.Quantized q = Quantization.quantizeRowwise(x, dt);
            assertThat(q.values().getShape()).isEqualTo(x.getShape());
            assertThat(q.maxes().getShape()).isEqualTo(new Shape(4, 3, 1));
            assertThat(q.indexing()).isNull();
            // Row maxima are the absolute maxima of each run of 5.
            float[] maxes = q.maxes().toFloatArray();
            for (int r = 0; r < 12; r++) {
                float a = 0;
                for (int j = 0; j < 5; j++) {
                    a = Math.max(a, Math.abs(values[r * 5 + j]));
                }
                assertThat(maxes[r]).isEqualTo(a);
            }
            float[] normalized = q.values().toFloatArray();
            float[] restored = Quantization.dequantizeRowwise(q.values(), q.maxes()).toFloatArray();
            for (int i = 0; i < values.length; i++) {
                float y = values[i] / maxes[i / 5];
                float expected = dt ? SeedArithmetic.roundDt(y, 8) : SeedArithmetic.roundFp8(y, 4);
                assertThat(normalized[i]).isEqualTo(expected);
                assertThat(restored[i]).isEqualTo(expected * maxes[i / 5]);
            }
            assertThat(q.exponents() != null).isEqualTo(dt);
        }
    }

    @Test
    void rowwiseWithAQuantizerBroadcastsItsScales() {
        NDArray x = weights(6, 2, 3, 3);
        Quantization.Quantized q = Quantization.quantizeRowwise(x, Quantizer.parse("int4@row"));
        assertThat(q.maxes().getShape()).isEqualTo(new Shape(6, 1, 1, 1));
        float[] restored = Quantization.dequantizeRowwise(q.values(), q.maxes()).toFloatArray();
        float[] expected =
                Quantizer.parse("int4@row")
                        .roundTrip("x", x.toFloatArray(), new long[] {6, 2, 3, 3});
        assertThat(restored).containsExactly(expected);
        // int4's range is 7: the values are the codes' values (integers -7..7), the "maxes" the
        // scales max|x| / 7.
        float[] w = x.toFloatArray();
        float[] maxes = q.maxes().toFloatArray();
        for (int r = 0; r < 6; r++) {
            float a = 0f;
            for (int i = 18 * r; i < 18 * (r + 1); i++) {
                a = Math.max(a, Math.abs(w[i]));
            }
            assertThat(maxes[r]).isEqualTo(a / 7f);
        }
        for (float v : q.values().toFloatArray()) {
            assertThat(v).isBetween(-7f, 7f).isEqualTo((float) Math.rint(v));
        }
        assertThatThrownBy(() -> Quantization.quantizeRowwise(x, Quantizer.parse("dt4@block8")))
                .hasMessageContaining("row or lastaxis");
    }

    @Test
    void stableEmbeddingSortsStablyAndRestoresOrder() {
        NDArray x = weights(6, 7);
        float[] values = x.toFloatArray();
        values[3] = -values[10]; // a tie in magnitude keeps index order
        x = manager.create(values, new Shape(6, 7));
        Quantization.Quantized q = Quantization.quantizeStableEmbedding(x, 8, true);
        assertThat(q.values().getShape()).isEqualTo(new Shape(6, 7));
        assertThat(q.maxes().size()).isEqualTo(6); // 5 groups of 8 and one of 2
        Integer[] order = IntStream.range(0, 42).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> Math.abs(values[i])));
        assertThat(q.indexing().toLongArray())
                .containsExactly(Arrays.stream(order).mapToLong(Integer::longValue).toArray());
        NDArray restored =
                Quantization.dequantizeStableEmbedding(q.values(), q.maxes(), q.indexing(), 8);
        float[] expected =
                Quantizer.parse("seeddt8@sorted8").roundTrip("x", values, new long[] {6, 7});
        assertThat(restored.toFloatArray()).containsExactly(expected);
        assertThat(restored.getShape()).isEqualTo(new Shape(6, 7));
        assertThat(q.groupLength()).isEqualTo(8);
        assertThat(Quantization.dequantizeStableEmbedding(q).toFloatArray())
                .containsExactly(expected);
        // 42 values in 6 groups fit groups of 7 and of 8: the study's three-argument form reads
        // the size from the maxes quantizeStableEmbedding returned...
        assertThat(
                        Quantization.dequantizeStableEmbedding(q.values(), q.maxes(), q.indexing())
                                .toFloatArray())
                .containsExactly(expected);
        // ...and takes groups of 7 (42 / 6), as the study's code did, for maxes from elsewhere.
        NDArray copied = manager.create(q.maxes().toFloatArray());
        assertThat(
                        Quantization.dequantizeStableEmbedding(q.values(), copied, q.indexing())
                                .toFloatArray())
                .containsExactly(
                        Quantization.dequantizeStableEmbedding(q.values(), copied, q.indexing(), 7)
                                .toFloatArray())
                .isNotEqualTo(expected);
        // 42 values in 5 groups fit groups of 9 and of 10: no size is assumed.
        Quantization.Quantized shortLast = q;
        assertThatThrownBy(
                        () ->
                                Quantization.dequantizeStableEmbedding(
                                        shortLast.values(),
                                        shortLast.maxes().get("0:5"),
                                        shortLast.indexing()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("several group sizes");
        // A row-wise result has no sort order to undo.
        NDArray rows = x;
        assertThatThrownBy(
                        () ->
                                Quantization.dequantizeStableEmbedding(
                                        Quantization.quantizeRowwise(rows, true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dequantizeRowwise");
        // Divisible sizes, the study's case, are inferred.
        Quantization.Quantized even = Quantization.quantizeStableEmbedding(x, 7, false);
        NDArray back =
                Quantization.dequantizeStableEmbedding(
                        even.values(), even.maxes(), even.indexing());
        assertThat(back.toFloatArray())
                .containsExactly(
                        Quantizer.parse("seedfp8@sorted7")
                                .roundTrip("x", values, new long[] {6, 7}));
    }

    @Test
    void theStudysFunctionsRefuseAFormatThatDividesByItsScales() {
        NDArray x = manager.create(new float[] {1, -2, 3, 4}, new Shape(2, 2));
        assertThatThrownBy(
                        () -> Quantization.quantizeRowwise(x, Quantizer.parse("seedlinear8@row")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seedlinear8@row divides by its scales");
    }

    @Test
    void measuresTheErrorInDouble() {
        NDArray x = weights(8, 8);
        NDArray y =
                Quantization.dequantizeRowwise(
                        Quantization.quantizeRowwise(x, true).values(),
                        Quantization.quantizeRowwise(x, true).maxes());
        Quantization.QuantizationError e = Quantization.measureQuantizationError(x, y);
        double mae = ErrorMetrics.between(x.toFloatArray(), y.toFloatArray()).mae();
        assertThat(e.mae()).isCloseTo(mae, within(1e-9));
        assertThat(e.absoluteDifference().getShape()).isEqualTo(x.getShape());
        assertThatThrownBy(() -> Quantization.measureQuantizationError(x, weights(4, 16)))
                .hasMessageContaining("Shapes differ");
        assertThat(Quantization.roundFp8(0.3f)).isEqualTo(SeedArithmetic.roundFp8(0.3f, 4));
        assertThat(Quantization.roundDt8(0.3f, 3)).isEqualTo(SeedArithmetic.roundDt(0.3f, 3));
    }
}
