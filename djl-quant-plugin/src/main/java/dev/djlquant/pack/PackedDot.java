package dev.djlquant.pack;

/**
 * An input vector prepared for dot products with packed codes of one width and value table: {@link
 * #dot} returns {@code sum table[code_i] * x[from + i]}, what a linear layer computes per weight
 * row at batch 1, with the {@link CodeKernel} this JVM has for those codes. The sums agree with a
 * plain loop up to the order of float additions.
 */
public final class PackedDot {

    private final int bits;
    private final float[] table;
    private final float[] x;
    private final CodeKernel kernel;
    private final float[] even;
    private final float[] odd;

    private PackedDot(int bits, float[] table, float[] x, CodeKernel kernel) {
        this.bits = bits;
        this.table = table;
        this.x = x;
        this.kernel = kernel;
        if (kernel == CodeKernel.NIBBLES) {
            // Byte j holds codes 2j and 2j+1: their inputs, split, are two plain vector loads.
            even = new float[(x.length + 1) / 2];
            odd = new float[x.length / 2];
            for (int j = 0; j < odd.length; j++) {
                even[j] = x[2 * j];
                odd[j] = x[2 * j + 1];
            }
            if (even.length > odd.length) {
                even[odd.length] = x[x.length - 1];
            }
        } else {
            even = null;
            odd = null;
        }
    }

    /**
     * Prepares {@code x} for codes of {@code bits} bits whose values are {@code table} ({@code
     * 2^bits} entries). Neither array is copied: they must not change while this is in use.
     */
    public static PackedDot of(int bits, float[] table, float[] x) {
        return new PackedDot(bits, table, x, CodeKernel.of(bits, table));
    }

    /** The kernel that sums the products. */
    public CodeKernel kernel() {
        return kernel;
    }

    /**
     * Returns {@code sum table[code_i] * x[from + i]} over {@code count} codes read from {@code
     * src} at byte {@code offset}.
     */
    public float dot(byte[] src, int offset, int from, int count) {
        return switch (kernel) {
            case SIGNED_BYTES -> VectorKernels.dotSignedBytes(src, offset, x, from, count);
            case NIBBLES ->
                    from % 2 == 0
                            ? VectorKernels.dotNibbles(
                                    src, offset, table, even, odd, from / 2, count)
                            : BitPacker.dot(src, offset, bits, table, x, from, count);
            case SCALAR -> BitPacker.dot(src, offset, bits, table, x, from, count);
        };
    }
}
