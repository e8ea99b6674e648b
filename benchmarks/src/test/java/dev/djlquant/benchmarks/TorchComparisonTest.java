package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TorchComparisonTest {

    @Test
    void withoutAPythonTheRowsAreLeftOutAndTheReasonLogged() {
        NoPython.Outcome outcome = NoPython.run(TorchComparison::ratios);
        assertThat(outcome.rows()).isEmpty();
        assertThat(outcome.log()).contains("PyTorch comparison skipped").contains(NoPython.PATH);
    }

    @Test
    void theScriptShipsWithTheClasses() {
        assertThat(TorchComparison.class.getResource("torch_per_channel.py")).isNotNull();
    }
}
