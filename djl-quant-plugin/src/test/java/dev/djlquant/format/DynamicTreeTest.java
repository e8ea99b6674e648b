package dev.djlquant.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.SharedFiles;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DynamicTreeTest {

    @Test
    void eightBitMapMatchesBitsandbytesBitForBit() throws Exception {
        float[] expected =
                SharedFiles.floats(
                        SharedFiles.fixture("dynamic_map_8bit.json"), "dynamic_map_8bit");
        float[] actual = DynamicTree.codebook(8);
        assertThat(actual).hasSize(256);
        // DESIGN.md allows 2 ulp; reproducing torch.linspace's fused multiply-add gets every bit.
        for (int i = 0; i < 256; i++) {
            assertThat(Float.floatToIntBits(actual[i]))
                    .as("entry %d: %s vs %s", i, actual[i], expected[i])
                    .isEqualTo(Float.floatToIntBits(expected[i]));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8})
    void codebookIsSortedWithZeroAndOne(int bits) {
        float[] c = DynamicTree.codebook(bits);
        assertThat(c).hasSize(1 << bits).contains(0f, 1f);
        for (int i = 1; i < c.length; i++) {
            assertThat(c[i]).isGreaterThan(c[i - 1]);
        }
        // Every entry but 1.0 has its negation: the map is signed.
        for (float v : c) {
            if (v != 1f && v != 0f) {
                assertThat(c).contains(-v);
            }
        }
        // The smallest nonzero magnitude lies in the lowest decade 10^-(bits-2).
        assertThat(c[(1 << bits) / 2])
                .isBetween(0.1f * (float) Math.pow(10, 2 - bits), (float) Math.pow(10, 2 - bits));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void encodingEqualsBruteForceArgmin(int bits) {
        DynamicTree dt = DynamicTree.of(bits);
        float[] c = DynamicTree.codebook(bits);
        SplittableRandom random = new SplittableRandom(bits);
        int samples = bits == 8 ? 3_000_000 : 1_000_000;
        for (int s = 0; s < samples; s++) {
            float y = sample(random, c);
            assertThat(dt.code(y)).as("y = %s", y).isEqualTo(Argmin.of(c, y));
        }
    }

    /** Mixes uniform, log-uniform and near-boundary values, the hard cases. */
    private static float sample(SplittableRandom random, float[] c) {
        switch (random.nextInt(4)) {
            case 0:
                return (float) random.nextDouble(-1, 1);
            case 1:
                return (float)
                        (Math.pow(10, -random.nextDouble(0, 9)) * (random.nextBoolean() ? 1 : -1));
            default:
                int i = random.nextInt(c.length - 1);
                float mid = (c[i] + c[i + 1]) / 2;
                int steps = random.nextInt(-3, 4);
                float y = mid;
                for (int k = 0; k < Math.abs(steps); k++) {
                    y = steps > 0 ? Math.nextUp(y) : Math.nextDown(y);
                }
                return y;
        }
    }

    @Test
    void exponentsFollowTheDecades() {
        DynamicTree dt = DynamicTree.of(4);
        assertThat(dt.exponentOf(dt.code(0f))).isEqualTo(DecimalExponents.ZERO);
        assertThat(dt.exponentOf(dt.code(1f))).isEqualTo(0);
        assertThat(dt.exponentOf(dt.code(0.5f))).isEqualTo(0);
        assertThat(dt.exponentOf(dt.code(-0.05f))).isEqualTo(1);
        assertThat(dt.exponentOf(dt.code(0.005f))).isEqualTo(2);
    }

    @Test
    void rejectsBitWidthsOutOfRange() {
        assertThatThrownBy(() -> DynamicTree.of(1)).hasMessageContaining("2 to 8 bits, got 1");
        assertThatThrownBy(() -> DynamicTree.codebook(9)).hasMessageContaining("got 9");
    }
}
