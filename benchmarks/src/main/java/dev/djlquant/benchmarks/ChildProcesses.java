package dev.djlquant.benchmarks;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Stops the processes this JVM started (JMH's benchmark forks, the Python comparisons) when it
 * exits: a signal sent to this JVM alone, not to its process group, would otherwise leave a fork
 * running on until it noticed its parent was gone, timing on a machine the next run shares.
 */
final class ChildProcesses {

    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    private ChildProcesses() {}

    /** Registers, once per JVM, a shutdown hook that runs {@link #stopAll}. */
    static void stopOnExit() {
        if (HOOKED.compareAndSet(false, true)) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(ChildProcesses::stopAll, "stop-child-processes"));
        }
    }

    /** Asks every live descendant of this JVM to terminate; returns how many were asked. */
    static long stopAll() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::destroy).count();
    }
}
