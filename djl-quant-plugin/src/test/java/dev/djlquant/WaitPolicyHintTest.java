package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WaitPolicyHintTest {

    @Test
    void hintsAtAShortSpinOnlyWhereTheWorkersSpinLongOnFewCores() {
        assertThat(WaitPolicyHint.hint(Map.of(), null, 2, "PyTorch"))
                .contains("on 2 cores")
                .contains("GOMP_SPINCOUNT=3000")
                .contains("OMP_WAIT_POLICY=PASSIVE")
                .contains("-Dai.djl.pytorch.num_threads=1");
        assertThat(WaitPolicyHint.hint(Map.of(), "2", 4, "PyTorch")).isNotNull();
        // A policy or a spin count already chosen, either way; one libtorch thread; more cores;
        // another engine.
        assertThat(WaitPolicyHint.hint(Map.of("OMP_WAIT_POLICY", "ACTIVE"), null, 2, "PyTorch"))
                .isNull();
        assertThat(WaitPolicyHint.hint(Map.of("GOMP_SPINCOUNT", "300000"), null, 2, "PyTorch"))
                .isNull();
        assertThat(WaitPolicyHint.hint(Map.of(), "1", 2, "PyTorch")).isNull();
        assertThat(WaitPolicyHint.hint(Map.of(), null, 5, "PyTorch")).isNull();
        assertThat(WaitPolicyHint.hint(Map.of(), null, 2, "MXNet")).isNull();
    }
}
