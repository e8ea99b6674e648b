package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The benchmark weights: shapes from their text, and seeded N(0, 0.02^2) values. */
class WeightsTest {

    @Test
    void shapesAreParsedFromTheirText() {
        assertThat(Weights.shape("4096x9216")).containsExactly(4096, 9216);
        assertThat(Weights.shape("64")).containsExactly(64);
        assertThat(Weights.size(Weights.shape("2x3x4"))).isEqualTo(24);
    }

    @Test
    void eachBlockOf64KValuesDrawsFromItsOwnSeed() {
        int n = 65_536 + 1000;
        float[] w = Weights.normal(n, 5);
        // Block 0 from Random(5), block 1 from Random(6), whatever thread ran it.
        Random first = new Random(5);
        Random second = new Random(6);
        assertThat(w[0]).isEqualTo((float) (0.02 * first.nextGaussian()));
        assertThat(w[1]).isEqualTo((float) (0.02 * first.nextGaussian()));
        assertThat(w[65_536]).isEqualTo((float) (0.02 * second.nextGaussian()));
        assertThat(w[n - 1]).isNotZero();
        assertThat(Weights.normal(n, 5)).isEqualTo(w);
        double sum = 0;
        double squares = 0;
        for (float v : w) {
            sum += v;
            squares += (double) v * v;
        }
        assertThat(sum / n).isCloseTo(0, Offset.offset(0.001));
        assertThat(Math.sqrt(squares / n)).isCloseTo(0.02, Offset.offset(0.0005));
    }
}
