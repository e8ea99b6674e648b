package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Convolutions on small output maps computed from packed codes give the engine's convolution of the
 * restored weight, for any kernel, stride, padding and dilation, and never restore the weight;
 * larger maps and grouped convolutions take the engine's path.
 */
class PackedConvolutionTest extends ManagerPerTest {

    /** A conv layer with random weights and biases for inputs of {@code input}. */
    private Conv2d conv(Conv2d.Builder builder, Shape input) {
        Conv2d conv = builder.build();
        manager.getEngine().setRandomSeed(17);
        conv.initialize(manager, DataType.FLOAT32, input);
        randomBiases(conv);
        return conv;
    }

    private static Shape pair(String text) {
        String[] parts = text.split("x");
        return new Shape(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
    }

    /** The conv layer's weight quantized with {@code spec}. */
    private static QuantizedTensor quantizedWeight(Conv2d conv, String spec) {
        NDArray w = conv.getParameters().get("weight").getArray();
        return Quantizer.parse(spec).quantize("w", w.toFloatArray(), w.getShape().getShape());
    }

    /** A compressed forward in which {@code conv}'s weight is {@code weight}. */
    private static CompressedForward forwardWith(Conv2d conv, QuantizedTensor weight) {
        return new CompressedForward(
                Map.of(conv.getParameters().get("weight"), weight), new FreshRowsUnused());
    }

    /**
     * Each case has at most 4 output positions over the batch, within every kernel's limit on
     * machines with and without SIMD, so no case falls back to the engine.
     */
    @ParameterizedTest
    @CsvSource({
        // spec, batch, channels, height, width, filters, kernel, stride, padding, dilation, bias
        "dt8@row, 1, 5, 2, 2, 7, 3x3, 1x1, 1x1, 1x1, true",
        "int8@row, 1, 3, 5, 5, 4, 3x3, 2x2, 0x0, 1x1, true",
        "dt4@row, 1, 2, 4, 4, 6, 2x2, 1x1, 0x0, 2x2, false",
        "fp8e4m3@row, 2, 4, 3, 3, 5, 3x3, 1x1, 0x0, 1x1, true",
        "nf4@block16, 1, 3, 6, 5, 8, 3x2, 2x3, 1x0, 1x2, true",
        "dt8@tensor, 1, 16, 1, 1, 9, 1x1, 1x1, 0x0, 1x1, true",
        "int4@block8, 4, 2, 3, 3, 3, 3x3, 1x1, 0x0, 1x1, true",
        "dt4@row, 2, 3, 2, 3, 5, 2x2, 1x1, 0x0, 1x1, true"
    })
    void smallMapsMatchTheEnginesConvolutionOfTheRestoredWeight(
            String spec,
            int batch,
            int channels,
            int height,
            int width,
            int filters,
            String kernel,
            String stride,
            String padding,
            String dilation,
            boolean bias) {
        Shape inputShape = new Shape(batch, channels, height, width);
        Conv2d conv =
                conv(
                        Conv2d.builder()
                                .setFilters(filters)
                                .setKernelShape(pair(kernel))
                                .optStride(pair(stride))
                                .optPadding(pair(padding))
                                .optDilation(pair(dilation))
                                .optBias(bias),
                        inputShape);
        Parameter weightParameter = conv.getParameters().get("weight");
        QuantizedTensor weight = quantizedWeight(conv, spec);
        NDArray x = manager.randomNormal(inputShape);

        NDArray actual =
                forwardWith(conv, weight)
                        .run(conv, storeRefusing(weightParameter), new NDList(x), null)
                        .singletonOrThrow();

        NDArray restored =
                manager.create(weight.dequantize(), weightParameter.getArray().getShape());
        NDArray b = bias ? conv.getParameters().get("bias").getArray() : null;
        NDArray expected =
                Conv2d.conv2d(x, restored, b, pair(stride), pair(padding), pair(dilation))
                        .singletonOrThrow();
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        Shape out = expected.getShape();
        assertThat(out.get(0) * out.get(2) * out.get(3)).isLessThanOrEqualTo(4);
        float scale = expected.abs().max().getFloat();
        assertThat(actual.sub(expected).abs().max().getFloat())
                .as("%s", spec)
                .isLessThanOrEqualTo(1e-5f * Math.max(1f, scale));
    }

    @Test
    void anEmptyBatchGivesAnEmptyOutputWithoutRestoring() {
        Conv2d conv =
                conv(
                        Conv2d.builder().setFilters(4).setKernelShape(new Shape(3, 3)),
                        new Shape(1, 3, 3, 3));
        Parameter p = conv.getParameters().get("weight");
        NDArray y =
                forwardWith(conv, quantizedWeight(conv, "dt8@row"))
                        .run(
                                conv,
                                storeRefusing(p),
                                new NDList(manager.zeros(new Shape(0, 3, 3, 3))),
                                null)
                        .singletonOrThrow();
        assertThat(y.getShape()).isEqualTo(new Shape(0, 4, 1, 1));
    }

    /** Exactly the limit of output positions (1 x 1 maps, a batch that large) multiplies packed. */
    @Test
    void theLimitItselfMultipliesFromPackedCodes() {
        Conv2d conv =
                conv(
                        Conv2d.builder().setFilters(3).setKernelShape(new Shape(1, 1)),
                        new Shape(1, 8, 1, 1));
        Parameter p = conv.getParameters().get("weight");
        QuantizedTensor weight = quantizedWeight(conv, "int8@row");
        int limit = CompressedForward.packedRowsLimit(weight.linearKernel());
        CompressedForward forward = forwardWith(conv, weight);
        NDList atLimit = new NDList(manager.randomNormal(new Shape(limit, 8, 1, 1)));
        assertThat(forward.run(conv, storeRefusing(p), atLimit, null).singletonOrThrow().getShape())
                .isEqualTo(new Shape(limit, 3, 1, 1));
        NDList beyond = new NDList(manager.randomNormal(new Shape(limit + 1, 8, 1, 1)));
        assertThatThrownBy(() -> forward.run(conv, storeRefusing(p), beyond, null))
                .hasMessage("weight restored");
    }

    /** More output positions than the limit, or grouped channels: the engine's convolution. */
    @Test
    void largeMapsAndGroupedChannelsRestoreTheWeight() {
        int limit =
                CompressedForward.packedRowsLimit(
                        Quantizer.parse("int8@row")
                                .quantize("w", new float[] {1, 2, 3, 4}, new long[] {2, 2})
                                .linearKernel());
        int side = (int) Math.ceil(Math.sqrt(limit + 1.0));
        Shape large = new Shape(1, 2, side, side);
        Shape small = new Shape(1, 4, 2, 2);
        Conv2d.Builder padded =
                Conv2d.builder()
                        .setFilters(4)
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1));
        Conv2d plain = conv(padded, large);
        Conv2d grouped = conv(padded.optGroups(2), small);
        for (Conv2d conv : new Conv2d[] {plain, grouped}) {
            Parameter p = conv.getParameters().get("weight");
            Shape input = conv == plain ? large : small;
            NDList x = new NDList(manager.randomNormal(input));
            CompressedForward forward = forwardWith(conv, quantizedWeight(conv, "int8@row"));
            assertThatThrownBy(() -> forward.run(conv, storeRefusing(p), x, null))
                    .as("input %s, groups %d", input, conv.getGroups())
                    .hasMessage("weight restored");
        }
    }

    /**
     * A COMPRESSED VGG-like network at batch 1 (its second convolution on a 2 x 2 map, from packed
     * codes) gives what the SIMULATE network gives.
     */
    @ParameterizedTest
    @CsvSource({"dt8@row", "int8@row", "dt4@row"})
    void aCompressedNetworkMatchesTheSimulatedOne(String spec) {
        Block simulated = smallVgg();
        Block compressed = smallVgg();
        QuantConfig.Builder config = QuantConfig.builder().setScheme(spec);
        Quantizers.apply(simulated, config.optMode(QuantConfig.Mode.SIMULATE).build());
        Block qb =
                Quantizers.apply(compressed, config.optMode(QuantConfig.Mode.COMPRESSED).build())
                        .block();
        NDArray x = manager.randomNormal(new Shape(1, 3, 4, 4));
        NDArray expected =
                simulated
                        .forward(new ParameterStore(manager, false), new NDList(x), false)
                        .singletonOrThrow();
        NDArray actual =
                qb.forward(new ParameterStore(manager, false), new NDList(x), false)
                        .singletonOrThrow();
        float scale = expected.abs().max().getFloat();
        assertThat(actual.sub(expected).abs().max().getFloat())
                .isLessThanOrEqualTo(1e-5f * Math.max(1f, scale));
    }

    private Block smallVgg() {
        SequentialBlock net =
                new SequentialBlock()
                        .add(padded3x3(8))
                        .add(Activation::relu)
                        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                        .add(padded3x3(16))
                        .add(Activation::relu)
                        .add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(10).build());
        manager.getEngine().setRandomSeed(23);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 4, 4));
        randomBiases(net);
        return net;
    }

    /** A 3 x 3 convolution padded by 1, as VGG's. */
    private static Conv2d padded3x3(int filters) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .build();
    }

    /** Row blocks a convolution never asks for: conv weights are not 2-D. */
    private static final class FreshRowsUnused implements CompressedForward.RowBlocks {
        @Override
        public long blockValues() {
            return Long.MAX_VALUE;
        }

        @Override
        public NDArray rows(
                QuantizedTensor weight, int from, int to, NDManager owner, NDManager manager) {
            throw new AssertionError("no rows restored for a convolution");
        }
    }
}
