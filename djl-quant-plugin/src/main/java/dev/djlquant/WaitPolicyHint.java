package dev.djlquant;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-line hint, logged once a JVM at the first COMPRESSED forward, that on a machine of few
 * cores libtorch's OpenMP workers should wait passively: with {@code OMP_WAIT_POLICY} unset they
 * spin between libtorch's operations on the cores that the Java restores and products between those
 * operations need (measured on 2 cores: {@code dt8} at batch 1 1.7-2.7x of float32, 1.3-1.55x with
 * {@code OMP_WAIT_POLICY=PASSIVE}; README, Speed).
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
     * #FEW_CORES} cores, with no wait policy set and more than one libtorch thread.
     */
    static String hint(Map<String, String> env, String torchThreads, int cores, String engine) {
        if (!"PyTorch".equals(engine)
                || cores > FEW_CORES
                || env.containsKey("OMP_WAIT_POLICY")
                || "1".equals(torchThreads)) {
            return null;
        }
        return "COMPRESSED forwards run Java restores and products between libtorch's operations;"
                + " on "
                + cores
                + " cores libtorch's OpenMP workers, spinning between operations while"
                + " OMP_WAIT_POLICY is unset, slow them down (up to 2x measured): set"
                + " OMP_WAIT_POLICY=PASSIVE in this JVM's environment, or use one libtorch thread"
                + " (-Dai.djl.pytorch.num_threads=1)";
    }
}
