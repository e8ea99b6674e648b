package dev.djlquant;

import dev.djlquant.format.DynamicTree;
import dev.djlquant.format.Formats;
import dev.djlquant.format.Fp8Format;
import dev.djlquant.format.IntFormat;
import dev.djlquant.format.ScalarFormat;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.pack.PackedValues;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Objects;

/**
 * A quantization scheme: a number format applied per group of a granularity, named by a spec string
 * {@code <format>@<granularity>} such as {@code dt4@row} (granularity defaults to {@code row}),
 * with {@code +dq} when the scales themselves are stored at 8 bits ({@link
 * #withQuantizedScales()}). Immutable and thread-safe; {@link #spec()} round-trips through {@link
 * #parse(String)}.
 */
public final class Quantizer {

    /** The spec suffix of {@link #withQuantizedScales()}. */
    private static final String QUANTIZED_SCALES = "+dq";

    private final ScalarFormat format;
    private final Granularity granularity;
    private final boolean quantizedScales;

    private Quantizer(ScalarFormat format, Granularity granularity, boolean quantizedScales) {
        this.format = Objects.requireNonNull(format, "format");
        this.granularity = Objects.requireNonNull(granularity, "granularity");
        if (quantizedScales && format.scaling() == ScalarFormat.Scaling.SPAN) {
            throw new IllegalArgumentException(
                    format.specName()
                            + " keeps the study's float32 scales, which may be infinite; "
                            + QUANTIZED_SCALES
                            + " does not apply");
        }
        if (quantizedScales && format.value(format.code(0f)) != 0f) {
            // An all-zero group must restore to 0, and a stored scale is rarely exactly 0.
            throw new IllegalArgumentException(
                    format.specName()
                            + " maps 0 to "
                            + format.value(format.code(0f))
                            + ", so a group of zeros would not restore to 0 with scales stored at 8"
                            + " bits; "
                            + QUANTIZED_SCALES
                            + " does not apply");
        }
        this.quantizedScales = quantizedScales;
    }

    /**
     * Returns the scheme that applies {@code format} per group of {@code granularity}.
     *
     * @param format the number format
     * @param granularity the grouping
     * @return the scheme, without {@code +dq}
     * @throws NullPointerException if either argument is null
     */
    public static Quantizer of(ScalarFormat format, Granularity granularity) {
        return new Quantizer(format, granularity, false);
    }

