package dev.djlquant.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.djlquant.format.DynamicTree;
import dev.djlquant.format.Fp8Format;
import java.util.function.UnaryOperator;

/**
 * The baseline: a scheme's arithmetic composed from DJL NDArray operations (PyTorch engine), the
 * way a DJL user would write it without this library. Group maxima are {@code abs().max(axis 1,
 * keepDims)} for {@code @row} and {@code abs().max()} for {@code @tensor} on a 2-D weight.
 *
 * <ul>
 *   <li>{@code intK}: {@code clip(round(x / s), -qmax, qmax)} as INT8 codes; {@code round} is
 *       half-to-even, so the codes are djl-quant's bit for bit.
 *   <li>{@code fp8e4m3}: DJL has no FP8 data type, so the composition rounds in float32 the usual
 *       way ({@code e = max(floor(log2|y|), -6)}, step {@code 2^(e-3)}, {@code round(y / step) *
 *       step}, clip to 448). Its "codes" are float32 values, 4 bytes each: it does less work than
 *       producing 8-bit codes. Dequantize looks the 256 FP8 values up with {@code take}.
 *   <li>{@code dtK}: DJL 0.36 has no {@code searchsorted}/{@code bucketize}, and a brute-force
 *       argmin over a broadcast {@code [n, 2^K]} difference is 2^K times the work, so the codes
 *       come from a K-step binary search over the float32 midpoints of the sorted codebook ({@code
 *       take} of the probe threshold, {@code gt}, {@code where}); ties go to the lower code as in
 *       the spec. Codes are UINT8, one byte each (DJL has no bit shifts to pack 4- or 3-bit codes).
 *       Dequantize is {@code codebook.take(codes) * s}.
 *   <li>{@code seedlinear8}: the study's own PyTorch arithmetic, {@code S = 255 / (max - min)} (a
 *       tensor of 255 divided by the span, which is float32 division; PyTorch's scalar {@code 255 /
 *       t} would multiply by a reciprocal), {@code (x * S).toType(INT8)}, which truncates and
 *       wraps, and {@code codes / S}.
 * </ul>
 *
 * Large intermediates are closed as soon as they are used, as careful DJL code does. Results are
 * attached to the manager of the input array.
 */
final class NdComposition {

    enum Kind {
        INT,
        FP8,
        DT,
        SPAN
    }

    /** Schemes that have a composition, in table order. */
    static final String[] SPECS = {
        "int8@row",
        "fp8e4m3@row",
        "dt8@row",
        "dt4@row",
        "dt3@row",
        "int8@tensor",
        "seedlinear8@tensor"
    };

    private final Kind kind;
    private final int bits;
    private final boolean rowwise;
    private final float range;

    /** dtK: {@code probe[c]} = midpoint between codebook entries c-1 and c (probe[0] unused). */
    private final NDArray probe;

    /** fp8 and dtK: the value of every code, indexed by code. */
    private final NDArray valueTable;

    private NdComposition(Kind kind, int bits, boolean rowwise, NDManager manager) {
        this.kind = kind;
        this.bits = bits;
        this.rowwise = rowwise;
        switch (kind) {
            case INT:
                range = (1 << (bits - 1)) - 1;
                probe = null;
                valueTable = null;
                break;
            case SPAN:
                range = 255f;
                probe = null;
                valueTable = null;
                break;
            case FP8:
                range = Fp8Format.E4M3.max();
                probe = null;
                float[] fp8 = new float[256];
                for (int c = 0; c < 256; c++) {
                    fp8[c] = Fp8Format.E4M3.decode((byte) c);
                }
                valueTable = manager.create(fp8);
                break;
            default:
                range = 1f;
                float[] codebook = DynamicTree.codebook(bits);
                float[] mid = new float[codebook.length];
                mid[0] = Float.NEGATIVE_INFINITY;
                for (int c = 1; c < codebook.length; c++) {
                    mid[c] = (codebook[c - 1] + codebook[c]) / 2f;
                }
                probe = manager.create(mid);
                valueTable = manager.create(codebook);
                break;
        }
    }

