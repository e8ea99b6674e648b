package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;

/** Comparisons of network outputs computed two ways. */
public final class Outputs {

    private Outputs() {}

    /**
     * Asserts that {@code actual} equals {@code expected} to float32 rounding: no element apart by
     * more than 1e-5 of the larger of 1 and the largest magnitude in {@code expected}. COMPRESSED
     * forwards multiply small batches straight from packed codes, adding in another order than the
     * engine does, so their outputs differ from SIMULATE's in the last bits, more for larger ones.
     */
    public static void assertEqualToRounding(NDArray actual, NDArray expected, String what) {
        float scale = Math.max(1f, expected.abs().max().getFloat());
        assertThat(actual.sub(expected).abs().max().getFloat())
                .as("%s (largest output magnitude %s)", what, scale)
                .isLessThanOrEqualTo(1e-5f * scale);
    }
}
