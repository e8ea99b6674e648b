package dev.djlquant;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.djlquant.pack.CodeKernel;
import dev.djlquant.pack.PackedDot;
import java.util.Map;

/**
 * The inference forward of a COMPRESSED block. Sequential containers run child by child, so that a
 * {@link Linear} layer with a compressed weight and few input rows ({@link #packedRowsLimit})
 * multiplies straight from the packed codes ({@link QuantizedTensor#linear}), and so does a {@link
 * Conv2d} with few output positions ({@link PackedConvolution}); every other block, subclasses of
 * these three included, runs its own forward and asks the store for restored weights. At batch 1 a
 * linear layer reads each weight once, so restoring it into a new float32 array costs several times
 * the product itself. A linear weight larger than the reusable memory ({@link RowBlocks}) is
 * restored and multiplied a block of rows at a time: fresh engine memory for a whole 4096 x 4096
 * weight cost about 35 ms of page faults per forward.
 */
final class CompressedForward {

    /** Restores rows of a weight into memory that the next call may reuse. */
    interface RowBlocks {
        /** Values up to which a weight is restored whole, and the most one block holds. */
        long blockValues();

        /**
         * Returns rows {@code [from, to)} of {@code weight} ({@link
         * QuantizedTensor#rowsRestorable}) restored, attached to {@code manager}, in memory that
         * the next call overwrites; or null where the engine offers no reusable memory. {@code
         * owner} is the parameter store's.
         */
        NDArray rows(QuantizedTensor weight, int from, int to, NDManager owner, NDManager manager);
    }

    private final Map<Parameter, QuantizedTensor> weights;
    private final RowBlocks blocks;

    /**
     * Input rows up to which a linear layer multiplies from packed codes with {@code kernel} (null:
     * never, it has no packed kernel), and output positions up to which a convolution does: where
     * every extra row decodes the weight again, the engine's product of a restored weight wins from
     * a few rows, since it shares each decoded value across rows. Crossovers measured on AlexNet's
     * forward ({@code ModelBench}, batches 1 to 16): 4 to 8 rows for the scalar kernel looking
     * codes up per row, above 16 where codes are read once for all rows ({@link
     * PackedDot#sharesCodesAcrossRows}): at 16 rows int8 took 1.43x and dt4 1.79x the float32
     * forward, against 2.1x and 2.5x restoring; dt8 1.32-1.36x against 1.47-1.94x.
     */
    static int packedRowsLimit(CodeKernel kernel) {
        if (kernel == null) {
            return 0;
        }
        return PackedDot.sharesCodesAcrossRows(kernel) ? 16 : 4;
    }

    /** Uses {@code weights}, the compressed weights by parameter, restoring large ones by rows. */
    CompressedForward(Map<Parameter, QuantizedTensor> weights, RowBlocks blocks) {
        this.weights = weights;
        this.blocks = blocks;
    }

    /** Runs {@code block} for inference; {@code store} restores the compressed weights it reads. */
    NDList run(Block block, ParameterStore store, NDList inputs, PairList<String, Object> params) {
        // DJL's own classes only: a subclass may compute something else in its forward.
        if (block.getClass() == SequentialBlock.class
                && !((SequentialBlock) block).isReturnIntermediate()) {
            SequentialBlock sequence = (SequentialBlock) block;
            // What SequentialBlock.forward does, one child at a time (children get no params).
            NDList current = inputs;
            for (Block child : sequence.getChildren().values()) {
                current = run(child, store, current, null);
            }
            return current;
        }
        if (block.getClass() == Linear.class && inputs.size() == 1) {
            Linear linear = (Linear) block;
            QuantizedTensor weight = weights.get(linear.getDirectParameters().get("weight"));
            if (weight != null && multipliesPacked(weight, inputs.get(0))) {
                return multiply(linear, weight, store, inputs.get(0));
            }
            if (weight != null && weight.size() > blocks.blockValues() && weight.rowsRestorable()) {
                NDList y = multiplyByRowBlocks(linear, weight, store, inputs.get(0));
                if (y != null) {
                    return y;
                }
            }
        }
        if (block.getClass() == Conv2d.class && inputs.size() == 1) {
            Conv2d conv = (Conv2d) block;
            QuantizedTensor weight = weights.get(conv.getDirectParameters().get("weight"));
            NDArray y =
                    weight == null
                            ? null
                            : PackedConvolution.convolveIfSmall(conv, weight, store, inputs.get(0));
            if (y != null) {
                return new NDList(y);
            }
        }
        return block.forward(store, inputs, false, params);
    }

    /** Whether a linear layer with {@code weight} multiplies {@code input} from packed codes. */
    private static boolean multipliesPacked(QuantizedTensor weight, NDArray input) {
        Shape shape = input.getShape();
        long in = weight.shape()[1];
        return input.getDataType() == DataType.FLOAT32
                && input.getDevice().getDeviceType().equals(Device.Type.CPU)
                && shape.dimension() >= 1
                && shape.get(shape.dimension() - 1) == in
                && shape.size() / in <= packedRowsLimit(weight.linearKernel());
    }

    /**
     * What {@code linear.forward} computes, with the weight restored and multiplied one block of
     * rows (output features) at a time, each block's outputs concatenated; null (nothing done)
     * where no reusable memory is offered.
     */
    private NDList multiplyByRowBlocks(
            Linear linear, QuantizedTensor weight, ParameterStore store, NDArray input) {
        int out = (int) weight.shape()[0];
        int rowsPerBlock = (int) Math.max(1, blocks.blockValues() / weight.shape()[1]);
        Parameter biasParameter = linear.getDirectParameters().get("bias");
        NDManager caller = input.getManager();
        try (NDManager layer = caller.newSubManager()) {
            NDArray bias = null;
            if (biasParameter != null) {
                // A compressed bias lies in the workspace that the rows overwrite.
                bias = store.getValue(biasParameter, input.getDevice(), false).duplicate();
                bias.attach(layer);
            }
            NDList parts = new NDList();
            for (int from = 0; from < out; from += rowsPerBlock) {
                int to = Math.min(out, from + rowsPerBlock);
                NDArray rows = blocks.rows(weight, from, to, store.getManager(), layer);
                if (rows == null) {
                    return null;
                }
                NDArray b = bias == null ? null : bias.get(new NDIndex("{}:{}", from, to));
                // The product is a new array, so the next block may overwrite these rows.
                NDArray part = Linear.linear(input, rows, b).singletonOrThrow();
                part.attach(layer);
                parts.add(part);
            }
            NDArray y = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, -1);
            y.attach(caller);
            return new NDList(y);
        }
    }

    private NDList multiply(
            Linear linear, QuantizedTensor weight, ParameterStore store, NDArray input) {
        int out = (int) weight.shape()[0];
        int rows = (int) (input.size() / weight.shape()[1]);
        float[] y = weight.linear(input.toFloatArray(), rows);
        Parameter bias = linear.getDirectParameters().get("bias");
        if (bias != null) {
            float[] b = store.getValue(bias, input.getDevice(), false).toFloatArray();
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    y[r * out + o] += b[o];
                }
            }
        }
        Shape shape = input.getShape();
        Shape outShape = shape.slice(0, shape.dimension() - 1).add(out);
        return new NDList(input.getManager().create(y, outShape));
    }
}
