package dev.djlquant.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizer;
import org.junit.jupiter.api.Test;

/** The study's linear int8 against values that PyTorch 1.13 (Debian's python3-torch) printed. */
class SeedLinear8Test {

    /**
     * {@code torch.tensor([...], dtype=torch.float32).to(torch.int8).tolist()} on this machine's
     * x86 CPU: truncation, then the low byte; NaN-free inputs beyond int32 give 0.
     */
    @Test
    void codesConvertLikePyTorchOnX86() {
        float[] y = {
            130.7f, -200.2f, 127.9f, -128.9f, 255.5f, 256.2f, -129f, 1e10f, -1e10f, 0.99f, -0.99f,
            383f
        };
        int[] torch = {-126, 56, 127, -128, -1, 0, 127, 0, 0, 0, 0, 127};
        for (int i = 0; i < y.length; i++) {
            int code = SeedLinear8.INSTANCE.code(y[i]);
            assertThat(code).as("y = %s", y[i]).isBetween(0, 255);
            assertThat(SeedLinear8.INSTANCE.value(code)).as("y = %s", y[i]).isEqualTo(torch[i]);
        }
        assertThat(SeedLinear8.INSTANCE.value(SeedLinear8.INSTANCE.code(Float.NaN))).isZero();
    }

    /**
     * {@code S = 255 / (max - min)} with max 0.5 and min -0.4 is 283.33334 in float32; 0.5 * S =
     * 141.67 truncates to 141 and wraps to -115. PyTorch: {@code q = [-115, -113, 85]}, {@code q /
     * S = [-0.405882328748703, -0.3988235294818878, 0.29999998211860657]}.
     */
    @Test
    void theLargestValueOfAnAsymmetricTensorWrapsToTheOtherSign() {
        Quantizer q = Quantizer.parse("seedlinear8@tensor");
        float[] back = q.dequantize(q.quantize(new float[] {0.5f, -0.4f, 0.3f}, new long[] {3}));
        assertThat(back)
                .containsExactly(
                        (float) -0.405882328748703,
                        (float) -0.3988235294818878,
                        (float) 0.29999998211860657);
        assertThat(q.quantize(new float[] {0.5f, -0.4f, 0.3f}, new long[] {3}).scales())
                .containsExactly(283.33334f);
    }

    @Test
    void aGroupOfEqualValuesRestoresToZeroAsInTheStudy() {
        // 255 / 0 is infinite: x * S is infinite (or NaN for 0), both convert to 0, 0 / S is 0.
        Quantizer q = Quantizer.parse("seedlinear8@row");
        float[] back =
                q.dequantize(q.quantize(new float[] {0.25f, 0.25f, 0f, 0f}, new long[] {2, 2}));
        assertThat(back).containsExactly(0f, 0f, 0f, 0f);
    }

    @Test
    void infiniteScalesOfConstantGroupsSurviveSerialization() throws Exception {
        Quantizer q = Quantizer.parse("seedlinear8@row");
        QuantizedTensor t = q.quantize(new float[] {3f, 3f, -1f, 2f}, new long[] {2, 2});
        assertThat(t.scales()).containsExactly(Float.POSITIVE_INFINITY, 85f);
        QuantizedTensor back = QuantizedTensor.fromBytes(t.toBytes());
        assertThat(back.dequantize()).containsExactly(t.dequantize());
        // 2 * 85 = 170 truncates to 170 and wraps to -86: the row's largest value flips sign.
        assertThat(t.dequantize()).containsExactly(0f, 0f, -1f, -86f / 85f);
    }

    @Test
    void aLinearLayerMultipliesByTheRestoredWeights() {
        float[] w = new float[4 * 16];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i * 0.7) * (i % 5 == 0 ? 0.3f : 1f);
        }
        float[] x = new float[16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.cos(i);
        }
        QuantizedTensor t = Quantizer.parse("seedlinear8@row").quantize(w, new long[] {4, 16});
        float[] restored = t.dequantize();
        float[] y = t.linear(x, 1);
        for (int r = 0; r < 4; r++) {
            double expected = 0;
            for (int i = 0; i < 16; i++) {
                expected += (double) restored[r * 16 + i] * x[i];
            }
            assertThat((double) y[r]).isCloseTo(expected, within(1e-5));
        }
    }

    @Test
    void rejectsNonFiniteValuesAndSpansBeyondFloat32() {
        Quantizer q = Quantizer.parse("seedlinear8@tensor");
        assertThatThrownBy(() -> q.quantize("w", new float[] {1f, Float.NaN}, new long[] {2}))
                .hasMessageContaining("w: value NaN at flat index 1");
        assertThatThrownBy(
                        () ->
                                q.quantize(
                                        "w",
                                        new float[] {Float.MAX_VALUE, -Float.MAX_VALUE},
                                        new long[] {2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("w: group 0 spans")
                .hasMessageContaining("more than float32 holds");
        assertThatThrownBy(() -> Quantizer.parse("seedlinear8@row+dq"))
                .hasMessageContaining("+dq does not apply");
    }

    @Test
    void isAnEightBitFormatThatTheSpecNames() {
        assertThat(Formats.parse("SeedLinear8")).isSameAs(SeedLinear8.INSTANCE);
        assertThat(SeedLinear8.INSTANCE.codeBits()).isEqualTo(8);
        assertThat(SeedLinear8.INSTANCE.scaling()).isEqualTo(ScalarFormat.Scaling.SPAN);
        assertThat(Quantizer.parse("seedlinear8").spec()).isEqualTo("seedlinear8@row");
    }
}
