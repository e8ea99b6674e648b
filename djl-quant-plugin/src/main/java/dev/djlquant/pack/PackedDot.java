package dev.djlquant.pack;

import java.util.Arrays;

/**
 * Input rows prepared for dot products with packed codes of one width and value table: {@link #dot}
 * returns {@code sum table[code_i] * x[from + i]} and {@link #dotRows} the same for every input row
 * at once, what a linear layer computes per weight row at small batches, with the {@link
 * CodeKernel} this JVM has for those codes. The SIMD kernels look each code up once for four input
 * rows; for several rows the scalar kernel decodes each code once into a small buffer that SIMD
 * then multiplies with every row. The sums agree with a plain loop up to the order of float
 * additions.
 */
public final class PackedDot {

    /** Input rows that the SIMD kernels take per pass over a weight row's codes. */
    private static final int ROW_BLOCK = 4;

    /**
     * Codes that {@link #dotRows} decodes at a time for several input rows when the kernel is
     * {@link CodeKernel#SCALAR}: a multiple of 8, so that each piece starts on a byte, and small
     * enough that the decoded floats stay in the first-level cache while every row reads them.
     */
    private static final int DECODED_CHUNK = 2048;

    /** Whether {@link #dotRows} decodes scalar-kernel codes once for all rows (needs SIMD). */
    private static final boolean DECODES_FOR_ROWS = CodeKernel.vectorized();

    private static final ThreadLocal<float[]> DECODED =
            ThreadLocal.withInitial(() -> new float[DECODED_CHUNK]);

    private final int bits;
    private final float[] table;
    private final float[] x;
    private final int rows;
    private final int in;
    private final CodeKernel kernel;
    private final float[] even;
    private final float[] odd;

