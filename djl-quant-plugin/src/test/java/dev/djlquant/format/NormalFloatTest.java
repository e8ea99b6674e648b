package dev.djlquant.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NormalFloatTest {

    /** The NF4 table as bitsandbytes and the QLoRA paper publish it. */
    private static final float[] PUBLISHED_NF4 = {
        -1.0f,
        -0.6961928009986877f,
        -0.5250730514526367f,
        -0.39491748809814453f,
        -0.28444138169288635f,
        -0.18477343022823334f,
        -0.09105003625154495f,
        0.0f,
        0.07958029955625534f,
        0.16093020141124725f,
        0.24611230194568634f,
        0.33791524171829224f,
        0.44070982933044434f,
        0.5626170039176941f,
        0.7229568362236023f,
        1.0f
    };

    @Test
    void nf4IsThePublishedTableBitForBit() {
        float[] nf4 = NormalFloat.codebook(4);
        for (int i = 0; i < nf4.length; i++) {
            assertThat(Float.floatToIntBits(nf4[i]))
                    .as("entry %d: %s vs %s", i, nf4[i], PUBLISHED_NF4[i])
                    .isEqualTo(Float.floatToIntBits(PUBLISHED_NF4[i]));
        }
        assertThat(NormalFloat.offset(4)).isEqualTo(0.9677083f);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8})
    void everyWidthHasOneZeroAndOneMorePositiveThanNegative(int bits) {
        float[] c = NormalFloat.codebook(bits);
        assertThat(c).hasSize(1 << bits);
        assertThat(c[0]).isEqualTo(-1f);
        assertThat(c[c.length - 1]).isEqualTo(1f);
        for (int i = 1; i < c.length; i++) {
            assertThat(c[i]).isGreaterThan(c[i - 1]);
        }
        long positives = 0;
        long negatives = 0;
        long zeros = 0;
        for (float v : c) {
            if (v > 0) {
                positives++;
            } else if (v < 0) {
                negatives++;
            } else {
                zeros++;
            }
        }
        assertThat(zeros).isEqualTo(1);
        assertThat(positives).isEqualTo(1L << (bits - 1));
        assertThat(negatives).isEqualTo((1L << (bits - 1)) - 1);
    }

    @Test
    void quantilesMatchKnownValues() {
        assertThat(NormalQuantile.of(0.5)).isZero();
        // Phi(1) and the 97.5% point, from any normal table.
        assertThat(NormalQuantile.of(0.8413447460685429)).isCloseTo(1.0, within(1e-13));
        assertThat(NormalQuantile.of(0.975)).isCloseTo(1.959963984540054, within(1e-13));
        assertThat(NormalQuantile.of(0.999)).isCloseTo(3.090232306167813, within(1e-12));
        assertThatThrownBy(() -> NormalQuantile.of(1.0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NormalQuantile.of(0.2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void codesAreTheNearestEntryLowerIndexOnTies(int bits) {
        NormalFloat nf = NormalFloat.of(bits);
        float[] c = NormalFloat.codebook(bits);
        SplittableRandom random = new SplittableRandom(bits);
        for (int k = 0; k < 200_000; k++) {
            float y = (float) (random.nextDouble() * 2.2 - 1.1);
            int best = Argmin.of(c, y);
            if (nf.code(y) != best) {
                assertThat(nf.code(y)).as("y = %s", y).isEqualTo(best);
            }
        }
        assertThat(nf.value(nf.code(1f))).isEqualTo(1f);
        assertThat(nf.value(nf.code(0f))).isZero();
    }

    @Test
    void parsesAndRejectsWidths() {
        assertThat(Formats.parse("nf4")).isSameAs(NormalFloat.of(4));
        assertThat(Formats.parse("NF8").specName()).isEqualTo("nf8");
        assertThatThrownBy(() -> Formats.parse("nf9")).hasMessageContaining("nf takes 2 to 8 bits");
        assertThatThrownBy(() -> Formats.parse("nf1")).hasMessageContaining("nf takes 2 to 8 bits");
    }
}
