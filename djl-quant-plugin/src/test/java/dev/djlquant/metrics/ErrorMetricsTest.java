package dev.djlquant.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.djlquant.format.IntFormat;
import org.junit.jupiter.api.Test;

class ErrorMetricsTest {

    @Test
    void computesTheTextbookValues() {
        float[] x = {1, -2, 3, 4};
        float[] y = {1, -1, 3, 2};
        ErrorMetrics m = ErrorMetrics.between(x, y);
        assertThat(m.mae()).isEqualTo(0.75);
        assertThat(m.mse()).isEqualTo(1.25);
        assertThat(m.maxAbsError()).isEqualTo(2.0);
        // signal 1+4+9+16 = 30, noise 1+4 = 5.
        assertThat(m.sqnrDb()).isCloseTo(10 * Math.log10(6), within(1e-12));
        assertThat(ErrorMetrics.between(x, x).sqnrDb()).isInfinite();
    }

    @Test
    void combiningEqualsMeasuringTheUnion() {
        ErrorMetrics a = ErrorMetrics.between(new float[] {1, 2}, new float[] {1, 3});
        ErrorMetrics b = ErrorMetrics.between(new float[] {4}, new float[] {2});
        ErrorMetrics union = ErrorMetrics.between(new float[] {1, 2, 4}, new float[] {1, 3, 2});
        assertThat(a.plus(b)).isEqualTo(union);
    }

    @Test
    void entropyOfAUniformHistogramIsItsBitWidth() {
        long[] uniform = new long[16];
        java.util.Arrays.fill(uniform, 5);
        assertThat(CodeUsage.of(uniform, IntFormat.of(4)).entropyBits())
                .isCloseTo(4.0, within(1e-12));
        long[] single = new long[16];
        single[3] = 100;
        assertThat(CodeUsage.of(single, IntFormat.of(4)).entropyBits()).isZero();
    }
}
