package dev.djlquant.examples.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

/**
 * Runs a block whose weights are float16 (the shared TorchScript exports) on float32 inputs: inputs
 * are cast to the weights' type, outputs back to float32.
 */
final class CastingBlock extends AbstractBlock {

    /** Serialization version (the block holds no parameters of its own). */
    private static final byte VERSION = 1;

    private final Block inner;
    private final DataType type;

    private CastingBlock(Block inner, DataType type) {
        super(VERSION);
        this.inner = addChildBlock("cast", inner);
        this.type = type;
    }

    /**
     * Returns {@code block} itself when its weights are float32, else a casting wrapper.
     *
     * @throws IllegalArgumentException for bfloat16 weights: casting to bfloat16 aborts the JVM in
     *     this DJL build
     */
    static Block forWeightsOf(Block block) {
        DataType first = null;
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter parameter = p.getValue();
            if (!parameter.isInitialized() || !parameter.getArray().getDataType().isFloating()) {
                continue;
            }
            DataType t = parameter.getArray().getDataType();
            if (t == DataType.BFLOAT16) {
                throw new IllegalArgumentException(
                        "Parameter "
                                + p.getKey()
                                + " is bfloat16, which this DJL build cannot cast inputs to;"
                                + " export the model with float16 or float32 weights");
            }
            first = first == null ? t : first;
        }
        return first == null || first == DataType.FLOAT32 ? block : new CastingBlock(block, first);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDList cast = new NDList();
        for (NDArray x : inputs) {
            cast.add(x.getDataType().isFloating() ? x.toType(type, false) : x);
        }
        NDList out = inner.forward(parameterStore, cast, training, params);
        NDList result = new NDList();
        for (NDArray y : out) {
            result.add(y.getDataType().isFloating() ? y.toType(DataType.FLOAT32, false) : y);
        }
        return result;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inner.getOutputShapes(inputShapes);
    }

    @Override
    public boolean isInitialized() {
        return inner.isInitialized();
    }
}
