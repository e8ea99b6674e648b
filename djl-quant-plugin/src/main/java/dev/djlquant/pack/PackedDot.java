package dev.djlquant.pack;

/**
 * An input vector prepared for dot products with packed codes of one width and value table: {@link
 * #dot} returns {@code sum table[code_i] * x[from + i]}, what a linear layer computes per weight
 * row at batch 1. With {@code jdk.incubator.vector} in the boot layer ({@code java --add-modules
 * jdk.incubator.vector}) codes whose value is their own signed byte ({@code int8}, {@code
 * seedlinear8}) and 4-bit codes (on 512-bit vectors) are summed with SIMD instructions; everything
 * else, and everything without the module, goes through {@link BitPacker#dot}. The sums agree up to
 * the order of float additions.
 */
public final class PackedDot {

    /** Set {@code -Ddjlquant.vector=false} to keep the scalar kernel with the module present. */
    public static final String DISABLE_PROPERTY = "djlquant.vector";

    private static final boolean VECTOR_MODULE =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                    && !"false".equalsIgnoreCase(System.getProperty(DISABLE_PROPERTY));

    private static final boolean VECTOR_NIBBLES = VECTOR_MODULE && VectorDots.nibblesSupported();

    /** How the sums are taken. */
    public enum Kernel {
        /** {@link BitPacker#dot}: a table read per code, eight running sums. */
        SCALAR,
        /** SIMD: codes widened to floats, for tables whose values are the codes' signed bytes. */
        SIGNED_BYTES,
        /** SIMD: 4-bit codes looked up sixteen at a time with one permute of the table. */
        NIBBLES
    }

    private final int bits;
    private final float[] table;
    private final float[] x;
    private final Kernel kernel;
    private final int[] tableBits;
    private final float[] even;
    private final float[] odd;

    private PackedDot(int bits, float[] table, float[] x, Kernel kernel) {
        this.bits = bits;
        this.table = table;
        this.x = x;
        this.kernel = kernel;
        if (kernel == Kernel.NIBBLES) {
            tableBits = new int[16];
            for (int c = 0; c < 16; c++) {
                tableBits[c] = Float.floatToRawIntBits(table[c]);
            }
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
            tableBits = null;
            even = null;
            odd = null;
        }
    }

    /**
     * Prepares {@code x} for codes of {@code bits} bits whose values are {@code table} ({@code
     * 2^bits} entries). Neither array is copied: they must not change while this is in use.
     */
    public static PackedDot of(int bits, float[] table, float[] x) {
        return new PackedDot(bits, table, x, kernelFor(bits, table));
    }

    /**
     * Returns the kernel that sums codes of {@code bits} bits whose values are {@code table}
     * ({@code 2^bits} entries) in this JVM.
     */
    public static Kernel kernelFor(int bits, float[] table) {
        if (bits < 1 || bits > 16 || table.length != 1 << bits) {
            throw new IllegalArgumentException(
                    "Codes of 1 to 16 bits need a table of 2^bits entries, got "
                            + table.length
                            + " for "
                            + bits
                            + " bits");
        }
        if (VECTOR_MODULE && bits == 8 && valuesAreSignedBytes(table)) {
            return Kernel.SIGNED_BYTES;
        }
        return VECTOR_NIBBLES && bits == 4 ? Kernel.NIBBLES : Kernel.SCALAR;
    }

    /** Whether this JVM sums any codes with the Vector API (see the class comment). */
    public static boolean vectorized() {
        return VECTOR_MODULE;
    }

    /** The kernel this input uses. */
    Kernel kernel() {
        return kernel;
    }

    /**
     * Returns {@code sum table[code_i] * x[from + i]} over {@code count} codes read from {@code
     * src} at byte {@code offset}.
     */
    public float dot(byte[] src, int offset, int from, int count) {
        return switch (kernel) {
            case SIGNED_BYTES -> VectorDots.signedBytes(src, offset, x, from, count);
            case NIBBLES ->
                    from % 2 == 0
                            ? VectorDots.nibbles(src, offset, tableBits, even, odd, from / 2, count)
                            : BitPacker.dot(src, offset, bits, table, x, from, count);
            case SCALAR -> BitPacker.dot(src, offset, bits, table, x, from, count);
        };
    }

    private static boolean valuesAreSignedBytes(float[] table) {
        for (int c = 0; c < table.length; c++) {
            if (table[c] != (byte) c) {
                return false;
            }
        }
        return true;
    }
}
