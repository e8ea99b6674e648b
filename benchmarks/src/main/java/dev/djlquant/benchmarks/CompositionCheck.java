package dev.djlquant.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.djlquant.Quantizer;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The check that runs before the NDArray compositions are timed: each must compute djl-quant's
 * values bit for bit, or its timing would not be the same math's.
 */
final class CompositionCheck {

    private CompositionCheck() {}

    /** djl-quant's restored values of a tensor: what a composition must reproduce bit for bit. */
    interface Reference {
        float[] roundTrip(String spec, float[] values, long[] dims);
    }

    /**
     * Shows that the NDArray compositions compute the same thing: the share of values whose
     * dequantized result equals djl-quant's exactly, on a 256 x 9216 slice of the same weights.
     * Every path that {@link NdArrayBench} times is checked: the composition's quantize followed by
     * its dequantize, and for {@code fp8e4m3}, whose composed quantize gives rounded float32 values
     * rather than codes, both those values times the scales and the composed dequantize of the
     * 8-bit codes that {@link NdArrayBench} feeds it.
     *
     * @throws IllegalStateException if any value differs: the composition's timing would not be the
     *     same math's
     */
    static String run(Pattern only) {
        return run(
                only,
                (spec, values, dims) -> Quantizer.parse(spec).roundTrip("check", values, dims));
    }

    /** {@link #run(Pattern)} against {@code reference} instead of djl-quant. */
    static String run(Pattern only, Reference reference) {
        long[] dims = {256, 9216};
        float[] values = Weights.forShape(dims);
        StringBuilder out =
                new StringBuilder("NDArray composition vs djl-quant, exact agreement on 256x9216:");
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            NDArray x = manager.create(values, new Shape(dims));
            for (String spec : NdComposition.SPECS) {
                if (!only.matcher(spec).matches()) {
                    continue;
                }
                NdComposition c = NdComposition.of(spec, manager);
                float[] ours = reference.roundTrip(spec, values, dims);
                NDList q = c.quantize(x);
                if (c.kind() == NdComposition.Kind.FP8) {
                    compare(spec + " quantize", ours, q.get(0).mul(q.get(1)).toFloatArray(), out);
                    NDArray codes =
                            manager.create(
                                    ByteBuffer.wrap(NdArrayBench.fp8Codes(values, dims, spec)),
                                    new Shape(dims),
                                    DataType.UINT8);
                    compare(
                            spec + " dequantize",
                            ours,
                            c.dequantize(codes, q.get(1)).toFloatArray(),
                            out);
                } else {
                    compare(spec, ours, c.dequantize(q.get(0), q.get(1)).toFloatArray(), out);
                }
            }
        }
        return out.toString();
    }

    /** Appends the agreement of {@code nd} with {@code ours}; throws if any value differs. */
    static void compare(String what, float[] ours, float[] nd, StringBuilder out) {
        if (nd.length != ours.length) {
            throw new IllegalStateException(
                    "The NDArray composition of "
                            + what
                            + " gives "
                            + nd.length
                            + " values, djl-quant "
                            + ours.length);
        }
        int same = 0;
        for (int i = 0; i < ours.length; i++) {
            if (Float.floatToIntBits(ours[i]) == Float.floatToIntBits(nd[i])) {
                same++;
            }
        }
        out.append(
                String.format(
                        Locale.ROOT,
                        "%n  %-12s %.4f%% (%d of %d differ)",
                        what,
                        100.0 * same / ours.length,
                        ours.length - same,
                        ours.length));
        if (same != ours.length) {
            throw new IllegalStateException(
                    "The NDArray composition of " + what + " computes something else: " + out);
        }
    }
}
