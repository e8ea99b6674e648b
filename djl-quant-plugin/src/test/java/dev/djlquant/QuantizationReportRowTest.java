package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.metrics.ExponentHistogram;
import org.junit.jupiter.api.Test;

class QuantizationReportRowTest {

    private static QuantizationReport.Row row(long[] shape) {
        return new QuantizationReport.Row(
                "conv.weight",
                shape,
                "dt4@row",
                1728,
                64,
                4,
                4,
                1120,
                1120.0,
                new ErrorMetrics(1728, 1.0, 0.5, 57.0, 0.01),
                3.5,
                new ExponentHistogram(new long[] {1419, 270, 31, 0}, 8));
    }

    @Test
    void printsTheShapeAndExponentsAsNumbers() {
        // A record prints a long[] as "[J@30b7c004"; the README's snippet prints rows.
        assertThat(row(new long[] {64, 3, 3, 3}).toString())
                .startsWith("Row[name=conv.weight, shape=[64, 3, 3, 3], spec=dt4@row, count=1728,")
                .contains("exponents=ExponentHistogram[counts=[1419, 270, 31, 0], zeros=8]")
                .doesNotContain("[J@");
    }

    @Test
    void rowsWithEqualValuesAreEqual() {
        QuantizationReport.Row a = row(new long[] {64, 3, 3, 3});
        QuantizationReport.Row b = row(new long[] {64, 3, 3, 3});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(row(new long[] {64, 3, 9}));
    }

    @Test
    void neitherTheShapeGivenNorTheOneReturnedChangesARow() {
        long[] given = {64, 3, 3, 3};
        QuantizationReport.Row r = row(given);
        given[0] = 999;
        r.shape()[1] = 999;
        assertThat(r.shape()).containsExactly(64, 3, 3, 3);
    }
}
