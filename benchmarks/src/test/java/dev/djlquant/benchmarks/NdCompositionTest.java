package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The NDArray baselines compute what djl-quant computes, so the runner's ratios compare the same
 * work: integer and dynamic-tree codes by the engine's own rounding, and the study's linear int8 by
 * the engine's own int8 conversion, whose wrap-around the library reproduces.
 */
class NdCompositionTest {

    @Test
    void engineCompositionsRestoreEveryValueAsDjlQuantDoes() {
        String report =
                CompareRunner.checkCompositions(
                        Pattern.compile("int8@row|dt4@row|int8@tensor|seedlinear8@tensor"));
        assertThat(report.lines().filter(l -> l.contains("(0 of 2359296 differ)")))
                .hasSize(4)
                .anySatisfy(l -> assertThat(l).contains("seedlinear8@tensor"));
    }
}
