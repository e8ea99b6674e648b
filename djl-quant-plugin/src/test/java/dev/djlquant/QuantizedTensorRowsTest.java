package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Restoring a block of a 2-D tensor's rows gives exactly those rows of the whole restore. */
class QuantizedTensorRowsTest {

    private static QuantizedTensor weight(String spec, int out, int in) {
        SplittableRandom random = new SplittableRandom(out * 31L + in);
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        return Quantizer.parse(spec).quantize("w", w, new long[] {out, in});
    }

    /** Heap and direct buffers; 4-bit codes in long groups take the paired decoder. */
    @ParameterizedTest
    @CsvSource({
        "int8@row, 300, 1100, 0, 300",
        "int8@row, 300, 1100, 17, 211",
        "dt4@row, 40, 4096, 3, 29",
        "dt4@block64, 50, 256, 7, 50",
        "nf4@block16, 33, 96, 1, 2",
        "dt3@row, 20, 64, 5, 19",
        "fp8e4m3@tensor, 9, 1000, 8, 8"
    })
    void rowsEqualTheWholeRestore(String spec, int out, int in, int from, int to) {
        QuantizedTensor t = weight(spec, out, in);
        assertThat(t.rowsRestorable()).isTrue();
        float[] whole = t.dequantize();
        float[] expected = Arrays.copyOfRange(whole, from * in, to * in);
        float[] heap = new float[expected.length];
        t.dequantizeRowsInto(from, to, FloatBuffer.wrap(heap));
        assertThat(heap).isEqualTo(expected);
        FloatBuffer direct =
                ByteBuffer.allocateDirect(expected.length * Float.BYTES)
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
        t.dequantizeRowsInto(from, to, direct);
        float[] fromDirect = new float[expected.length];
        direct.get(0, fromDirect);
        assertThat(fromDirect).isEqualTo(expected);
    }

    /** Sorted storage, rows that split bytes and ranges outside the tensor are refused. */
    @ParameterizedTest
    @CsvSource({
        "dt8@sorted64, 4, 64, 0, 1",
        "dt3@row, 4, 13, 1, 2",
        "int8@row, 4, 64, 3, 5",
        "int8@row, 4, 64, 2, 1"
    })
    void refusesWhatCannotBeRestoredByRows(String spec, int out, int in, int from, int to) {
        QuantizedTensor t = weight(spec, out, in);
        assertThatThrownBy(() -> t.dequantizeRowsInto(from, to, FloatBuffer.allocate(out * in)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be restored on their own");
    }
}
