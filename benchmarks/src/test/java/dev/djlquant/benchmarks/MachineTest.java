package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineTest {

    @Test
    void describesTheCoresTheCpuAndTheJvm() {
        assertThat(Machine.describe())
                .startsWith(Runtime.getRuntime().availableProcessors() + " cores (")
                .endsWith(
                        "), "
                                + System.getProperty("java.vm.name")
                                + " "
                                + System.getProperty("java.version"))
                .doesNotContain("()");
    }
}
