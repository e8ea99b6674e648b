package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The exit hook's work: every process this JVM started is asked to stop. */
class ChildProcessesTest {

    @Test
    void stopAllTerminatesARunningChild() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            assertThat(child.isAlive()).isTrue();
            assertThat(ChildProcesses.stopAll()).isGreaterThanOrEqualTo(1);
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("child stopped").isTrue();
        } finally {
            child.destroyForcibly();
        }
    }
}
