package dev.djlquant;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.djlquant.format.ScalarFormat;
import dev.djlquant.format.SeedArithmetic;
import dev.djlquant.metrics.ExponentHistogram;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The study's seven functions, one to one, on DJL NDArrays. By default they use the study's own
 * arithmetic ({@code seedfp8} and {@code seeddt8}, one group per run of the last axis); overloads
 * taking a {@link Quantizer} use any scheme. Exponent counts come back in the result instead of the
 * study's global dictionary. Work happens in Java on a copy; inputs are not modified.
 */
public final class Quantization {

    private Quantization() {}

    /**
     * What a quantize function returns: normalized quantized values (the input's shape; for stable
     * embedding in magnitude order), the group maxima, the sort order for stable embedding (else
     * null), for dynamic trees the decimal-exponent histogram (else null), and the values per group
     * (the last group may be shorter). {@code values * maxes} restores the input's quantized
     * values. With a {@link Quantizer} whose format's range is not 1 ({@code intK}: {@code 2^(K-1)
     * - 1}, {@code fp8e4m3}: 448, {@code fp8e5m2}: 57344), {@code values} are the codes' values
     * before scaling and {@code maxes} the scales {@code max|x| / range}; otherwise (the study's
     * formats, {@code dtK}, {@code nfK}) they are the normalized values and the maxima.
     */
    public record Quantized(
            NDArray values,
            NDArray maxes,
            NDArray indexing,
            ExponentHistogram exponents,
            int groupLength) {}

    /** The mean absolute error and the element-wise {@code |original - dequantized|}. */
    public record QuantizationError(double mae, NDArray absoluteDifference) {}

    /**
     * The study's {@code quantize_rowwise}: seeddt8 when {@code dt}, else seedfp8, per row.
     *
     * @param x the values, of any shape and numeric data type; read as float32, not modified
     * @param dt true for {@code seeddt8}, false for {@code seedfp8}
     * @return the normalized values (float32, the shape of {@code x}) and one maximum per run of
     *     the last axis
     */
    public static Quantized quantizeRowwise(NDArray x, boolean dt) {
        return quantizeRowwise(x, Quantizer.parse(dt ? "seeddt8@lastaxis" : "seedfp8@lastaxis"));
    }

    /**
     * {@code quantize_rowwise} with any format; the granularity must be row or lastaxis.
     *
     * @param x the values, of any shape and numeric data type; read as float32, not modified
     * @param quantizer the scheme; its granularity must be {@code row} or {@code lastaxis} and its
     *     format must multiply by its scales
     * @return the values before scaling (float32, the shape of {@code x}) and the scales, shaped to
     *     broadcast against them ({@code [1]} for a 1-D {@code x}); no sort order
     * @throws IllegalArgumentException if the granularity is neither {@code row} nor {@code
     *     lastaxis}, or the format divides by its scales ({@code seedlinear8})
     */
    public static Quantized quantizeRowwise(NDArray x, Quantizer quantizer) {
        Granularity.Kind kind = quantizer.granularity().kind();
        if (kind != Granularity.Kind.ROW && kind != Granularity.Kind.LASTAXIS) {
            throw new IllegalArgumentException(
                    "quantizeRowwise needs row or lastaxis groups, not " + quantizer.spec());
        }
        QuantizedTensor t = quantize(x, quantizer);
        long[] shape = x.getShape().getShape();
        long[] maxesShape = maxesShape(shape, kind, t.groups());
        return new Quantized(
                like(x, m -> m.create(t.normalizedValues(), x.getShape())),
                like(x, m -> m.create(t.scales(), new Shape(maxesShape))),
                null,
                exponents(t),
                t.groupLength());
    }

