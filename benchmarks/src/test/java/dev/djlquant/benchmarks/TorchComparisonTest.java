package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TorchComparisonTest {

    @Test
    void withoutAPythonTheRowsAreLeftOutAndTheReasonLogged() {
        String previous = System.getProperty("djlq.python");
        System.setProperty("djlq.python", "/nonexistent/python3");
        try {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            assertThat(
                            TorchComparison.ratios(
                                    1, new PrintStream(log, true, StandardCharsets.UTF_8)))
                    .isEmpty();
            assertThat(log.toString(StandardCharsets.UTF_8))
                    .contains("PyTorch comparison skipped")
                    .contains("/nonexistent/python3");
        } finally {
            if (previous == null) {
                System.clearProperty("djlq.python");
            } else {
                System.setProperty("djlq.python", previous);
            }
        }
    }

    @Test
    void theScriptShipsWithTheClasses() {
        assertThat(TorchComparison.class.getResource("torch_per_channel.py")).isNotNull();
    }
}
