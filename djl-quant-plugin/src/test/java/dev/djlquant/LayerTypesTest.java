package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.modality.nlp.DefaultVocabulary;
import ai.djl.modality.nlp.embedding.TrainableWordEmbedding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.nn.transformer.TransformerEncoderBlock;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Layers beyond convolutions and dense layers: each reads its weights through the parameter store,
 * so COMPRESSED must compute what SIMULATE computes, and both must differ from float32.
 */
class LayerTypesTest extends ManagerPerTest {

    /**
     * Expected weights by reasoning about each layer: an embedding table and a linear weight; two
     * LSTM layers with an input and a hidden weight each; attention's query, key, value and output
     * projections and the two feed-forward layers; the linear weight after a layer norm (whose
     * gamma and beta are 1-D).
     */
    @ParameterizedTest
    @CsvSource({
        "embedding, 2, int8@row",
        "embedding, 2, dt4@sorted64",
        "lstm, 4, int8@row",
        "lstm, 4, nf4@block64+dq",
        "transformer, 6, int8@row",
        "transformer, 6, dt4@sorted64",
        "layernorm, 1, fp8e4m3@row"
    })
    void compressedComputesWhatSimulateComputes(String layer, int weights, String spec) {
        NDArray input = input(layer);
        Block simulated = build(layer, input);
        Block compressedSource = build(layer, input);
        NDArray floatOut = forward(simulated, input);

        QuantizationReport simulate = Quantizers.apply(simulated, QuantConfig.of(spec));
        QuantizationReport compress =
                Quantizers.apply(
                        compressedSource,
                        QuantConfig.builder()
                                .setScheme(spec)
                                .optMode(QuantConfig.Mode.COMPRESSED)
                                .build());

        assertThat(simulate.rows()).hasSize(weights);
        assertThat(compress.rows()).hasSize(weights);
        NDArray simulatedOut = forward(simulated, input);
        NDArray compressedOut = forward(compress.block(), input);
        assertThat(simulatedOut.sub(floatOut).abs().max().getFloat()).isGreaterThan(1e-4f);
        Outputs.assertEqualToRounding(compressedOut, simulatedOut, "COMPRESSED");
    }

    private NDArray input(String layer) {
        switch (layer) {
            case "embedding":
                return manager.create(new long[] {1, 5, 7, 2, 9, 3, 0, 4}, new Shape(2, 4));
            case "transformer":
                return manager.randomNormal(new Shape(2, 5, 16));
            default:
                return manager.randomNormal(new Shape(2, 5, 8));
        }
    }

    /** The named layer, initialized with the same seed every time. */
    private Block build(String layer, NDArray input) {
        Supplier<Block> factory;
        switch (layer) {
            case "embedding":
                List<String> tokens = IntStream.range(0, 20).mapToObj(String::valueOf).toList();
                factory =
                        () ->
                                new SequentialBlock()
                                        .add(
                                                TrainableWordEmbedding.builder()
                                                        .setVocabulary(
                                                                new DefaultVocabulary(tokens))
                                                        .setEmbeddingSize(16)
                                                        .build())
                                        .add(Linear.builder().setUnits(8).build());
                break;
            case "lstm":
                factory =
                        () ->
                                LSTM.builder()
                                        .setStateSize(16)
                                        .setNumLayers(2)
                                        .optBatchFirst(true)
                                        .build();
                break;
            case "transformer":
                factory = () -> new TransformerEncoderBlock(16, 2, 32, 0f, Activation::relu);
                break;
            default:
                factory =
                        () ->
                                new SequentialBlock()
                                        .add(LayerNorm.builder().build())
                                        .add(Linear.builder().setUnits(12).build());
        }
        manager.getEngine().setRandomSeed(3);
        Block block = factory.get();
        // Parameters are float32 whatever the input is (token ids are int64).
        block.initialize(manager, DataType.FLOAT32, input.getShape());
        return block;
    }

    private NDArray forward(Block block, NDArray input) {
        return block.forward(new ParameterStore(manager, false), new NDList(input), false).head();
    }
}