    /**
     * The study's {@code dequantize_rowwise}: {@code q * maxes}, broadcast per row.
     *
     * @param q the normalized values
     * @param maxes the group maxima, broadcastable against {@code q}
     * @return a new array, {@code q * maxes}
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    public static NDArray dequantizeRowwise(NDArray q, NDArray maxes) {
        try {
            return q.mul(maxes);
        } catch (EngineException e) {
            throw new IllegalArgumentException(
                    "Row maxima of shape "
                            + maxes.getShape()
                            + " do not broadcast against values of shape "
                            + q.getShape()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * The study's {@code quantize_stable_embedding}: sort by magnitude (stable), quantize groups of
     * {@code batchSize} with seeddt8 when {@code dt}, else seedfp8. The last group may be short.
     *
     * @param x the values, of any shape and numeric data type; read as float32, not modified
     * @param batchSize the values per group
     * @param dt true for {@code seeddt8}, false for {@code seedfp8}
     * @return the normalized values in magnitude order, the group maxima and the sort order
     * @throws IllegalArgumentException if {@code batchSize} is not a valid group size
     */
    public static Quantized quantizeStableEmbedding(NDArray x, int batchSize, boolean dt) {
        if (batchSize < 1 || batchSize > Granularity.MAX_GROUP) {
            throw new IllegalArgumentException(
                    "Stable embedding batchSize must be 1.."
                            + Granularity.MAX_GROUP
                            + ", got "
                            + batchSize);
        }
        String format = dt ? "seeddt8" : "seedfp8";
        return quantizeStableEmbedding(x, Quantizer.parse(format + "@sorted" + batchSize));
    }

    /**
     * {@code quantize_stable_embedding} with any format; the granularity must be sortedN.
     *
     * @param x the values, of any shape and numeric data type; read as float32, not modified
     * @param quantizer the scheme; its granularity must be {@code sortedN} and its format must
     *     multiply by its scales
     * @return the values before scaling in magnitude order (float32, the shape of {@code x}), one
     *     scale per group (1-D) and the sort order (int64, storage position to index)
     * @throws IllegalArgumentException if the granularity is not {@code sortedN}, or the format
     *     divides by its scales ({@code seedlinear8})
     */
    public static Quantized quantizeStableEmbedding(NDArray x, Quantizer quantizer) {
        if (!quantizer.granularity().permutes()) {
            throw new IllegalArgumentException(
                    "quantizeStableEmbedding needs sortedN groups, not " + quantizer.spec());
        }
        QuantizedTensor t = quantize(x, quantizer);
        long[] order = Arrays.stream(t.permutation()).asLongStream().toArray();
        NDArray maxes = like(x, m -> m.create(t.scales()));
        maxes.setName(GROUPS_OF + t.groupLength());
        return new Quantized(
                like(x, m -> m.create(t.normalizedValues(), x.getShape())),
                maxes,
                like(x, m -> m.create(order)),
                exponents(t),
                t.groupLength());
    }

    /**
     * The name {@link #quantizeStableEmbedding} gives its maxes, followed by the group size, which
     * the three-argument {@link #dequantizeStableEmbedding(NDArray, NDArray, NDArray)} reads back:
     * with a short last group the values and maxes alone can fit several group sizes.
     */
    private static final String GROUPS_OF = "stable embedding maxes, values per group: ";

    /**
     * The study's {@code dequantize_stable_embedding}: scales each group and restores the original
     * order and shape. The group size is the one {@link #quantizeStableEmbedding} recorded in the
     * name of {@code maxes}, when they come from it. Otherwise, like the study's, which required
     * the group size to divide {@code n}, it takes groups of {@code n / groups} when that divides,
     * even where a larger group size with a short last group gives as many groups (42 values in
     * groups of 7 or of 8), else the one group size that fits, and throws if several do.
     *
     * @param q the normalized values in magnitude order
     * @param maxes one maximum per group
     * @param indexing the sort order: a permutation of {@code 0..n-1}, storage position to index
     * @return a new float32 array of the shape of {@code q}, in the original order
     * @throws IllegalArgumentException if several group sizes fit, or the parts do not agree, or
     *     {@code indexing} is not a permutation
     */
    public static NDArray dequantizeStableEmbedding(NDArray q, NDArray maxes, NDArray indexing) {
        String name = maxes.getName();
        if (name != null && name.startsWith(GROUPS_OF)) {
            return dequantizeStableEmbedding(
                    q, maxes, indexing, Integer.parseInt(name.substring(GROUPS_OF.length())));
        }
        long n = q.size();
        long groups = maxes.size();
        if (groups == 0) {
            if (n > 0) {
                throw new IllegalArgumentException(
                        "Stable embedding maxes are empty but there are " + n + " values");
            }
            return dequantizeStableEmbedding(q, maxes, indexing, 1);
        }
        long size = (n + groups - 1) / groups;
        if (n % groups != 0 && groups > 1 && (size + 1) * (groups - 1) < n) {
            throw new IllegalArgumentException(
                    n + " values in " + groups + " groups fit several group sizes; pass batchSize");
        }
        return dequantizeStableEmbedding(q, maxes, indexing, (int) size);
    }

