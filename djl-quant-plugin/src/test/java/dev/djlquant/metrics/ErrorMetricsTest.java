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
    void blocksMeasuredInParallelAgreeWithOneSequentialPass() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        int n = 300_001; // several blocks and a short last one
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
            y[i] = x[i] + (float) (random.nextDouble() - 0.5) * 0.01f;
        }
        double abs = 0;
        double square = 0;
        double signal = 0;
        double max = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.abs((double) x[i] - y[i]);
            abs += e;
            square += e * e;
            signal += (double) x[i] * x[i];
            max = Math.max(max, e);
        }
        ErrorMetrics m = ErrorMetrics.between(x, y);
        assertThat(m.count()).isEqualTo(n);
        assertThat(m.absErrorSum()).isCloseTo(abs, within(abs * 1e-12));
        assertThat(m.squaredErrorSum()).isCloseTo(square, within(square * 1e-12));
        assertThat(m.signalSum()).isCloseTo(signal, within(signal * 1e-12));
        assertThat(m.maxAbsError()).isEqualTo(max);
        assertThat(ErrorMetrics.between(x, y)).isEqualTo(m);
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
