package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
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

    private float[] forward(Block block, NDArray input, boolean training) {
        try (NDManager scratch = manager.newSubManager()) {
            return block.forward(new ParameterStore(scratch, false), new NDList(input), training)
                    .singletonOrThrow()
                    .toFloatArray();
        }
    }
}
