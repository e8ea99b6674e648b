package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearComparisonTest {

    @Test
    void givesTwoRatiosPerSchemeAndLogsTheTimes() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<RatioRow> rows =
                LinearComparison.ratios(0, 1, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(rows).hasSize(4);
        assertThat(rows)
                .extracting(RatioRow::ratioOf)
                .containsExactly(
                        "packed / float32 engine",
                        "restore + engine / packed",
                        "packed / float32 engine",
                        "restore + engine / packed");
        assertThat(rows).allSatisfy(r -> assertThat(r.ratio()).isPositive().isFinite());
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("int8@row linear 4096x4096, batch 1")
                .contains("dt4@row linear 4096x4096, batch 1");
    }
}
