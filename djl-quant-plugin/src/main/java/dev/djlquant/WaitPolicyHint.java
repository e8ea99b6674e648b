package dev.djlquant;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-line hint, logged once a JVM at the first COMPRESSED forward, that on a machine of few
 * cores libtorch's OpenMP workers should spin only briefly: with neither {@code GOMP_SPINCOUNT} nor
 * {@code OMP_WAIT_POLICY} set they spin for milliseconds after each parallel operation, on the
 * cores that the Java restores and products between those operations need. Measured on 2 cores
 * (benchmarks README, thirteenth round): {@code dt8} at batch 1 1.6-2.5x of float32 by default,
 * 1.2-2.0x with {@code GOMP_SPINCOUNT=3000} (16 of 22 runs below 1.6x), which leaves float32 as
 * fast as before, where {@code OMP_WAIT_POLICY=PASSIVE} made it up to 18% slower.
 */
final class WaitPolicyHint {

    /** Cores up to which the hint is given: the spinning worker holds a large share of them. */
    static final int FEW_CORES = 4;

    private static final Logger logger = LoggerFactory.getLogger(QuantizedBlock.class);

    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private WaitPolicyHint() {}

    /** Logs the hint at INFO if it applies here; only the first call in a JVM looks. */
    static void logOnce(String engine) {
        // A plain read first: every forward comes here, and a write on each would make the threads
        // of a server take the flag's cache line from one another.
        if (CHECKED.get() || CHECKED.getAndSet(true)) {
            return;
        }
        String hint =
                hint(
                        System.getenv(),
                        System.getProperty("ai.djl.pytorch.num_threads"),
                        Runtime.getRuntime().availableProcessors(),
                        engine);
        if (hint != null) {
            logger.info(hint);
        }
    }

    /**
     * The hint for this environment, or null: only for the PyTorch engine on at most {@link
     * #FEW_CORES} cores, with neither a spin count nor a wait policy set and more than one libtorch
     * thread.
     */
    static String hint(Map<String, String> env, String torchThreads, int cores, String engine) {
        if (!"PyTorch".equals(engine)
                || cores > FEW_CORES
                || env.containsKey("GOMP_SPINCOUNT")
                || env.containsKey("OMP_WAIT_POLICY")
                || "1".equals(torchThreads)) {
            return null;
        }
        return "COMPRESSED forwards run Java restores and products between libtorch's operations;"
                + " on "
                + cores
                + " cores libtorch's OpenMP workers, spinning for milliseconds after each"
                + " operation while GOMP_SPINCOUNT and OMP_WAIT_POLICY are unset, slow them down"
                + " (up to 2x measured): set GOMP_SPINCOUNT=3000 in this JVM's environment (float32"
                + " forwards keep their speed), or OMP_WAIT_POLICY=PASSIVE, or use one libtorch"
                + " thread (-Dai.djl.pytorch.num_threads=1)";
    }
}
