package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.Quantizer;
import org.junit.jupiter.api.Test;

/** The runner's options, number formats and scheme lists. */
class CompareRunnerTest {

    @Test
    void unknownOptionsAreRefusedNotIgnored() {
        assertThat(CompareRunner.parse(new String[] {"--only", "int8@row", "--no-ndarray"}))
                .containsEntry("only", "int8@row")
                .containsEntry("no-ndarray", "true");
        assertThatThrownBy(() -> CompareRunner.parse(new String[] {"--iteratons", "1"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown option --iteratons");
    }

    @Test
    void ratiosKeepThreeSignificantDigitsUpTo100() {
        assertThat(CompareRunner.ratio(1.234)).isEqualTo("1.23");
        assertThat(CompareRunner.ratio(9.994)).isEqualTo("9.99");
        assertThat(CompareRunner.ratio(10)).isEqualTo("10.0");
        assertThat(CompareRunner.ratio(99.94)).isEqualTo("99.9");
        assertThat(CompareRunner.ratio(100)).isEqualTo("100");
        assertThat(CompareRunner.ratio(1234.4)).isEqualTo("1234");
    }

    @Test
    void timesKeepFourSignificantDigits() {
        assertThat(CompareRunner.fmt(12.3456)).isEqualTo("12.35");
        assertThat(CompareRunner.fmt(0.0123456)).isEqualTo("0.01235");
        assertThat(CompareRunner.fmt(-0.0123456)).isEqualTo("-0.01235");
        assertThat(CompareRunner.fmt(1.0)).isEqualTo("1.000");
        assertThat(CompareRunner.fmt(12345.6)).isEqualTo("12346");
        assertThat(CompareRunner.fmt(0)).isEqualTo("0.0");
        assertThat(CompareRunner.fmt(Double.NaN)).isEqualTo("NaN");
        assertThat(CompareRunner.fmt(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
    }

    @Test
    void theLargeTensorRunsEverySchemeOfQuantBenchAndTheSmallOneASubset() {
        // The README's kernel table lists these 13, int8@row first, the stable embedding last.
        assertThat(CompareRunner.LARGE_SPECS)
                .hasSize(13)
                .startsWith("int8@row", "fp8e4m3@row")
                .endsWith("dt8@sorted4096")
                .contains(CompareRunner.SMALL_SPECS);
        for (String spec : CompareRunner.LARGE_SPECS) {
            assertThat(Quantizer.parse(spec).spec()).isEqualTo(spec);
        }
    }
}