    /**
     * Parses {@code <format>[@<granularity>][+dq]}; throws naming the bad part and the valid forms.
     *
     * @param spec the spec; surrounding blanks and the case of the format and of {@code +dq} are
     *     ignored
     * @return the scheme
     * @throws IllegalArgumentException if {@code spec} is null, blank or malformed, names an
     *     unknown format or granularity, or asks for {@code +dq} where it does not apply (see
     *     {@link #withQuantizedScales()})
     */
    public static Quantizer parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(
                    "Empty quantizer spec; expected <format>@<granularity>");
        }
        String body = spec.trim();
        boolean quantizedScales = body.toLowerCase(Locale.ROOT).endsWith(QUANTIZED_SCALES);
        if (quantizedScales) {
            body = body.substring(0, body.length() - QUANTIZED_SCALES.length());
            if (body.toLowerCase(Locale.ROOT).endsWith(QUANTIZED_SCALES)) {
                throw new IllegalArgumentException(
                        "Malformed quantizer spec '" + spec + "': " + QUANTIZED_SCALES + " twice");
            }
        }
        String[] parts = body.split("@", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException(
                    "Malformed quantizer spec '" + spec + "': more than one '@'");
        }
        try {
            ScalarFormat format = Formats.parse(parts[0]);
            Granularity granularity =
                    parts.length == 2 ? Granularity.parse(parts[1]) : Granularity.row();
            return new Quantizer(format, granularity, quantizedScales);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Bad quantizer spec '" + spec + "': " + e.getMessage(), e);
        }
    }

    /**
     * Linear quantization with one scale per tensor, symmetric {@code intK@tensor}: the study's
     * scheme done right (its own arithmetic, truncating and wrapping around, is {@code
     * seedlinear8@tensor}).
     *
     * @param bits the code width K, 2 to 8
     * @return {@code intK@tensor}
     * @throws IllegalArgumentException if {@code bits} is not 2 to 8
     */
    public static Quantizer linearPerTensor(int bits) {
        return of(IntFormat.of(bits), Granularity.tensor());
    }

    /**
     * Row-wise FP8 (OCP E4M3), one scale per output channel.
     *
     * @return {@code fp8e4m3@row}
     */
    public static Quantizer rowwiseFp8() {
        return of(Fp8Format.E4M3, Granularity.row());
    }

    /**
     * Row-wise dynamic tree quantization at {@code bits} bits.
     *
     * @param bits the code width K, 2 to 8
     * @return {@code dtK@row}
     * @throws IllegalArgumentException if {@code bits} is not 2 to 8
     */
    public static Quantizer dynamicTree(int bits) {
        return of(DynamicTree.of(bits), Granularity.row());
    }

    /**
     * Stable embedding: {@code format} per group of {@code groupSize} magnitude-sorted values.
     *
     * @param groupSize the values per group, 1 to {@link Granularity#MAX_GROUP}
     * @param format the number format
     * @return {@code <format>@sortedN} with N = {@code groupSize}
     * @throws IllegalArgumentException if {@code groupSize} is out of range
     */
    public static Quantizer stableEmbedding(int groupSize, ScalarFormat format) {
        return of(format, Granularity.sorted(groupSize));
    }

    /**
     * Returns this scheme with double quantization (QLoRA): its float32 scales are stored as 8-bit
     * codes, {@code dt8} in blocks of 256 after subtracting their mean ({@code +dq} in the spec).
     * Values are encoded with the exact scales and restored with the stored ones, as bitsandbytes
     * does; {@code nf4@block64+dq} takes 4.127 bits a weight against 4.5 without.
     *
     * @return the same scheme with {@code +dq}
     * @throws IllegalArgumentException if the format divides by its scales ({@code seedlinear8}) or
     *     does not encode 0 as 0 ({@code seedfp8}: a group of zeros would not restore to 0)
     */
    public Quantizer withQuantizedScales() {
        return new Quantizer(format, granularity, true);
    }

    /**
     * Returns whether the scales are stored at 8 bits ({@link #withQuantizedScales()}).
     *
     * @return true for {@code +dq}
     */
    public boolean quantizesScales() {
        return quantizedScales;
    }

    /**
     * Returns the canonical spec, e.g. {@code dt4@row} or {@code nf4@block64+dq}.
     *
     * @return {@code <format>@<granularity>}, followed by {@code +dq} if the scales are stored at 8
     *     bits
     */
    public String spec() {
        return format.specName()
                + "@"
                + granularity.spec()
                + (quantizedScales ? QUANTIZED_SCALES : "");
    }

    /**
     * Returns the number format.
     *
     * @return the format applied to every group
     */
    public ScalarFormat format() {
        return format;
    }

    /**
     * Returns the grouping.
     *
     * @return the granularity
     */
    public Granularity granularity() {
        return granularity;
    }

    /**
     * Quantizes row-major {@code values} of the given shape.
     *
     * @param values the values, row-major; not modified
     * @param shape the shape; its values multiply to {@code values.length}
     * @return the quantized tensor
     * @throws IllegalArgumentException if the shape does not match the values or holds none, a
     *     value is NaN or infinite, a group's values are too close to float32's largest to be
     *     stored, or {@code +dq} cannot store a group's scale
     */
    public QuantizedTensor quantize(float[] values, long[] shape) {
        return quantize("tensor", values, shape);
    }

    /**
     * Quantizes row-major {@code values} of the given shape; {@code name} appears in errors (NaN or
     * infinite values, empty tensors, shape mismatches).
     *
     * @param name the tensor's name, for error messages
     * @param values the values, row-major; not modified
     * @param shape the shape; its values multiply to {@code values.length}
     * @return the quantized tensor
     * @throws IllegalArgumentException if the shape does not match the values or holds none, a
     *     value is NaN or infinite, a group's values are too close to float32's largest to be
     *     stored, or {@code +dq} cannot store a group's scale
     * @throws NullPointerException if {@code values} or {@code shape} is null
     */
    public QuantizedTensor quantize(String name, float[] values, long[] shape) {
        return quantize(name, values, shape, false);
    }

    /**
     * Quantizes as {@link #quantize(String, float[], long[])}; with {@code countCodes} the tensor
     * also carries its code histogram, counted during encoding, for {@link
     * QuantizedTensor#codeUsage()}.
     */
    QuantizedTensor quantize(String name, float[] values, long[] shape, boolean countCodes) {
        Objects.requireNonNull(values, () -> name + ": values are null");
        Objects.requireNonNull(shape, () -> name + ": shape is null");
        return quantize(name, FloatBuffer.wrap(values), shape, countCodes);
    }

    /**
     * Quantizes the values of {@code values} from index 0 to its capacity, leaving its position
     * alone: a view of an engine's tensor memory is read where it lies (except by {@code sortedN},
     * which sorts a copy of what is not an array).
     */
    QuantizedTensor quantize(String name, FloatBuffer values, long[] shape, boolean countCodes) {
        return encode(name, values, shape, countCodes, false).tensor();
    }

    /** A quantized tensor and how far its restored values are from the originals. */
    record Measured(QuantizedTensor tensor, ErrorMetrics error) {}

    /**
     * Quantizes as {@link #quantize(String, FloatBuffer, long[], boolean)}, counting the codes, and
     * measures the error ({@link ErrorMetrics#between} the values and the restored ones). The error
     * is measured during encoding, while each chunk's originals are in cache, unless the restored
     * values are not known then ({@code sortedN} measures in the original order, {@code +dq}
     * restores with scales quantized afterwards); then by a second pass over {@code values}.
     */
    Measured quantizeMeasured(String name, FloatBuffer values, long[] shape) {
        Measured m = encode(name, values, shape, true, !granularity.permutes() && !quantizedScales);
        return m.error() != null ? m : new Measured(m.tensor(), m.tensor().errorAgainst(values));
    }

    private Measured encode(
            String name,
            FloatBuffer values,
            long[] shape,
            boolean countCodes,
            boolean measureError) {
        Shapes.checkMatches(shape, values.capacity(), name);
        int groupLength = granularity.groupLength(shape);
        int[] permutation = null;
        FloatBuffer ordered = values;
        if (granularity.permutes()) {
            float[] array = arrayOf(values);
            permutation = MagnitudeSort.stableOrder(array, name);
            ordered = FloatBuffer.wrap(MagnitudeSort.gather(array, permutation));
        }
        GroupKernel.Encoded encoded =
                GroupKernel.quantize(ordered, groupLength, format, name, countCodes, measureError);
        PackedValues packedPermutation =
                permutation == null ? null : MagnitudeSort.pack(permutation);
        if (quantizedScales) {
            checkScalesNotUnderflowed(ordered, groupLength, encoded.scales(), name);
        }
        QuantizedTensor.Scales scales =
                quantizedScales
                        ? QuantizedTensor.Scales.quantized(encoded.scales(), name)
                        : QuantizedTensor.Scales.exact(encoded.scales());
        QuantizedTensor tensor =
                new QuantizedTensor(
                        this,
                        shape.clone(),
                        groupLength,
                        scales,
                        encoded.codes(),
                        packedPermutation,
                        encoded.histogram());
        return new Measured(tensor, encoded.error());
    }

    /**
     * Refuses {@code +dq} for a group whose float32 scale underflowed to 0 while its values are not
     * all 0: they take the largest codes (x / 0 is infinite), and an 8-bit scale of 0 restores near
     * 0 but rarely to it, which would turn those codes into values far from the originals.
     */
    private static void checkScalesNotUnderflowed(
            FloatBuffer values, int groupLength, float[] scales, String name) {
        for (int g = 0; g < scales.length; g++) {
            if (scales[g] != 0f) {
                continue;
            }
            int start = (int) Math.min(values.capacity(), (long) g * groupLength);
            int end = (int) Math.min(values.capacity(), (long) (g + 1) * groupLength);
            for (int i = start; i < end; i++) {
                if (values.get(i) != 0f) {
                    throw new IllegalArgumentException(
                            name
                                    + ": the scale of group "
                                    + g
                                    + " underflows to 0 in float32 (value "
                                    + values.get(i)
                                    + " at index "
                                    + i
                                    + "), which +dq cannot store; quantize this tensor without"
                                    + " +dq");
                }
            }
        }
    }

    /** The buffer's whole array if it wraps one exactly, else a copy of its values. */
    private static float[] arrayOf(FloatBuffer values) {
        if (values.hasArray()
                && values.arrayOffset() == 0
                && values.array().length == values.capacity()) {
            return values.array();
        }
        float[] copy = new float[values.capacity()];
        values.get(0, copy);
        return copy;
    }

    /**
     * Restores the values of {@code t} in their original order (same length as quantized).
     *
     * @param t a tensor quantized with this scheme (the same spec)
     * @return a new array of the tensor's values
     * @throws IllegalArgumentException if {@code t} was quantized with another spec
     */
    public float[] dequantize(QuantizedTensor t) {
        if (!t.quantizer().spec().equals(spec())) {
            throw new IllegalArgumentException(
                    "Tensor was quantized with " + t.quantizer().spec() + ", not " + spec());
        }
        return t.dequantize();
    }

    /**
     * Quantizes and dequantizes in one step: what the weights look like after quantization.
     *
     * @param name the tensor's name, for error messages
     * @param values the values, row-major; not modified
     * @param shape the shape; its values multiply to {@code values.length}
     * @return a new array of the restored values, in the original order
     * @throws IllegalArgumentException as {@link #quantize(String, float[], long[])} does
     */
    public float[] roundTrip(String name, float[] values, long[] shape) {
        return quantize(name, values, shape).dequantize();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantizer && ((Quantizer) o).spec().equals(spec());
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }

    @Override
    public String toString() {
        return spec();
    }
}
