package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.Quantizer;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The NDArray baselines compute what djl-quant computes, so the runner's ratios compare the same
 * work: integer and dynamic-tree codes by the engine's own rounding, FP8 by float32 rounding and a
 * table look-up, and the study's linear int8 by the engine's own int8 conversion, whose wrap-around
 * the library reproduces.
 */
class NdCompositionTest {

    private static final Pattern ALL = Pattern.compile(".*");

    @Test
    void everyCompositionRestoresEveryValueAsDjlQuantDoes() {
        String report = CompositionCheck.run(ALL);
        // One line per scheme, two for fp8e4m3 (its composed quantize and its composed dequantize).
        assertThat(report.lines().filter(l -> l.contains("(0 of 2359296 differ)")))
                .hasSize(NdComposition.SPECS.length + 1)
                .anySatisfy(l -> assertThat(l).contains("seedlinear8@tensor"))
                .anySatisfy(l -> assertThat(l).contains("fp8e4m3@row dequantize"))
                .anySatisfy(l -> assertThat(l).contains("dt3@row"));
    }

    @Test
    void oneValueOneBitApartStopsTheCheck() {
        assertThatThrownBy(
                        () ->
                                CompositionCheck.run(
                                        Pattern.compile("dt4@row"),
                                        changed(
                                                ours -> {
                                                    ours[1234] = Math.nextUp(ours[1234]);
                                                    return ours;
                                                })))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dt4@row")
                .hasMessageContaining("(1 of 2359296 differ)");
    }

    @Test
    void aResultOfAnotherLengthStopsTheCheck() {
        assertThatThrownBy(
                        () ->
                                CompositionCheck.run(
                                        Pattern.compile("int8@row"),
                                        changed(ours -> Arrays.copyOf(ours, ours.length - 1))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2359295");
    }

    /** djl-quant's round trip with {@code change} applied to its result. */
    private static CompositionCheck.Reference changed(UnaryOperator<float[]> change) {
        return (spec, values, dims) ->
                change.apply(Quantizer.parse(spec).roundTrip("t", values, dims));
    }
}
