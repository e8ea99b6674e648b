package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares model outputs that may differ only in the order of float32 sums: a COMPRESSED linear
 * layer with few input rows multiplies in Java, the engine sums in its own order.
 */
final class SummationOrder {

    private SummationOrder() {}

    /** Asserts every value is within 1e-5 of the largest magnitude of {@code expected}. */
    static void assertSameUpToSummationOrder(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        float scale = 1e-30f;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("value %d: %s vs %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(1e-5f * scale);
        }
    }
}
