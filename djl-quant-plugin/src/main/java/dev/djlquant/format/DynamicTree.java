package dev.djlquant.format;

import java.util.Arrays;

/**
 * Dynamic tree quantization (Dettmers 2016) with the signed map bitsandbytes builds in {@code
 * create_dynamic_map(signed=True, max_exponent_bits=K-1, total_bits=K)}. Codes index the sorted
 * codebook; encoding picks the nearest entry, the lower index on exact ties.
 */
public final class DynamicTree extends NearestCodebookFormat implements DecimalExponents {

    private static final DynamicTree[] CACHE = new DynamicTree[9];

    private final int[] exponents;

    private DynamicTree(int bits, SortedMap map) {
        super(bits, map.codebook);
        this.exponents = map.exponents;
    }

    /** The sorted codebook and the decimal exponent of each entry. */
    private record SortedMap(float[] codebook, int[] exponents) {}

    private static SortedMap build(int bits) {
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
        float[] codebook = new float[size];
        int[] exponents = new int[size];
        for (int k = 0; k < size; k++) {
            codebook[k] = raw[order[k]];
            exponents[k] = rawExponent[order[k]];
        }
        return new SortedMap(codebook, exponents);
    }

    /**
     * Returns the {@code dtK} format for K in 2..8.
     *
     * @param bits the code width K, 2 to 8
     * @return the format, one shared instance per width
     * @throws IllegalArgumentException if {@code bits} is not 2 to 8
     */
    public static synchronized DynamicTree of(int bits) {
        Formats.checkBits("dt", bits, 2, 8);
        if (CACHE[bits] == null) {
            CACHE[bits] = new DynamicTree(bits, build(bits));
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
        return "dt" + codeBits();
    }

    @Override
    public int maxExponent() {
        return codeBits() - 1;
    }

    @Override
    public int exponentOf(int code) {
        return exponents[code];
    }
}