    private PackedDot(int bits, float[] table, float[] x, int rows, CodeKernel kernel) {
        if (rows < 1 || x.length % rows != 0) {
            throw new IllegalArgumentException(
                    x.length + " input values are not " + rows + " rows of equal length");
        }
        this.bits = bits;
        // The narrow kernel looks codes up in one 16-lane vector: the whole table, padded.
        this.table = kernel == CodeKernel.NARROW ? Arrays.copyOf(table, 16) : table;
        this.x = x;
        this.rows = rows;
        this.in = x.length / rows;
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
     * Prepares {@code x}, one input row, for codes of {@code bits} bits whose values are {@code
     * table} ({@code 2^bits} entries). Neither array is copied, except that the 4-bit kernel splits
     * {@code x} into copies of its even and odd entries and a table narrower than 16 entries may be
     * padded: they must not change while this is in use.
     *
     * @param bits the bits per code, 1 to 16
     * @param table the value of each code, exactly {@code 2^bits} entries
     * @param x the input row
     * @return the prepared row
     * @throws IllegalArgumentException if {@code bits} is not 1 to 16 or {@code table} does not
     *     have {@code 2^bits} entries
     */
    public static PackedDot of(int bits, float[] table, float[] x) {
        return of(bits, table, x, 1);
    }

    /**
     * Prepares {@code x}, {@code rows} input rows of equal length one after the other.
     *
     * @param bits the bits per code, 1 to 16
     * @param table the value of each code, exactly {@code 2^bits} entries
     * @param x the input rows, row-major; not copied, as for {@link #of(int, float[], float[])}
     * @param rows the number of rows, at least 1
     * @return the prepared rows
     * @throws IllegalArgumentException if {@code bits} is not 1 to 16, {@code table} does not have
     *     {@code 2^bits} entries, {@code rows} is below 1 or does not divide {@code x.length}
     */
    public static PackedDot of(int bits, float[] table, float[] x, int rows) {
        return new PackedDot(bits, table, x, rows, CodeKernel.of(bits, table));
    }

    /**
     * The kernel that sums the products.
     *
     * @return the kernel {@link CodeKernel#of} picked for the bits and table
     */
    public CodeKernel kernel() {
        return kernel;
    }

    /**
     * Whether {@link #dotRows} reads each code once for several input rows with {@code kernel}: the
     * SIMD kernels do, and so does {@link CodeKernel#SCALAR} where SIMD multiplies the values it
     * decodes; otherwise every input row looks every code up again.
     *
     * @param kernel a kernel
     * @return true if the codes are read once for all input rows
     */
    public static boolean sharesCodesAcrossRows(CodeKernel kernel) {
        return kernel != CodeKernel.SCALAR || DECODES_FOR_ROWS;
    }

    /**
     * Returns {@code sum table[code_i] * x[from + i]} over {@code count} codes read from {@code
     * src} at byte {@code offset}; {@code from} indexes the whole input.
     *
     * @param src the packed codes
     * @param offset the byte of {@code src} at which the run starts
     * @param from the index in the whole input (all rows) of the value that goes with the first
     *     code
     * @param count the number of codes
     * @return the sum, in float32; the order of its additions depends on the kernel
     */
    public float dot(byte[] src, int offset, int from, int count) {
        return switch (kernel) {
            case SIGNED_BYTES -> VectorKernels.dotSignedBytes(src, offset, x, from, count);
            case NIBBLES ->
                    from % 2 == 0
                            ? VectorKernels.dotNibbles(
                                    src, offset, table, even, odd, from / 2, count)
                            : BitPacker.dot(src, offset, bits, table, x, from, count);
            case NARROW -> VectorKernels.dotNarrow(src, offset, bits, table, x, from, count);
            case FP8_E4M3 -> VectorKernels.dotFp8(src, offset, table, x, from, count);
            case SCALAR -> BitPacker.dot(src, offset, bits, table, x, from, count);
        };
    }

    /**
     * Writes {@link #dot} of every input row to {@code sums[0..rows)}: row {@code b}'s sum over
     * {@code x[b * in + from + i]}, {@code from} within a row.
     *
     * @param src the packed codes
     * @param offset the byte of {@code src} at which the run starts
     * @param from the index within a row of the value that goes with the first code
     * @param count the number of codes
     * @param sums receives one sum per input row, at {@code [0, rows)}
     */
    public void dotRows(byte[] src, int offset, int from, int count, float[] sums) {
        // One row keeps the lookups inside the dot: decoding first made AlexNet's dt8 forward at
        // batch 1 1.59x float32's instead of 1.17x.
        if (kernel == CodeKernel.SCALAR && rows > 1 && DECODES_FOR_ROWS) {
            dotDecodedRows(src, offset, from, count, sums);
            return;
        }
        int b = 0;
        if (kernel == CodeKernel.SIGNED_BYTES) {
            for (; b + ROW_BLOCK <= rows; b += ROW_BLOCK) {
                VectorKernels.dotSignedBytes4(src, offset, x, b * in + from, in, count, sums, b);
            }
        } else if (kernel == CodeKernel.NIBBLES && in % 2 == 0 && from % 2 == 0) {
            for (; b + ROW_BLOCK <= rows; b += ROW_BLOCK) {
                VectorKernels.dotNibbles4(
                        src, offset, table, even, odd, (b * in + from) / 2, in / 2, count, sums, b);
            }
        } else if (kernel == CodeKernel.FP8_E4M3) {
            for (; b + ROW_BLOCK <= rows; b += ROW_BLOCK) {
                VectorKernels.dotFp8x4(src, offset, table, x, b * in + from, in, count, sums, b);
            }
        } else if (kernel == CodeKernel.NARROW) {
            for (; b + ROW_BLOCK <= rows; b += ROW_BLOCK) {
                VectorKernels.dotNarrow4(
                        src, offset, bits, table, x, b * in + from, in, count, sums, b);
            }
        }
        for (; b < rows; b++) {
            sums[b] = dot(src, offset, b * in + from, count);
        }
    }

    /**
     * {@link #dotRows} for the scalar kernel: each piece of codes decoded through the table once,
     * then multiplied with every input row by SIMD. A 256-entry table defeats SIMD lookups, and
     * looking every code up again per row cost 0.39 ns a value each.
     */
    private void dotDecodedRows(byte[] src, int offset, int from, int count, float[] sums) {
        float[] w = DECODED.get();
        Arrays.fill(sums, 0, rows, 0f);
        for (int done = 0; done < count; done += DECODED_CHUNK) {
            int n = Math.min(DECODED_CHUNK, count - done);
            BitPacker.unpack(src, offset + done / 8 * bits, bits, table, w, 0, n);
            VectorKernels.addDotsOfFloats(w, n, x, from + done, in, rows, sums);
        }
    }
}
