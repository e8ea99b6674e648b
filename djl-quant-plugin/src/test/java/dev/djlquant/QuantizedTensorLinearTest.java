package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.pack.CodeKernel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link QuantizedTensor#linear} and {@link QuantizedTensor#dequantizeInto}. */
class QuantizedTensorLinearTest {

    private static QuantizedTensor weight(String spec, int out, int in) {
        float[] w = QuantizerTest.randomWeights(new SplittableRandom(out * 31L + in), out * in);
        return Quantizer.parse(spec).quantize("w", w, new long[] {out, in});
    }

    /**
     * The kernel each weight's products take (the plugin's tests run with the Vector API module):
     * SIMD for int8 and seedlinear8 values, for fp8e4m3 and for codes of 1 to 4 bits, scalar for
     * other tables, none (restored values) where rows or groups split bytes or storage is sorted.
     */
    @DisabledIfSystemProperty(
            named = "djlquant.vector",
            matches = "false",
            disabledReason =
                    "checks that the SIMD kernels are picked; this run keeps the scalar loops")
    @ParameterizedTest
    @CsvSource({
        "int8@row, 4, 64, SIGNED_BYTES",
        "seedlinear8@tensor, 4, 64, SIGNED_BYTES",
        "dt8@row, 4, 64, SCALAR",
        "fp8e4m3@block32, 4, 64, FP8_E4M3",
        "fp8e5m2@row, 4, 64, SCALAR",
        "dt4@row, 4, 64, NIBBLES",
        "nf4@block64, 4, 64, NIBBLES",
        "dt3@row, 4, 64, NARROW",
        "dt4@row, 4, 13, ",
        // Whole bytes per group but not per row: rows would start inside a byte.
        "dt4@tensor, 4, 13, ",
        "dt8@sorted256, 4, 64, "
    })
    void linearKernelFollowsTheCodes(String spec, int out, int in, CodeKernel expected) {
        if (expected == CodeKernel.NIBBLES || expected == CodeKernel.NARROW) {
            // Only on 512-bit vectors; CodeKernelTest checks that choice.
            int bits = expected == CodeKernel.NIBBLES ? 4 : 3;
            expected = CodeKernel.of(bits, new float[1 << bits]);
        }
        assertThat(weight(spec, out, in).linearKernel()).isEqualTo(expected);
    }

    /**
     * Rows restored straight from the codes (byte-aligned rows, rows crossing 2^18-value packed
     * segments, several parallel tasks, groups inside rows) and from a whole restore (rows that do
     * not start on a byte, sorted storage) against a product in double over {@code dequantize()}.
     */
    @ParameterizedTest
    @CsvSource({
        "int8@row, 40, 9216, 1",
        "dt4@row, 300, 4096, 3",
        "dt8@row, 33, 4100, 6",
        "dt4@block64, 17, 1024, 2",
        "fp8e4m3@tensor, 9, 64, 5",
        "dt3@row, 11, 13, 4",
        "nf4@block16, 7, 40, 1",
        "dt8@sorted256, 12, 96, 2",
        "int4@row, 5, 8, 0",
        "dt4@tensor, 6, 13, 2"
    })
    void linearIsTheProductWithTheRestoredWeight(String spec, int out, int in, int rows) {
        QuantizedTensor t = weight(spec, out, in);
        float[] w = t.dequantize();
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(rows + 7L), rows * in);
        float[] y = t.linear(x, rows);
        assertThat(y).hasSize(rows * out);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double expected = 0;
                double magnitude = 0;
                for (int i = 0; i < in; i++) {
                    expected += (double) w[o * in + i] * x[r * in + i];
                    magnitude += Math.abs((double) w[o * in + i] * x[r * in + i]);
                }
                // float32 sums of `in` products: a few ulps of the magnitude per addition.
                assertThat((double) y[r * out + o])
                        .as("%s row %d output %d", spec, r, o)
                        .isCloseTo(expected, Offset.offset(1e-6 * magnitude));
            }
        }
    }

    /**
     * Direct buffers get the values of {@link QuantizedTensor#dequantize}, also where 4-bit codes
     * are restored two at a time (long even groups: rows, blocks, the whole tensor; a short last
     * group and an odd count) and where they are not (odd and short groups).
     */
    @ParameterizedTest
    @CsvSource({
        "int8@row, 70, 9000",
        "dt3@block64, 70, 9000",
        "fp8e5m2@tensor, 70, 9000",
        "dt4@sorted128, 70, 9000",
        "dt4@row, 70, 9000",
        "nf4@tensor, 70, 9000",
        "int4@block4096, 63, 9001",
        "dt4@row, 63, 9001",
        "dt4@block64, 70, 9000"
    })
    void dequantizeIntoFillsDirectAndOffsetHeapBuffers(String spec, int rows, int cols) {
        QuantizedTensor t = weight(spec, rows, cols);
        float[] expected = t.dequantize();
        FloatBuffer direct =
                ByteBuffer.allocateDirect(expected.length * 4)
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
        t.dequantizeInto(direct);
        float[] fromDirect = new float[expected.length];
        direct.get(0, fromDirect);
        // Arrays.mismatch, not containsExactly: AssertJ diffs arrays of millions in quadratic time.
        assertThat(Arrays.mismatch(fromDirect, expected)).as("first differing index").isEqualTo(-1);

        // A heap buffer that starts inside its array: index 0 is array element 5.
        float[] backing = new float[expected.length + 9];
        Arrays.fill(backing, -7f);
        t.dequantizeInto(FloatBuffer.wrap(backing, 5, expected.length).slice());
        assertThat(Arrays.equals(backing, 5, 5 + expected.length, expected, 0, expected.length))
                .isTrue();
        assertThat(backing[4]).isEqualTo(-7f);
        assertThat(backing[5 + expected.length]).isEqualTo(-7f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"int8@row"})
    void badArgumentsAreNamed(String spec) {
        QuantizedTensor t = weight(spec, 4, 6);
        assertThatThrownBy(() -> t.linear(new float[13], 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 input rows of 6 values");
        assertThatThrownBy(() -> t.dequantizeInto(FloatBuffer.allocate(23)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("23 floats cannot hold 24");
        QuantizedTensor vector =
                Quantizer.parse(spec).quantize("v", new float[24], new long[] {24});
        assertThatThrownBy(() -> vector.linear(new float[24], 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 or more dimensions")
                .hasMessageContaining("[24]");
    }

    /**
     * A weight of more dimensions multiplies as the matrix of its first dimension by the rest (a
     * convolution's filters by their patches): the same products as the 2-D tensor of those values.
     */
    @ParameterizedTest
    @ValueSource(strings = {"int8@row", "dt8@row", "dt4@row", "nf4@block16"})
    void aWeightOfMoreDimensionsIsItsFirstDimensionByTheRest(String spec) {
        float[] w = QuantizerTest.randomWeights(new SplittableRandom(5), 6 * 4 * 3 * 3);
        QuantizedTensor conv = Quantizer.parse(spec).quantize("c", w, new long[] {6, 4, 3, 3});
        QuantizedTensor matrix = Quantizer.parse(spec).quantize("m", w, new long[] {6, 36});
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(6), 3 * 36);
        assertThat(conv.linearKernel()).isEqualTo(matrix.linearKernel());
        assertThat(conv.linear(x, 3)).containsExactly(matrix.linear(x, 3));
    }
}
