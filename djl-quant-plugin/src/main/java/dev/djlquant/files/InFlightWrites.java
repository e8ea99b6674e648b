package dev.djlquant.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The temporary directories of {@link AtomicFiles#fillThenInstall} being filled, so that a JVM shut
 * down mid-write (SIGTERM, Ctrl-C) deletes them instead of leaving hidden siblings behind, and lets
 * a rename into place that has begun finish first (a replaced target is moved aside just before:
 * halting between the two renames would leave no target at all). SIGKILL runs no hook; the next
 * write to the same target removes what such a kill left.
 */
final class InFlightWrites {

    /** How long shutdown waits for renames into place that have begun. */
    private static final long INSTALL_WAIT_MILLIS = 10_000;

    private static final Set<Write> WRITES = ConcurrentHashMap.newKeySet();

    static {
        try {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(InFlightWrites::abortAll, "djlq-abort-writes"));
        } catch (IllegalStateException shuttingDown) {
            // The first write started during shutdown: abortAll cannot run; nothing to register.
        }
    }

    private InFlightWrites() {}

    /** One write, from the start of its fill to the end of its rename into place. */
    static final class Write {
        private final Path temporary;
        private boolean installing;
        private boolean aborted;
        private boolean ended;

        private Write(Path temporary) {
            this.temporary = temporary;
        }

        /**
         * Called after the fill, before the rename into place.
         *
         * @throws IOException if shutdown aborted the write (its temporary directory is gone)
         */
        synchronized void beginInstall() throws IOException {
            if (aborted) {
                throw new IOException(
                        "The JVM is shutting down: "
                                + temporary
                                + " was deleted before its rename");
            }
            installing = true;
        }

        /** Called once the write succeeded or failed; unregisters it. */
        synchronized void end() {
            ended = true;
            WRITES.remove(this);
            notifyAll();
        }

        /**
         * Aborts a write still filling and returns true (the caller deletes its directory); waits
         * for one renaming into place to end, and returns false.
         */
        private synchronized boolean abort() throws InterruptedException {
            if (installing) {
                long deadline = System.currentTimeMillis() + INSTALL_WAIT_MILLIS;
                for (long left = INSTALL_WAIT_MILLIS;
                        !ended && left > 0;
                        left = deadline - System.currentTimeMillis()) {
                    wait(left);
                }
                return false;
            }
            aborted = !ended;
            return aborted;
        }
    }

    /** Registers a write that fills {@code temporary}; call {@link Write#end} when it is over. */
    static Write begin(Path temporary) {
        Write write = new Write(temporary);
        WRITES.add(write);
        return write;
    }

    /**
     * The shutdown hook: deletes the temporary directories of writes still filling, lets renames
     * that have begun finish. Failures are ignored (a leftover costs disk space, nothing else).
     */
    static void abortAll() {
        for (Write write : List.copyOf(WRITES)) {
            try {
                if (write.abort()) {
                    AtomicFiles.deleteRecursively(write.temporary);
                }
            } catch (IOException | UncheckedIOException e) {
                // Best effort: the writer may still be adding files.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
