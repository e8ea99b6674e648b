package dev.djlquant.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Measures where a model's weights live: the Java heap in use after full garbage collections (the
 * packed codes and scales are Java arrays), the native bytes of the parameter arrays a block still
 * holds (PyTorch tensors, outside the heap), and the process's resident set from {@code
 * /proc/self/status} (Linux only; -1 elsewhere).
 */
final class ResidentMemory {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private ResidentMemory() {}

    /**
     * Heap bytes in use after collecting garbage until the figure settles (System.gc() is a full,
     * stop-the-world collection with the default G1 collector). Finalizers and cleaners run in
     * between, because objects that wait for them (DJL's released arrays and models) survive a
     * collection or two and would otherwise count as live before and be gone after.
     */
    @SuppressWarnings("removal") // runFinalization: still what drains the finalizer queue in 17
    static long heapUsedAfterGc() {
        long previous = Long.MAX_VALUE;
        int stable = 0;
        for (int i = 0; i < 12 && stable < 2; i++) {
            System.gc();
            System.runFinalization();
            sleepQuietly();
            long used = MEMORY.getHeapMemoryUsage().getUsed();
            stable = Math.abs(previous - used) < 64 * 1024 ? stable + 1 : 0;
            previous = used;
        }
        return previous;
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Bytes of the parameter arrays of {@code block} that still hold values. */
    static long nativeParameterBytes(Block block) {
        long bytes = 0;
        for (Parameter p : block.getParameters().values()) {
            if (p.isInitialized()) {
                NDArray a = p.getArray();
                bytes += a.size() * a.getDataType().getNumOfBytes();
            }
        }
        return bytes;
    }

    /** The process's resident set size in bytes, or -1 if unknown. */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring("VmRSS:".length()).trim().split("\\s+")[0];
                    return Long.parseLong(kb) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: unknown.
        }
        return -1;
    }
}
