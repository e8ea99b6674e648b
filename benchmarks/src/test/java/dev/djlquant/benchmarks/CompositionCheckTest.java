package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The bit-for-bit agreement that an NDArray composition must show before it is timed. */
class CompositionCheckTest {

    @Test
    void agreementIsBitForBitAndAnyDifferenceStopsTheRun() {
        StringBuilder out = new StringBuilder();
        CompositionCheck.compare(
                "int8@row", new float[] {1, 2, 3, 4}, new float[] {1, 2, 3, 4}, out);
        assertThat(out.toString()).contains("int8@row").endsWith("100.0000% (0 of 4 differ)");
        // -0.0 equals 0.0 as a float but not in its bits: a composition that loses the sign
        // computes something else.
        assertThatThrownBy(
                        () ->
                                CompositionCheck.compare(
                                        "dt4@row",
                                        new float[] {1, 2, 0f, 4},
                                        new float[] {1, 2, -0f, 4},
                                        new StringBuilder()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dt4@row computes something else")
                .hasMessageContaining("75.0000% (1 of 4 differ)");
        assertThatThrownBy(
                        () ->
                                CompositionCheck.compare(
                                        "fp8e4m3@row",
                                        new float[] {1, 2},
                                        new float[] {1},
                                        new StringBuilder()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gives 1 values, djl-quant 2");
    }
}