    /**
     * {@code dequantize_stable_embedding} of what {@link #quantizeStableEmbedding} returned.
     *
     * @param q what {@link #quantizeStableEmbedding} returned
     * @return a new float32 array of the input's shape, in the original order
     * @throws IllegalArgumentException if {@code q} has no sort order (it came from {@link
     *     #quantizeRowwise}) or its parts do not agree
     */
    public static NDArray dequantizeStableEmbedding(Quantized q) {
        if (q.indexing() == null) {
            throw new IllegalArgumentException(
                    "Not a stable embedding (no sort order): use dequantizeRowwise");
        }
        return dequantizeStableEmbedding(q.values(), q.maxes(), q.indexing(), q.groupLength());
    }

    /**
     * {@code dequantize_stable_embedding} with the group size given.
     *
     * @param q the normalized values in magnitude order
     * @param maxes one maximum per group
     * @param indexing the sort order: a permutation of {@code 0..n-1}, storage position to index
     * @param batchSize the values per group, at least 1; the last group may be shorter
     * @return a new float32 array of the shape of {@code q}, in the original order
     * @throws IllegalArgumentException if {@code batchSize} is below 1, the numbers of values,
     *     indices and maxima do not agree with it, or {@code indexing} is not a permutation
     */
    public static NDArray dequantizeStableEmbedding(
            NDArray q, NDArray maxes, NDArray indexing, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException(
                    "Stable embedding group size must be at least 1, got " + batchSize);
        }
        float[] values = floats(q);
        float[] scales = floats(maxes);
        long[] order = longs(indexing);
        if (order.length != values.length
                || (values.length + batchSize - 1) / batchSize != scales.length) {
            throw new IllegalArgumentException(
                    "Stable embedding parts disagree: "
                            + values.length
                            + " values, "
                            + order.length
                            + " indices, "
                            + scales.length
                            + " groups of "
                            + batchSize);
        }
        checkPermutation(order);
        float[] out = new float[values.length];
        for (int j = 0; j < values.length; j++) {
            out[(int) order[j]] = values[j] * scales[j / batchSize];
        }
        return like(q, m -> m.create(out, q.getShape()));
    }

    /**
     * The study's {@code measure_quantization_error}: MAE (in double) and {@code |diff|}.
     *
     * @param original the original values
     * @param dequantized the restored values, of the same shape
     * @return the mean absolute error (0 for no values) and a new array of the absolute differences
     * @throws IllegalArgumentException if the shapes differ
     */
    public static QuantizationError measureQuantizationError(
            NDArray original, NDArray dequantized) {
        if (!original.getShape().equals(dequantized.getShape())) {
            throw new IllegalArgumentException(
                    "Shapes differ: " + original.getShape() + " vs " + dequantized.getShape());
        }
        NDArray diff;
        try (NDArray signed = original.sub(dequantized)) {
            diff = signed.abs();
        }
        double[] d = doubles(diff);
        double sum = 0;
        for (double v : d) {
            sum += v;
        }
        return new QuantizationError(d.length == 0 ? 0 : sum / d.length, diff);
    }

    /**
     * The study's {@code round_fp8}.
     *
     * @param x the value, already divided by its group maximum
     * @param exponentBits 4 or 5
     * @return the rounded value
     * @throws IllegalArgumentException if {@code exponentBits} is not 4 or 5
     */
    public static float roundFp8(float x, int exponentBits) {
        return SeedArithmetic.roundFp8(x, exponentBits);
    }

    /**
     * The study's {@code round_fp8} with its default of 4 exponent bits.
     *
     * @param x the value, already divided by its group maximum
     * @return the rounded value
     */
    public static float roundFp8(float x) {
        return SeedArithmetic.roundFp8(x);
    }

    /**
     * The study's {@code round_dt8}.
     *
     * @param x the value, already divided by its group maximum
     * @param numBits the nominal width, 3 to 8
     * @return the rounded value; zero stays zero
     * @throws IllegalArgumentException if {@code numBits} is not 3 to 8
     */
    public static float roundDt8(float x, int numBits) {
        return SeedArithmetic.roundDt(x, numBits);
    }

    /**
     * The study's {@code round_dt8} with its default of 8 bits.
     *
     * @param x the value, already divided by its group maximum
     * @return the rounded value; zero stays zero
     */
    public static float roundDt8(float x) {
        return SeedArithmetic.roundDt(x);
    }

    private static QuantizedTensor quantize(NDArray x, Quantizer quantizer) {
        if (quantizer.format().scaling() != ScalarFormat.Scaling.ABSMAX) {
            throw new IllegalArgumentException(
                    "The study's functions return maxima that the values are multiplied by; "
                            + quantizer.spec()
                            + " divides by its scales: use Quantizer.quantize and dequantize");
        }
        float[] values = floats(x);
        if (x.getDataType() == DataType.FLOAT64) {
            ParameterArrays.checkFloatRange("input", x, values);
        }
        return quantizer.quantize("input", values, x.getShape().getShape());
    }

    private static float[] floats(NDArray x) {
        return read(x, DataType.FLOAT32, NDArray::toFloatArray);
    }

    private static double[] doubles(NDArray x) {
        return read(x, DataType.FLOAT64, NDArray::toDoubleArray);
    }

    private static long[] longs(NDArray x) {
        return read(x, DataType.INT64, NDArray::toLongArray);
    }

    /**
     * Reads {@code x} as {@code type}, through a copy that is closed right after if it differs.
     * BFLOAT16 is refused, as the library's other readers refuse it: conversions to it abort the
     * JVM in this DJL build, and conversions from it are not known to be safe.
     */
    private static <T> T read(NDArray x, DataType type, Function<NDArray, T> reader) {
        if (x.getDataType() == type) {
            return reader.apply(x);
        }
        if (x.getDataType() == DataType.BFLOAT16) {
            throw new IllegalArgumentException(
                    "BFLOAT16 arrays are not supported (converting them is unsafe in this DJL"
                            + " build): pass FLOAT16, FLOAT32 or FLOAT64 values");
        }
        try (NDArray copy = x.toType(type, true)) {
            return reader.apply(copy);
        }
    }

    /** Rejects a stable-embedding index array that is not a permutation of {@code 0..n-1}. */
    private static void checkPermutation(long[] order) {
        boolean[] seen = new boolean[order.length];
        for (int j = 0; j < order.length; j++) {
            long i = order[j];
            if (i < 0 || i >= order.length || seen[(int) i]) {
                throw new IllegalArgumentException(
                        "Stable embedding indexing is not a permutation of 0.."
                                + (order.length - 1)
                                + ": "
                                + (i < 0 || i >= order.length ? "out of range" : "repeated")
                                + " index "
                                + i
                                + " at position "
                                + j);
            }
            seen[(int) i] = true;
        }
    }

    /**
     * Creates an array on {@code like}'s device, attached to {@code like}'s manager (whose own
     * device may differ, e.g. after {@code toDevice}).
     */
    private static NDArray like(NDArray like, Function<NDManager, NDArray> create) {
        NDManager manager = like.getManager();
        Device device = like.getDevice();
        if (device.equals(manager.getDevice())) {
            return create.apply(manager);
        }
        try (NDManager onDevice = manager.newSubManager(device)) {
            NDArray array = create.apply(onDevice);
            array.attach(manager);
            return array;
        }
    }

    private static long[] maxesShape(long[] shape, Granularity.Kind kind, int groups) {
        if (shape.length < 2) {
            return new long[] {1};
        }
        long[] s = new long[shape.length];
        Arrays.fill(s, 1);
        if (kind == Granularity.Kind.ROW) {
            s[0] = groups;
        } else {
            System.arraycopy(shape, 0, s, 0, shape.length - 1);
        }
        return s;
    }

    private static ExponentHistogram exponents(QuantizedTensor t) {
        return t.codeUsage().exponents();
    }
}
