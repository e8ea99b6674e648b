package dev.djlquant.format;

import java.util.Arrays;

/**
 * Dynamic tree quantization (Dettmers 2016) with the signed map bitsandbytes builds in {@code
 * create_dynamic_map(signed=True, max_exponent_bits=K-1, total_bits=K)}. Codes index the sorted
 * codebook; encoding picks the nearest entry, the lower index on exact ties.
 */
public final class DynamicTree implements ScalarFormat, DecimalExponents {

    private static final DynamicTree[] CACHE = new DynamicTree[9];

    private final int bits;
    private final float[] codebook;
    private final int[] exponents;
    private final NearestCodeTable nearest;

    private DynamicTree(int bits) {
        this.bits = bits;
        int size = 1 << bits;
        float[] raw = new float[size];
        int[] rawExponent = new int[size];
        int n = 0;
        for (int i = 0; i <= bits - 2; i++) {
            float decade = (float) Math.pow(10, i - (bits - 2));
            float[] boundaries = TorchLinspace.linspace(0.1f, 1f, (1 << i) + 1);
            for (int j = 0; j + 1 < boundaries.length; j++) {
                float mean = (boundaries[j] + boundaries[j + 1]) / 2f;
                raw[n] = decade * mean;
                rawExponent[n++] = bits - 2 - i;
                raw[n] = -(decade * mean);
                rawExponent[n++] = bits - 2 - i;
            }
        }
        raw[n] = 0f;
        rawExponent[n++] = ZERO;
        raw[n] = 1f;
        rawExponent[n++] = 0;
        Integer[] order = new Integer[size];
        for (int k = 0; k < size; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Float.compare(raw[a], raw[b]));
        codebook = new float[size];
        exponents = new int[size];
        for (int k = 0; k < size; k++) {
            codebook[k] = raw[order[k]];
            exponents[k] = rawExponent[order[k]];
        }
        nearest = new NearestCodeTable(codebook);
    }

    /** Returns the {@code dtK} format for K in 2..8. */
    public static synchronized DynamicTree of(int bits) {
        Formats.checkBits("dt", bits, 2, 8);
        if (CACHE[bits] == null) {
            CACHE[bits] = new DynamicTree(bits);
        }
        return CACHE[bits];
    }

    /** Returns a copy of the sorted {@code 2^bits} codebook, bits in 2..8. */
    public static float[] codebook(int bits) {
        return of(bits).codebook.clone();
    }

    @Override
    public String specName() {
        return "dt" + bits;
    }

    @Override
    public int codeBits() {
        return bits;
    }

    @Override
    public float range() {
        return 1f;
    }

    /**
     * {@inheritDoc} The nearest entry by {@code |y - c|}, the lower index on exact ties, for every
     * {@code |y| <= 1024} (the quantizer's {@code |y|} is at most 1); beyond about 2^16 float32
     * distances to the top entries round to ties, and the code is the end entry, the nearest in
     * exact arithmetic.
     */
    @Override
    public int code(float y) {
        return nearest.nearest(y);
    }

    @Override
    public float value(int code) {
        return codebook[code];
    }

    @Override
    public void normalizedCodes(float[] y, int from, int to, int[] out) {
        nearest.nearest(y, from, to, out);
    }

    @Override
    public int maxExponent() {
        return bits - 1;
    }

    @Override
    public int exponentOf(int code) {
        return exponents[code];
    }
}
