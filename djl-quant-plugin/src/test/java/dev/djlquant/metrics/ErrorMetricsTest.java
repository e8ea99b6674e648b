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

    /**
     * The documented order, spelled out independently: within each block of 65,536 values, value i
     * adds to lane i % 8, lanes added in order, blocks in order. The SIMD loop (which the tests'
     * JVM runs on AVX-512) must give these doubles exactly, for heap and direct originals alike.
     */
    @Test
    void sumsFollowTheDocumentedLaneOrderExactly() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        int n = 2 * ErrorMetrics.BLOCK + 77; // a short last block whose tail is not a whole step
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * Math.exp(random.nextGaussian() * 4));
            y[i] = x[i] * (1 + (float) (random.nextDouble() - 0.5) / 8);
        }
        double abs = 0;
        double square = 0;
        double signal = 0;
        double max = 0;
        for (int block = 0; block < n; block += ErrorMetrics.BLOCK) {
            int end = Math.min(n, block + ErrorMetrics.BLOCK);
            double[][] lanes = new double[3][8];
            for (int i = block; i < end; i++) {
                double e = Math.abs((double) x[i] - y[i]);
                lanes[0][(i - block) % 8] += e;
                lanes[1][(i - block) % 8] += e * e;
                lanes[2][(i - block) % 8] += (double) x[i] * x[i];
                max = Math.max(max, e);
            }
            double[] sums = new double[3];
            for (int k = 0; k < 3; k++) {
                for (int l = 0; l < 8; l++) {
                    sums[k] += lanes[k][l];
                }
            }
            abs += sums[0];
            square += sums[1];
            signal += sums[2];
        }
        ErrorMetrics expected = new ErrorMetrics(n, abs, square, signal, max);
        assertThat(ErrorMetrics.between(x, y)).isEqualTo(expected);
        java.nio.FloatBuffer direct =
                java.nio.ByteBuffer.allocateDirect(n * 4)
                        .order(java.nio.ByteOrder.nativeOrder())
                        .asFloatBuffer();
        direct.put(x);
        assertThat(ErrorMetrics.between(direct, y)).isEqualTo(expected);
        // A block measured from an offset, as the quantization kernel does.
        ErrorMetrics piece = ErrorMetrics.ofBlock(direct, 5, y, 5, 11);
        ErrorMetrics first =
                ErrorMetrics.between(
                        java.util.Arrays.copyOfRange(x, 5, 16),
                        java.util.Arrays.copyOfRange(y, 5, 16));
        assertThat(piece).isEqualTo(first);
    }

    /**
     * The maximum error is {@code Math.max}'s over every value, whatever the values: a NaN anywhere
     * makes it NaN, an infinite error beats every finite one, and subnormal errors order above
     * zero. Each case puts its decisive value in a different lane of a run long enough for the SIMD
     * loop.
     */
    @Test
    void theMaximumErrorIsMathMaxsForEveryKindOfValue() {
        float[][] decisive = {
            {Float.NaN, 1f}, // a NaN original
            {1f, Float.NaN}, // a NaN restored value
            {Float.POSITIVE_INFINITY, 0f},
            {-0f, Float.NEGATIVE_INFINITY},
            {Float.MIN_VALUE, -0f}, // the only error is the smallest subnormal
            {-Float.MAX_VALUE, Float.MAX_VALUE}
        };
        for (int k = 0; k < decisive.length; k++) {
            float[] x = new float[64];
            float[] y = new float[64];
            if (k != 4) {
                for (int i = 0; i < x.length; i++) {
                    x[i] = i / 7f;
                    y[i] = (i + 1) / 7f;
                }
            }
            int at = 8 * (k % 4) + 3 + k;
            x[at] = decisive[k][0];
            y[at] = decisive[k][1];
            double max = 0;
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs((double) x[i] - y[i]));
            }
            // As bits, so that NaN equals NaN.
            assertThat(Double.doubleToLongBits(ErrorMetrics.between(x, y).maxAbsError()))
                    .as("case " + k)
                    .isEqualTo(Double.doubleToLongBits(max));
        }
    }

    /** A length of whole blocks is measured as exactly those blocks, combined in order. */
    @Test
    void wholeBlocksAreMeasuredAsThoseBlocks() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        int n = 2 * ErrorMetrics.BLOCK;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
            y[i] = Math.round(x[i] * 8) / 8f;
        }
        java.nio.FloatBuffer original = java.nio.FloatBuffer.wrap(x);
        ErrorMetrics expected =
                ErrorMetrics.combine(
                        new ErrorMetrics[] {
                            ErrorMetrics.ofBlock(original, 0, y, 0, ErrorMetrics.BLOCK),
                            ErrorMetrics.ofBlock(
                                    original,
                                    ErrorMetrics.BLOCK,
                                    y,
                                    ErrorMetrics.BLOCK,
                                    ErrorMetrics.BLOCK)
                        });
        assertThat(expected.count()).isEqualTo(n);
        assertThat(ErrorMetrics.between(x, y)).isEqualTo(expected);
    }

    /** A block added in pieces of whole lane steps sums as in one piece; a ragged piece ends it. */
    @Test
    void blockMeasuredInPiecesEqualsTheBlockInOne() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        float[] x = new float[1003];
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
            y[i] = Math.round(x[i] * 16) / 16f;
        }
        ErrorSums pieces = new ErrorSums();
        pieces.add(x, 0, y, 0, 16);
        pieces.add(x, 16, y, 16, 400);
        pieces.add(x, 416, y, 416, 587);
        assertThat(pieces.toMetrics())
                .isEqualTo(ErrorMetrics.ofBlock(java.nio.FloatBuffer.wrap(x), 0, y, 0, x.length));
        ErrorSums ragged = new ErrorSums();
        ragged.add(x, 0, y, 0, 13);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ragged.add(x, 13, y, 13, 8))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("5 values");
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
