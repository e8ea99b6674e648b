package dev.djlquant;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.djlquant.pack.CodeKernel;
import java.util.Map;

/**
 * The inference forward of a COMPRESSED block. Sequential containers run child by child, so that a
 * {@link Linear} layer with a compressed weight and few input rows ({@link #packedRowsLimit})
 * multiplies straight from the packed codes ({@link QuantizedTensor#linear}); every other block
 * runs its own forward and asks the store for restored weights. At batch 1 a linear layer reads
 * each weight once, so restoring it into a new float32 array costs several times the product
 * itself.
 */
final class CompressedForward {

    private final Map<Parameter, QuantizedTensor> weights;

    /**
     * Input rows up to which a linear layer multiplies from packed codes with {@code kernel} (null:
     * never, it has no packed kernel): every extra row decodes the weight again, while the engine's
     * product of a restored weight shares each decoded value across rows. Crossovers measured on
     * AlexNet's forward ({@code ModelBench}, batches 1 to 16): 4 to 8 rows for the scalar kernel,
     * above 16 for the SIMD ones (at 16 rows int8 took 1.43x and dt4 1.79x the float32 forward,
     * against 2.1x and 2.5x restoring).
     */
    static int packedRowsLimit(CodeKernel kernel) {
        if (kernel == null) {
            return 0;
        }
        return kernel == CodeKernel.SCALAR ? 4 : 16;
    }

    /** Uses {@code weights}, the compressed weights by parameter. */
    CompressedForward(Map<Parameter, QuantizedTensor> weights) {
        this.weights = weights;
    }

    /** Runs {@code block} for inference; {@code store} restores the compressed weights it reads. */
    NDList run(Block block, ParameterStore store, NDList inputs, PairList<String, Object> params) {
        if (block instanceof SequentialBlock sequence && !sequence.isReturnIntermediate()) {
            // What SequentialBlock.forward does, one child at a time (children get no params).
            NDList current = inputs;
            for (Block child : sequence.getChildren().values()) {
                current = run(child, store, current, null);
            }
            return current;
        }
        if (block instanceof Linear linear) {
            QuantizedTensor weight = packedWeight(linear, inputs);
            if (weight != null) {
                return multiply(linear, weight, store, inputs.singletonOrThrow());
            }
        }
        return block.forward(store, inputs, false, params);
    }

    /**
     * The layer's compressed weight if it multiplies {@code inputs} from packed codes, else null.
     */
    private QuantizedTensor packedWeight(Linear linear, NDList inputs) {
        QuantizedTensor weight = weights.get(linear.getDirectParameters().get("weight"));
        if (weight == null || inputs.size() != 1) {
            return null;
        }
        NDArray input = inputs.get(0);
        Shape shape = input.getShape();
        long in = weight.shape()[1];
        boolean packed =
                input.getDataType() == DataType.FLOAT32
                        && input.getDevice().getDeviceType().equals(Device.Type.CPU)
                        && shape.dimension() >= 1
                        && shape.get(shape.dimension() - 1) == in
                        && shape.size() / in <= packedRowsLimit(weight.linearKernel());
        return packed ? weight : null;
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
