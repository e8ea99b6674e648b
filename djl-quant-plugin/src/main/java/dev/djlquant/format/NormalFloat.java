package dev.djlquant.format;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * Normal-float {@code nfK} (QLoRA's NF4 and its other widths), the codebook bitsandbytes builds in
 * {@code create_normal_map}: {@code 2^(K-1)} positive and {@code 2^(K-1) - 1} negative quantiles of
 * the standard normal, at float32 {@code linspace(offset, 0.5, n + 1)} without its last point (see
 * {@link #offset(int)}), plus zero, each rounded to float32, sorted and divided by the largest.
 * Encoding picks the nearest entry, the lower index on exact ties.
 */
public final class NormalFloat extends NearestCodebookFormat {

    private static final NormalFloat[] CACHE = new NormalFloat[9];

    private NormalFloat(int bits) {
        super(bits, build(bits));
    }

    /**
     * Returns the {@code nfK} format for K in 2..8.
     *
     * @param bits the code width K, 2 to 8
     * @return the format, one shared instance per width
     * @throws IllegalArgumentException if {@code bits} is not 2 to 8
     */
    public static synchronized NormalFloat of(int bits) {
        Formats.checkBits("nf", bits, 2, 8);
        if (CACHE[bits] == null) {
            CACHE[bits] = new NormalFloat(bits);
        }
        return CACHE[bits];
    }

    /**
     * Returns a copy of the sorted {@code 2^bits} codebook, bits in 2..8.
     *
     * @param bits the code width K, 2 to 8
     * @return a new array of the {@code 2^bits} values, ascending
     * @throws IllegalArgumentException if {@code bits} is not 2 to 8
     */
    public static float[] codebook(int bits) {
        return of(bits).sortedCodebook();
    }

    @Override
    public String specName() {
        return "nf" + codeBits();
    }

    /**
     * QLoRA's offset, {@code 1 - (1/(2(2^K - 1)) + 1/(2^(K+1))) / 2}, to 7 decimals as bitsandbytes
     * writes it for K = 4 (0.9677083): the float32 of the unrounded value is one ulp higher and
     * moves every NF4 entry by up to 8 ulps.
     */
    static float offset(int bits) {
        double exact = 1 - (1.0 / (2 * ((1 << bits) - 1)) + 1.0 / (1 << (bits + 1))) / 2;
        return new BigDecimal(exact).setScale(7, RoundingMode.HALF_EVEN).floatValue();
    }

    private static float[] build(int bits) {
        int positives = 1 << (bits - 1);
        int negatives = positives - 1;
        float offset = offset(bits);
        float[] values = new float[1 << bits];
        int n = 0;
        float[] p = TorchLinspace.linspace(offset, 0.5f, positives + 1);
        for (int i = 0; i < positives; i++) {
            values[n++] = (float) NormalQuantile.of(p[i]);
        }
        float[] q = TorchLinspace.linspace(offset, 0.5f, negatives + 1);
        for (int i = 0; i < negatives; i++) {
            values[n++] = (float) -NormalQuantile.of(q[i]);
        }
        values[n] = 0f;
        Arrays.sort(values);
        float max = values[values.length - 1];
        for (int i = 0; i < values.length; i++) {
            values[i] = values[i] / max;
        }
        return values;
    }
}
