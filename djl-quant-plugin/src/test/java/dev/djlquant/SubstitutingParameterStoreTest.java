package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Layers that read several substituted parameters (weight and bias) get all of them alive. */
class SubstitutingParameterStoreTest extends ManagerPerTest {

    private static final QuantConfig WEIGHTS_AND_BIASES =
            QuantConfig.builder().setScheme("int4@row").addInclude("Conv|Linear").build();

    private Block net() {
        return tinyConvNet(17);
    }

    @Test
    void viewsAndQatCoverBiasesToo() {
        NDArray input = manager.randomNormal(new Shape(2, 2, 5, 5));
        Block simulated = net();
        QuantizationReport report = Quantizers.apply(simulated, WEIGHTS_AND_BIASES);
        assertThat(report.rows()).hasSize(4);
        float[] expected = forward(simulated, input, false);

        SummationOrder.assertSameUpToSummationOrder(
                forward(QuantizedBlock.view(net(), WEIGHTS_AND_BIASES), input, false), expected);
        Block qat =
                Quantizers.apply(
                                net(),
                                WEIGHTS_AND_BIASES.toBuilder()
                                        .optMode(QuantConfig.Mode.QAT)
                                        .build())
                        .block();
        assertThat(forward(qat, input, false)).containsExactly(expected);
        Block compressed =
                Quantizers.apply(
                                net(),
                                WEIGHTS_AND_BIASES.toBuilder()
                                        .optMode(QuantConfig.Mode.COMPRESSED)
                                        .build())
                        .block();
        SummationOrder.assertSameUpToSummationOrder(forward(compressed, input, false), expected);
    }

    /**
     * A custom block that reads its own weight, runs its child (whose weight is substituted too),
     * then uses its weight: the enclosing block's substitute must outlive the child's request.
     */
    @Test
    void aBlocksOwnWeightStaysAliveWhileItsChildrenRun() {
        NDArray input = manager.randomNormal(new Shape(3, 8));
        QuantConfig config = QuantConfig.of("int8@row");
        Block simulated = outerWeightNet();
        Quantizers.apply(simulated, config);
        float[] expected = forward(simulated, input, false);
        Block compressed =
                Quantizers.apply(
                                outerWeightNet(),
                                config.toBuilder().optMode(QuantConfig.Mode.COMPRESSED).build())
                        .block();

        SummationOrder.assertSameUpToSummationOrder(forward(compressed, input, false), expected);
        SummationOrder.assertSameUpToSummationOrder(
                forward(QuantizedBlock.view(outerWeightNet(), config), input, false), expected);
    }

    /**
     * A block that reads one child's weight and uses it after another child ran (tied weights) is
     * not served in COMPRESSED mode, loudly: the weight's array is released, not overwritten.
     */
    @Test
    void aWeightHandedAcrossSiblingsFailsLoudlyInCompressedMode() {
        NDArray input = manager.randomNormal(new Shape(3, 8));
        Block tied = new Tied();
        tied.initialize(manager, DataType.FLOAT32, new Shape(3, 8));
        Block compressed =
                Quantizers.apply(
                                tied,
                                QuantConfig.builder()
                                        .setScheme("int8@row")
                                        .optMode(QuantConfig.Mode.COMPRESSED)
                                        .build())
                        .block();
        assertThatThrownBy(() -> forward(compressed, input, false))
                .hasMessageContaining("released");
    }

    /** {@code second(x) @ first.weight^T}, the first child's weight read before the second runs. */
    private static final class Tied extends AbstractBlock {
        private final Linear first = Linear.builder().setUnits(4).build();
        private final Linear second = Linear.builder().setUnits(8).build();

        Tied() {
            super((byte) 1);
            addChildBlock("first", first);
            addChildBlock("second", second);
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            Parameter weight = first.getParameters().get("weight");
            NDArray w = store.getValue(weight, inputs.head().getDevice(), training);
            NDArray hidden = second.forward(store, inputs, training).head();
            return new NDList(hidden.matMul(w.transpose()));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), 4)};
        }

        @Override
        protected void initializeChildBlocks(
                NDManager manager, DataType dataType, Shape... inputShapes) {
            first.initialize(manager, dataType, inputShapes);
            second.initialize(manager, dataType, inputShapes);
        }
    }

    /** {@link OuterWeight} with the same seeded values each time. */
    private Block outerWeightNet() {
        OuterWeight block = new OuterWeight();
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 8));
        Random random = new Random(29);
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            float[] values = new float[(int) array.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            array.set(FloatBuffer.wrap(values));
        }
        return block;
    }

    /** {@code linear(x) @ weight}, reading {@code weight} before the linear layer runs. */
    private static final class OuterWeight extends AbstractBlock {
        private final Block linear;
        private final Parameter weight;

        OuterWeight() {
            super((byte) 1);
            linear = addChildBlock("linear", Linear.builder().setUnits(4).build());
            weight =
                    addParameter(
                            Parameter.builder()
                                    .setName("weight")
                                    .setType(Parameter.Type.WEIGHT)
                                    .optShape(new Shape(4, 4))
                                    .build());
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            NDArray w = store.getValue(weight, inputs.head().getDevice(), training);
            NDArray hidden = linear.forward(store, inputs, training).head();
            return new NDList(hidden.matMul(w));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), 4)};
        }

        @Override
        protected void initializeChildBlocks(
                NDManager manager, DataType dataType, Shape... inputShapes) {
            linear.initialize(manager, dataType, inputShapes);
        }
    }

    private float[] forward(Block block, NDArray input, boolean training) {
        try (NDManager scratch = manager.newSubManager()) {
            return block.forward(new ParameterStore(scratch, false), new NDList(input), training)
                    .singletonOrThrow()
                    .toFloatArray();
        }
    }
}
