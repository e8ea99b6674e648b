package dev.djlquant;

import dev.djlquant.format.ScalarFormat;
import dev.djlquant.metrics.CodeUsage;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.pack.BitPacker;
import dev.djlquant.pack.CodeKernel;
import dev.djlquant.pack.PackedDot;
import dev.djlquant.pack.PackedValues;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A tensor held as packed codes, one scale per group (float32, or 8-bit for {@code +dq}) and, for
 * {@code sortedN}, the packed permutation: exactly {@link #storageBytes()} bytes of payload.
 * Immutable; serializes to a checksummed byte stream that {@link #readFrom(InputStream)} validates
 * field by field.
 */
public final class QuantizedTensor {

    /**
     * Newest serialization format version, written by {@link #writeTo(OutputStream)} for tensors
     * with 8-bit scales ({@code +dq}); the others are written as version 1, the layout of earlier
     * releases, which this library also reads.
     */
    public static final byte VERSION = 2;

    private final Quantizer quantizer;
    private final long[] shape;
    private final int groupLength;
    private final Scales scales;
    private final PackedValues codes;
    private final PackedValues permutation;

    /** How often each code occurs, when counted during encoding; else null (counted on demand). */
    private final long[] histogram;

    QuantizedTensor(
            Quantizer quantizer,
            long[] shape,
            int groupLength,
            Scales scales,
            PackedValues codes,
            PackedValues permutation,
            long[] histogram) {
        this.quantizer = quantizer;
        this.shape = shape;
        this.groupLength = groupLength;
        this.scales = scales;
        this.codes = codes;
        this.permutation = permutation;
        this.histogram = histogram;
    }

    /**
     * Returns the scheme that produced this tensor.
     *
     * @return the quantizer
     */
    public Quantizer quantizer() {
        return quantizer;
    }

    /**
     * Returns a copy of the shape.
     *
     * @return the dimensions, outermost first, in a new array
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Returns the number of values.
     *
     * @return the product of the dimensions
     */
    public int size() {
        return (int) Shapes.size(shape);
    }

    /**
     * Returns the number of groups, i.e. of scales.
     *
     * @return the number of groups, one scale each
     */
    public int groups() {
        return scales.count();
    }

    /**
     * Returns the length of every group but possibly the last.
     *
     * @return the values per group; the last group may hold fewer
     */
    public int groupLength() {
        return groupLength;
    }

    /**
     * Returns how far {@code +dq}'s 8-bit scales restore from the float32 ones: the factor, at
     * least 1, by which the scale restored furthest from its float32 value differs from it, either
     * way; every value of that group restores as far off. 1 for float32 scales (and for groups that
     * are all zero); NaN for a {@code +dq} tensor read from a stream, which holds only the 8-bit
     * scales. {@link Quantizers#apply}'s report warns above 2; the scales of a tensor whose group
     * maxima span orders of magnitude can restore far worse.
     *
     * @return the factor, at least 1, or NaN if unknown
     */
    public double scaleDistortion() {
        return scales.eightBit() == null ? 1 : scales.eightBit().distortion();
    }

    /** The scales as stored (float32, or 8-bit for {@code +dq}). */
    Scales storedScales() {
        return scales;
    }

    /** The packed codes. */
    PackedValues packedCodes() {
        return codes;
    }

    /** The packed permutation of {@code sortedN}, or null. */
    PackedValues packedPermutation() {
        return permutation;
    }

    /**
     * Returns a copy of the per-group scales that restoring uses: {@code absmax / range}, or for
     * {@code +dq} its 8-bit approximation; for {@code seedlinear8}, {@code S = 255 / (max - min)},
     * which restoring divides by ({@link dev.djlquant.format.ScalarFormat.Scaling#SPAN}).
     *
     * @return a new array of {@link #groups()} scales, group by group
     */
    public float[] scales() {
        return scales.values().clone();
    }

    /**
     * Returns the bits of the stored permutation per value (0 unless {@code sortedN}).
     *
     * @return {@code ceil(log2 n)} for {@code sortedN}, else 0
     */
    public int permutationBits() {
        return permutation == null ? 0 : BitPacker.indexBits(size());
    }

    /**
     * Returns the exact packed size: {@code ceil(n*K/8) + 4*groups} (for {@code +dq}: {@code groups
     * + 4*ceil(groups/256) + 4}) plus, for {@code sortedN}, the permutation at {@code ceil(log2 n)}
     * bits per value.
     *
     * @return the payload in bytes, without the serialized header and checksum
     */
    public long storageBytes() {
        long n = size();
        long bytes =
                BitPacker.packedBytes(n, quantizer.format().codeBits()) + scales.storageBytes();
        return permutation == null ? bytes : bytes + BitPacker.packedBytes(n, permutationBits());
    }

    /**
     * Returns the study's own size estimate, {@code (n*K + 32*groups) / 8} with K the nominal bits;
     * it ignores the permutation and the study formats' wider codes.
     *
     * @return the estimate in bytes, possibly fractional
     */
    public double studyEstimateBytes() {
        return ((double) size() * quantizer.format().nominalBits() + 32.0 * groups()) / 8;
    }

    /**
     * Restores the values in their original order.
     *
     * @return a new array of {@link #size()} values
     */
    public float[] dequantize() {
        float[] values = GroupKernel.decode(grouped());
        return permutation == null ? values : MagnitudeSort.scatter(values, permutation());
    }

    /**
     * Returns how far the restored values are from {@code original} (same length), equal to {@code
     * ErrorMetrics.between(original, dequantize())}: block by block, without a restored copy
     * (except for {@code sortedN}, whose order must be undone first).
     */
    ErrorMetrics errorAgainst(FloatBuffer original) {
        if (permutation != null) {
            return ErrorMetrics.between(original, dequantize());
        }
        return GroupKernel.error(original, grouped());
    }

    /**
     * Restores the values in their original order into {@code out} from index 0 (its position is
     * not used): a direct buffer over an engine's tensor memory is filled chunk by chunk from a
     * small cache-resident array, never from a copy of the whole tensor (except for {@code
     * sortedN}, whose values are put back in order in a full array first).
     *
     * @param out receives the values at indices 0 to {@code size() - 1}; its position is neither
     *     used nor changed
     * @throws IllegalArgumentException if the limit of {@code out} is below {@link #size()}
     */
    public void dequantizeInto(FloatBuffer out) {
        if (out.limit() < size()) {
            throw new IllegalArgumentException(
                    "A buffer of " + out.limit() + " floats cannot hold " + size() + " values");
        }
        if (permutation != null) {
            out.put(0, dequantize());
            return;
        }
        GroupKernel.decode(grouped(), out);
    }

    /**
     * Whether {@link #dequantizeRowsInto} applies: a 2-D tensor in its original order whose rows
     * start on bytes of the packed stream.
     */
    boolean rowsRestorable() {
        return shape.length == 2 && permutation == null && shape[1] * codes.bits() % 8 == 0;
    }

    /**
     * Restores rows {@code [fromRow, toRow)} of this 2-D tensor into {@code out} from index 0: a
     * linear layer's weight too large to restore whole, block by block. Needs {@link
     * #rowsRestorable}.
     */
    void dequantizeRowsInto(int fromRow, int toRow, FloatBuffer out) {
        if (!rowsRestorable() || fromRow < 0 || fromRow > toRow || toRow > shape[0]) {
            throw new IllegalArgumentException(
                    "Rows "
                            + fromRow
                            + " to "
                            + toRow
                            + " of a tensor of shape "
                            + Arrays.toString(shape)
                            + " cannot be restored on their own");
        }
        int in = (int) shape[1];
        GroupKernel.decode(grouped(), fromRow * in, (toRow - fromRow) * in, out);
    }

    /**
     * Returns {@code input · Wᵀ} for this tensor as a weight {@code W} of shape {@code [out, in]}
     * and {@code rows} input rows of {@code in} values: what a linear layer computes, row-major
     * {@code rows x out}. A tensor of more dimensions is the matrix of its first dimension by the
     * rest (a convolution's filters by their flattened patches). Each product is summed straight
     * from the packed codes, so the float32 weight never exists; the sums may round differently
     * from an engine's matrix product.
     *
     * @param input the {@code rows x in} input values, row-major
     * @param rows the number of input rows, non-negative
     * @return a new array of {@code rows x out} values, row-major; empty if {@code rows} is 0
     * @throws IllegalArgumentException if this tensor has fewer than 2 dimensions, or {@code rows}
     *     is negative, or {@code input} does not hold {@code rows * in} values
     */
    public float[] linear(float[] input, int rows) {
        if (shape.length < 2) {
            throw new IllegalArgumentException(
                    "linear needs a weight of 2 or more dimensions, this tensor has shape "
                            + Arrays.toString(shape));
        }
        int out = (int) shape[0];
        int in = matrixColumns();
        if (rows < 0 || input.length != (long) rows * in) {
            throw new IllegalArgumentException(
                    rows + " input rows of " + in + " values cannot come from " + input.length);
        }
        if (rows == 0) {
            return new float[0];
        }
        return LinearKernel.multiply(rowDot(in, input, rows), out, in, rows);
    }

    /**
     * The kernel that {@link #linear} sums packed codes with, or null where it multiplies restored
     * values: sorted storage, or rows or groups that do not start on a byte of the stream.
     */
    CodeKernel linearKernel() {
        int bits = codes.bits();
        long in = shape.length >= 2 ? matrixColumns() : 0;
        if (permutation != null || in * bits % 8 != 0 || (long) groupLength * bits % 8 != 0) {
            return null;
        }
        return CodeKernel.of(bits, quantizer.format().valueTable());
    }

    /** The values per first-axis slice: the columns of this tensor as a matrix. */
    private int matrixColumns() {
        return (int) Shapes.size(Arrays.copyOfRange(shape, 1, shape.length));
    }

    /** Multiplies straight from the codes where {@link #linearKernel} has a kernel. */
    private LinearKernel.RowDot rowDot(int in, float[] input, int rows) {
        if (linearKernel() == null) {
            float[] all = dequantize();
            return (row, sums, scratch) -> {
                for (int b = 0; b < rows; b++) {
                    sums[b] = LinearKernel.dot(all, row * in, input, b * in, in);
                }
            };
        }
        GroupKernel.Grouped grouped = grouped();
        PackedDot x = PackedDot.of(codes.bits(), grouped.table(), input, rows);
        return (row, sums, scratch) -> GroupKernel.dotRows(grouped, row * in, in, x, scratch, sums);
    }

    private GroupKernel.Grouped grouped() {
        ScalarFormat format = quantizer.format();
        return new GroupKernel.Grouped(
                codes, scales.values(), groupLength, format.valueTable(), format.scaling());
    }

    /**
     * Returns {@code value(code)} of every value in storage order: grouped values before scaling,
     * sorted by magnitude for {@code sortedN}, the original order otherwise.
     *
     * @return a new array of {@link #size()} values
     */
    public float[] normalizedValues() {
        float[] ones = new float[groups()];
        Arrays.fill(ones, 1f);
        ScalarFormat format = quantizer.format();
        return GroupKernel.decode(
                new GroupKernel.Grouped(
                        codes, ones, groupLength, format.valueTable(), format.scaling()));
    }

    /**
     * Returns the stable magnitude order for {@code sortedN} (storage position to index), or null.
     *
     * @return a new array of {@link #size()} indices, or null unless {@code sortedN}
     */
    public int[] permutation() {
        return permutation == null ? null : MagnitudeSort.unpack(permutation);
    }

    /**
     * Returns how often each code occurs, its entropy and, for dynamic trees, the exponents.
     *
     * @return the code usage; the counts are taken from the codes now unless they were counted
     *     during encoding
     */
    public CodeUsage codeUsage() {
        long[] counts = histogram != null ? histogram.clone() : GroupKernel.histogram(codes);
        return CodeUsage.of(counts, quantizer.format());
    }

    /**
     * Writes this tensor as a versioned, CRC-checked byte stream ({@link TensorStream}).
     *
     * @param out the stream; flushed, not closed
     * @throws IOException if writing to {@code out} fails
     */
    public void writeTo(OutputStream out) throws IOException {
        TensorStream.write(this, out);
    }

    /**
     * Returns this tensor's serialized bytes.
     *
     * @return what {@link #writeTo(OutputStream)} writes, in a new array
     */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) storageBytes() + 128);
        try {
            writeTo(bytes);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a tensor written by {@link #writeTo(OutputStream)}, checking magic, version, every
     * length against the shape, and the checksum; throws {@link CorruptTensorException} otherwise.
     *
     * @param in the stream, positioned at a tensor; read up to the end of that tensor, not closed
     * @return the tensor
     * @throws CorruptTensorException if the stream is truncated, a field is invalid, the version is
     *     unknown or the checksum does not match
     * @throws IOException if reading from {@code in} fails
     */
    public static QuantizedTensor readFrom(InputStream in) throws IOException {
        return TensorStream.read(in);
    }

    /** Most tensors {@link #readNamed} takes: a count beyond it is damage, not a model. */
    private static final int MAX_NAMED = 1_000_000;

    /**
     * Writes named tensors as their count, then each name (modified UTF-8) and tensor: the layout
     * of a {@link QuantizedBlock}'s packed weights and of a checkpoint's weights file.
     *
     * @param tensors the tensors by name, written in the map's order
     * @param out the stream; not flushed, not closed
     * @throws IOException if writing to {@code out} fails
     */
    public static void writeNamed(Map<String, QuantizedTensor> tensors, DataOutputStream out)
            throws IOException {
        out.writeInt(tensors.size());
        for (Map.Entry<String, QuantizedTensor> e : tensors.entrySet()) {
            out.writeUTF(e.getKey());
            e.getValue().writeTo(out);
        }
    }

    /**
     * Reads what {@link #writeNamed} wrote.
     *
     * @param in the stream, positioned at the count; read up to the last tensor's end
     * @return the tensors by name, in the order written
     * @throws CorruptTensorException if the count is negative or implausible, a name is not
     *     modified UTF-8, or a tensor is corrupt (naming it)
     * @throws IOException if reading from {@code in} fails or it ends early
     */
    public static Map<String, QuantizedTensor> readNamed(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > MAX_NAMED) {
            throw new CorruptTensorException("implausible tensor count " + count);
        }
        Map<String, QuantizedTensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name;
            try {
                name = in.readUTF();
            } catch (UTFDataFormatException e) {
                throw new CorruptTensorException(
                        "the name of quantized weight "
                                + i
                                + " is damaged ("
                                + e.getMessage()
                                + ")",
                        e);
            }
            try {
                tensors.put(name, readFrom(in));
            } catch (CorruptTensorException e) {
                throw new CorruptTensorException(
                        "quantized weight " + name + ": " + e.getMessage(), e);
            }
        }
        return tensors;
    }

    /**
     * Parses {@link #toBytes()} output.
     *
     * @param bytes one serialized tensor, nothing before or after it
     * @return the tensor
     * @throws IOException only as a {@link CorruptTensorException}: if the bytes are truncated or
     *     invalid, of an unknown version, fail the checksum, or go on past the tensor's end
     */
    public static QuantizedTensor fromBytes(byte[] bytes) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        QuantizedTensor t = readFrom(in);
        if (in.available() > 0) {
            throw new CorruptTensorException(
                    in.available()
                            + " bytes follow the tensor's end (at byte "
                            + (bytes.length - in.available())
                            + " of "
                            + bytes.length
                            + ")");
        }
        return t;
    }

    /**
     * A tensor's group scales: float32 as computed ({@code exact}), or stored at 8 bits and
     * restored on use ({@code quantized}); exactly one of the two is set.
     */
    record Scales(float[] float32, DoubleQuantizedScales eightBit) {

        /** Keeps {@code scales} as they are. */
        static Scales exact(float[] scales) {
            return new Scales(scales, null);
        }

        /** Stores the scales of tensor {@code name} at 8 bits ({@link DoubleQuantizedScales}). */
        static Scales quantized(float[] scales, String name) {
            return new Scales(null, DoubleQuantizedScales.of(scales, name));
        }

        int count() {
            return float32 != null ? float32.length : eightBit.count();
        }

        /** The scales that restoring uses; the held array itself when they are exact. */
        float[] values() {
            return float32 != null ? float32 : eightBit.restore();
        }

        long storageBytes() {
            return float32 != null ? 4L * float32.length : eightBit.storageBytes();
        }

        void writeTo(DataOutputStream out, CRC32 crc) throws IOException {
            if (eightBit != null) {
                eightBit.writeTo(out, crc);
                return;
            }
            ByteBuffer bytes = ByteBuffer.allocate(4 * float32.length).order(ByteOrder.BIG_ENDIAN);
            bytes.asFloatBuffer().put(float32);
            crc.update(bytes.array());
            out.write(bytes.array());
        }

        /**
         * Rejects scales that no finite tensor could have produced: negative, NaN or infinite ones;
         * with {@link ScalarFormat.Scaling#SPAN}, zero, NaN or negative ones (a group of equal
         * values has an infinite scale).
         */
        void check(ScalarFormat.Scaling scaling) throws CorruptTensorException {
            if (eightBit != null) {
                eightBit.check();
                return;
            }
            boolean span = scaling == ScalarFormat.Scaling.SPAN;
            for (int g = 0; g < float32.length; g++) {
                float s = float32[g];
                if (span ? !(s > 0f) : !(s >= 0f) || Float.isInfinite(s)) {
                    throw new CorruptTensorException("scale " + g + " is " + float32[g]);
                }
            }
        }
    }
}
