package dev.djlquant.benchmarks;

import java.util.Random;
import java.util.stream.IntStream;

/** Seeded synthetic weights shaped like a linear layer's: normal, mean 0, std 0.02. */
final class Weights {

    /** The large case: a 4096 x 9216 float32 matrix (37.7M values, 151 MB). */
    static final String LARGE = "4096x9216";

    /** The small case, where fixed per-call overheads dominate. */
    static final String SMALL = "64x64";

    /**
     * JVM options of every benchmark fork: a fixed, pre-touched heap, so timings do not include the
     * kernel handing the JVM fresh pages (the first touch of a new 151 MB array costs ~50 ms of
     * page faults here, which a long-running process pays once), and DJL kept offline.
     */
    static final String HEAP_MIN = "-Xms4g";

    static final String HEAP_MAX = "-Xmx4g";
    static final String PRE_TOUCH = "-XX:+AlwaysPreTouch";
    static final String OFFLINE = "-Dai.djl.offline=true";
    static final String QUIET = "-Dorg.slf4j.simpleLogger.defaultLogLevel=error";

    private static final int BLOCK = 1 << 16;

    private Weights() {}

    /** Parses {@code "AxB[xC...]"} into a shape. */
    static long[] shape(String dims) {
        String[] parts = dims.split("x");
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            shape[i] = Long.parseLong(parts[i]);
        }
        return shape;
    }

    static int size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /**
     * Returns {@code n} values drawn from N(0, 0.02^2); block b of 64K values uses its own {@code
     * Random(seed + b)}, so the result is the same whatever the thread count.
     */
    static float[] normal(int n, long seed) {
        float[] out = new float[n];
        IntStream.range(0, (n + BLOCK - 1) / BLOCK)
                .parallel()
                .forEach(
                        b -> {
                            Random random = new Random(seed + b);
                            int end = Math.min(n, (b + 1) * BLOCK);
                            for (int i = b * BLOCK; i < end; i++) {
                                out[i] = (float) (0.02 * random.nextGaussian());
                            }
                        });
        return out;
    }

    /** The benchmark weights of the given shape. */
    static float[] forShape(long[] shape) {
        return normal(size(shape), 42L);
    }
}
