package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RatioRowTest {

    private static RatioRow row(double ratio, double limit, boolean atMost) {
        return new RatioRow("model", "x", "a / b", "2 ms", "1 ms", ratio, limit, atMost);
    }

    @Test
    void anUpperLimitIsMetUpToAndIncludingIt() {
        assertThat(row(2.0, 2.0, true).verdict()).isEqualTo("met");
        assertThat(row(2.01, 2.0, true).verdict()).isEqualTo("MISSED");
        assertThat(row(2.0, 2.0, true).targetText()).isEqualTo("≤ 2.00x");
    }

    @Test
    void aRatioThatWouldPrintAsItsLimitShowsTheDigitsThatDecide() {
        assertThat(row(1.503, 1.5, true).ratioText()).isEqualTo("1.5030");
        assertThat(row(1.503, 1.5, true).verdict()).isEqualTo("MISSED");
        assertThat(row(1.4971, 1.5, true).ratioText()).isEqualTo("1.4971");
        assertThat(row(1.5, 1.5, true).ratioText()).isEqualTo("1.50");
        assertThat(row(1.53, 1.5, true).ratioText()).isEqualTo("1.53");
        assertThat(row(1.503, Double.NaN, true).ratioText()).isEqualTo("1.50");
        // Four decimals are not always enough: a missed target never prints as its limit.
        assertThat(row(1.50003, 1.5, true).ratioText()).isEqualTo("1.50003");
        assertThat(row(1.50003, 1.5, true).verdict()).isEqualTo("MISSED");
        assertThat(row(4.9999996, 5.0, false).ratioText()).isEqualTo("4.9999996");
    }

    @Test
    void aLowerLimitIsMetFromItUpwards() {
        assertThat(row(5.0, 5.0, false).met()).isTrue();
        assertThat(row(4.99, 5.0, false).verdict()).isEqualTo("MISSED");
        assertThat(row(13.4, 5.0, false).targetText()).isEqualTo("≥ 5.00x");
    }

    @Test
    void aRowWithoutLimitIsInformational() {
        RatioRow info = row(0.25, Double.NaN, true);
        assertThat(info.verdict()).isEmpty();
        assertThat(info.targetText()).isEmpty();
        assertThat(info.cells())
                .containsExactly("model", "x", "a / b", "2 ms", "1 ms", "0.25", "", "");
        assertThat(info.cells()).hasSameSizeAs(RatioRow.HEADER);
    }
}
