package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.NormalInitializer;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizers;
import dev.djlquant.data.Evaluation;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table {@code djlq eval} prints for several schemes, on a report of one 12 x 10 weight. */
class SweepTableTest {

    private static QuantizationReport sortedReport(NDManager manager) {
        Linear layer = Linear.builder().setUnits(12).build();
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        layer.initialize(manager, DataType.FLOAT32, new Shape(1, 10));
        return Quantizers.apply(layer, QuantConfig.of("dt4@sorted32"));
    }

    @Test
    void rowsShowRealBitsBesideTheStudysEstimate() {
        try (NDManager manager = NDManager.newBaseManager()) {
            QuantizationReport report = sortedReport(manager);
            SweepTable table = new SweepTable("scheme");
            table.add(new SweepTable.Row(null, new Evaluation.Accuracy(90, 100), null));
            table.add(new SweepTable.Row("dt4@sorted32", new Evaluation.Accuracy(85, 100), report));
            assertThat(table.hasFailures()).isFalse();
            table.add(SweepTable.Row.failed("nf4@row", "bad luck"));
            assertThat(table.hasFailures()).isTrue();
            // 120 weights: codes 60 bytes, 4 scales 16, permutation at 7 bits 105: 181 bytes,
            // 12.07 bits; the study's estimate (120 * 4 + 32 * 4) / 8 = 76 bytes, 5.07 bits.
            String row =
                    String.format(
                            Locale.ROOT,
                            "| `dt4@sorted32` | 85.00%% | -5.00 pp | 12.07 | 5.07 | %.1f | %.2e |",
                            report.totalError().sqnrDb(),
                            report.totalError().mae());
            assertThat(table.toMarkdown().lines().toList())
                    .containsExactly(
                            "| scheme | accuracy | vs float | bits/weight | study's estimate |"
                                    + " SQNR dB | MAE |",
                            "|---|---:|---:|---:|---:|---:|---:|",
                            "| float | 90.00% |  |  |  |  |  |",
                            row,
                            "| `nf4@row` | not applied |  |  |  |  |  |",
                            "",
                            "nf4@row: bad luck");
            List<Map<String, Object>> maps = table.toMaps();
            assertThat(maps.get(0)).containsOnlyKeys("scheme", "accuracy", "correct");
            assertThat(maps.get(1))
                    .containsEntry("scheme", "dt4@sorted32")
                    .containsEntry("correct", 85L)
                    .containsEntry("bits_per_weight", 8.0 * 181 / 120)
                    .containsEntry("study_estimate_bits_per_weight", 8.0 * 76 / 120)
                    .containsEntry("sqnr_db", report.totalError().sqnrDb())
                    .containsEntry("mae", report.totalError().mae());
            assertThat(maps.get(2))
                    .containsExactly(
                            Map.entry("scheme", "nf4@row"), Map.entry("error", "bad luck"));
        }
    }
}
