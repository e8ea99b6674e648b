package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.metrics.ExponentHistogram;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /**
     * The split of the packed size, worked out by hand from DESIGN 4 for a 100 x 130 tensor (13,000
     * values, 100 rows; 204 blocks of 64, the last short; the permutation at ceil(log2 13000) = 14
     * bits): codes, scales (4 bytes a group; under +dq one byte a group, a float32 per 256 groups
     * and one more float32), permutation.
     */
    @ParameterizedTest
    @CsvSource({
        "int8@row,       13000,  400,     0",
        "dt3@row,         4875,  400,     0",
        "nf4@block64,     6500,  816,     0",
        "nf4@block64+dq,  6500,  212,     0",
        "dt8@sorted4096, 13000,   16, 22750",
    })
    void splitsItsStorageIntoCodesScalesAndPermutation(
            String spec, long codes, long scales, long permutation) {
        float[] values = new float[13000];
        Random random = new Random(7);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        QuantizedTensor t = Quantizer.parse(spec).quantize(values, new long[] {100, 130});
        QuantizationReport.Row r = QuantizationReport.Row.withoutStatistics("w", t);
        assertThat(r.codeBytes()).isEqualTo(codes);
        assertThat(r.scaleBytes()).isEqualTo(scales);
        assertThat(r.permutationBytes()).isEqualTo(permutation);
        assertThat(codes + scales + permutation).isEqualTo(t.storageBytes());
    }
}
