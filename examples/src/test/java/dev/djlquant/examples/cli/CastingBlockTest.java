package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * Which blocks get a casting wrapper, by their weights' data type. The weights are stand-ins that
 * only report a data type: a real bfloat16 array cannot be made here without a conversion that
 * aborts the JVM in this DJL build.
 */
class CastingBlockTest {

    @Test
    void float32IsLeftAloneFloat16WrappedBfloat16Refused() {
        Block float32 = blockWithWeightOf(DataType.FLOAT32);
        assertThat(CastingBlock.forWeightsOf(float32)).isSameAs(float32);
        assertThat(CastingBlock.forWeightsOf(blockWithWeightOf(DataType.FLOAT16)))
                .isInstanceOf(CastingBlock.class);
        assertThatThrownBy(() -> CastingBlock.forWeightsOf(blockWithWeightOf(DataType.BFLOAT16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Parameter weight is bfloat16");
        assertThatThrownBy(
                        () ->
                                CastingBlock.forWeightsOf(
                                        new SequentialBlock()
                                                .add(blockWithWeightOf(DataType.FLOAT32))
                                                .add(blockWithWeightOf(DataType.BFLOAT16))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Parameter 02OneWeight_weight is bfloat16");
    }

    private static Block blockWithWeightOf(DataType type) {
        NDArray array =
                (NDArray)
                        Proxy.newProxyInstance(
                                NDArray.class.getClassLoader(),
                                new Class<?>[] {NDArray.class},
                                (proxy, method, args) ->
                                        switch (method.getName()) {
                                            case "getDataType" -> type;
                                            case "getShape" -> new Shape(2, 2);
                                            case "isReleased" -> false;
                                            default -> null;
                                        });
        return new OneWeight(array);
    }

    /** A block holding one weight, never run. */
    private static final class OneWeight extends AbstractBlock {
        OneWeight(NDArray array) {
            super((byte) 1);
            addParameter(
                            Parameter.builder()
                                    .setName("weight")
                                    .setType(Parameter.Type.WEIGHT)
                                    .build())
                    .setArray(array);
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }
}
