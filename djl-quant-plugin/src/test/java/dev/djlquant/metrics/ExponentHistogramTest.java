package dev.djlquant.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExponentHistogramTest {

    @Test
    void printsAndComparesItsCountsNotTheArrayIdentity() {
        ExponentHistogram a = new ExponentHistogram(new long[] {5, 2, 0}, 1);
        ExponentHistogram b = new ExponentHistogram(new long[] {5, 2, 0}, 1);
        // A record prints and compares its long[] by identity ("counts=[J@1a04f701").
        assertThat(a).hasToString("ExponentHistogram[counts=[5, 2, 0], zeros=1]");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new ExponentHistogram(new long[] {5, 2, 1}, 1));
        assertThat(a).isNotEqualTo(new ExponentHistogram(new long[] {5, 2, 0}, 0));
    }

    @Test
    void neitherTheArrayGivenNorTheOneReturnedChangesIt() {
        long[] given = {5, 2, 0};
        ExponentHistogram h = new ExponentHistogram(given, 1);
        given[0] = 99;
        h.counts()[1] = 99;
        assertThat(h.counts()).containsExactly(5, 2, 0);
    }
}