    /**
     * Returns the composition of {@code spec} (one of {@link #SPECS}), tables in {@code manager}.
     */
    static NdComposition of(String spec, NDManager manager) {
        String[] parts = spec.split("@");
        boolean rowwise = parts[1].equals("row");
        if (parts[0].startsWith("int")) {
            return new NdComposition(
                    Kind.INT, Integer.parseInt(parts[0].substring(3)), rowwise, manager);
        }
        if (parts[0].equals("seedlinear8")) {
            return new NdComposition(Kind.SPAN, 8, rowwise, manager);
        }
        if (parts[0].equals("fp8e4m3")) {
            return new NdComposition(Kind.FP8, 8, rowwise, manager);
        }
        if (parts[0].startsWith("dt")) {
            return new NdComposition(
                    Kind.DT, Integer.parseInt(parts[0].substring(2)), rowwise, manager);
        }
        throw new IllegalArgumentException("No NDArray composition for " + spec);
    }

    Kind kind() {
        return kind;
    }

    /** The data type of the codes that {@link #dequantize} takes. */
    DataType codeType() {
        return kind == Kind.INT || kind == Kind.SPAN ? DataType.INT8 : DataType.UINT8;
    }

    /** Quantizes a 2-D weight; returns {codes, scales}. */
    NDList quantize(NDArray x) {
        if (kind == Kind.SPAN) {
            return quantizeSpan(x);
        }
        NDArray absMax;
        try (NDArray abs = x.abs()) {
            absMax = rowwise ? abs.max(new int[] {1}, true) : abs.max();
        }
        // An all-zero group would divide by zero; any tiny positive scale maps it to code 0.
        NDArray scale = then(then(absMax, a -> a.div(range)), s -> s.maximum(Float.MIN_VALUE));
        NDArray y = x.div(scale);
        NDArray codes;
        switch (kind) {
            case INT:
                codes =
                        then(
                                then(then(y, NDArray::round), q -> q.clip(-range, range)),
                                q -> q.toType(DataType.INT8, false));
                break;
            case FP8:
                codes = roundFp8(y);
                break;
            default:
                codes = nearestCode(y);
                break;
        }
        return new NDList(codes, scale);
    }

    /** The study's linear int8: {codes, S}. */
    private NDList quantizeSpan(NDArray x) {
        NDArray max = rowwise ? x.max(new int[] {1}, true) : x.max();
        NDArray span;
        try (NDArray min = rowwise ? x.min(new int[] {1}, true) : x.min()) {
            span = then(max, m -> m.sub(min));
        }
        NDArray scale;
        try (NDArray numerator = x.getManager().full(span.getShape(), range)) {
            scale = then(span, numerator::div);
        }
        NDArray codes = then(x.mul(scale), y -> y.toType(DataType.INT8, false));
        return new NDList(codes, scale);
    }

    /** Restores values from codes and scales. */
    NDArray dequantize(NDArray codes, NDArray scale) {
        NDArray values =
                kind == Kind.INT || kind == Kind.SPAN
                        ? codes.toType(DataType.FLOAT32, false)
                        : valueTable.take(codes.getManager(), codes);
        return then(values, v -> kind == Kind.SPAN ? v.div(scale) : v.mul(scale));
    }

    /** fp8 e4m3 rounding of {@code y} ({@code |y| <= 448}) in float32; closes {@code y}. */
    private static NDArray roundFp8(NDArray y) {
        NDArray exponent =
                then(then(then(y.abs(), NDArray::log2), NDArray::floor), e -> e.maximum(-6f));
        NDArray step;
        try (NDArray two = y.getManager().create(2f)) {
            step = then(then(exponent, e -> e.sub(3f)), two::pow);
        }
        try (step) {
            NDArray q = then(then(y, v -> v.div(step)), NDArray::round);
            return then(then(q, v -> v.mul(step)), v -> v.clip(-448f, 448f));
        }
    }

    /** Binary search over the midpoints: the index of the nearest codebook entry; closes y. */
    private NDArray nearestCode(NDArray y) {
        NDArray index;
        try (y) {
            int half = 1 << (bits - 1);
            float firstProbe = probe.getFloat(half);
            index =
                    then(
                            then(y.gt(firstProbe), b -> b.toType(DataType.INT64, false)),
                            b -> b.mul(half));
            for (int step = half >> 1; step > 0; step >>= 1) {
                int s = step;
                try (NDArray candidate = index.add(s);
                        NDArray threshold = probe.take(candidate.getManager(), candidate);
                        NDArray above = y.gt(threshold)) {
                    index = then(index, i -> NDArrays.where(above, candidate, i));
                }
            }
        }
        return then(index, i -> i.toType(DataType.UINT8, false));
    }

    /** Applies {@code op} to {@code in}, then frees {@code in}. */
    private static NDArray then(NDArray in, UnaryOperator<NDArray> op) {
        try (in) {
            return op.apply(in);
        }
    }
}
