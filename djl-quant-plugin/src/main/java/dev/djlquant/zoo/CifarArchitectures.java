package dev.djlquant.zoo;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * Factories for the DJL-native CIFAR-10 reference networks (../shared/DESIGN.md, section 7).
 *
 * <p>Each block is a {@link SequentialBlock} holding a {@code features} and a {@code classifier}
 * {@link SequentialBlock}, in the same parameter order as the shared TorchScript exports, for
 * 3x32x32 inputs and {@value #NUM_CLASSES} output logits. Blocks are returned uninitialized.
 */
public final class CifarArchitectures {

    /** Name of the AlexNet variant (23,238,474 parameters). */
    public static final String ALEXNET = "alexnet-cifar10";

    /** Name of the VGG16 variant (21,021,514 parameters). */
    public static final String VGG16 = "vgg16-cifar10";

    /** Number of output classes. */
    public static final int NUM_CLASSES = 10;

    /** Input shape of one image batch of size 1: NCHW. */
    public static final Shape INPUT_SHAPE = new Shape(1, 3, 32, 32);

    /** Marks a max pooling in {@link #VGG16_LAYERS}; other entries are convolution widths. */
    private static final int POOL = 0;

    private static final int[] VGG16_LAYERS = {
        64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512, POOL, 512, 512, 512, POOL
    };

    private CifarArchitectures() {}

    /**
     * Returns the names accepted by {@link #byName(String)}.
     *
     * @return the architecture names
     */
    public static List<String> names() {
        return List.of(ALEXNET, VGG16);
    }

    /**
     * Builds the architecture with the given name.
     *
     * @param name one of {@link #names()}
     * @return a new uninitialized block
     * @throws IllegalArgumentException if the name is unknown
     */
    public static SequentialBlock byName(String name) {
        if (ALEXNET.equals(name)) {
            return alexnet();
        }
        if (VGG16.equals(name)) {
            return vgg16();
        }
        throw new IllegalArgumentException(
                "Unknown CIFAR-10 architecture '" + name + "'; valid names: " + names());
    }

    /**
     * Builds AlexNet-CIFAR: five 3x3 convolutions (64, 192, 384, 256, 256 filters, max pooling
     * after the 1st, 2nd and 5th), then 4096 -> 4096 -> 1024 -> 10 with dropout 0.5.
     *
     * @return a new uninitialized block
     */
    public static SequentialBlock alexnet() {
        SequentialBlock features =
                new SequentialBlock()
                        .add(conv(64))
                        .add(Activation.reluBlock())
                        .add(maxPool())
                        .add(conv(192))
                        .add(Activation.reluBlock())
                        .add(maxPool())
                        .add(conv(384))
                        .add(Activation.reluBlock())
                        .add(conv(256))
                        .add(Activation.reluBlock())
                        .add(conv(256))
                        .add(Activation.reluBlock())
                        .add(maxPool());
        SequentialBlock classifier =
                new SequentialBlock()
                        .add(Blocks.batchFlattenBlock())
                        .add(dropout())
                        .add(linear(4096))
                        .add(Activation.reluBlock())
                        .add(dropout())
                        .add(linear(1024))
                        .add(Activation.reluBlock())
                        .add(linear(NUM_CLASSES));
        return new SequentialBlock().add(features).add(classifier);
    }

    /**
     * Builds VGG16-CIFAR: thirteen 3x3 convolutions with ReLU and five max poolings, then 512 ->
     * 4096 -> 1024 -> 10 with dropout 0.5 after the two hidden layers.
     *
     * @return a new uninitialized block
     */
    public static SequentialBlock vgg16() {
        SequentialBlock features = new SequentialBlock();
        for (int width : VGG16_LAYERS) {
            if (width == POOL) {
                features.add(maxPool());
            } else {
                features.add(conv(width)).add(Activation.reluBlock());
            }
        }
        SequentialBlock classifier =
                new SequentialBlock()
                        .add(Blocks.batchFlattenBlock())
                        .add(linear(4096))
                        .add(Activation.reluBlock())
                        .add(dropout())
                        .add(linear(1024))
                        .add(Activation.reluBlock())
                        .add(dropout())
                        .add(linear(NUM_CLASSES));
        return new SequentialBlock().add(features).add(classifier);
    }

    private static Conv2d conv(int filters) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .setFilters(filters)
                .build();
    }

    private static Linear linear(int units) {
        return Linear.builder().setUnits(units).build();
    }

    private static Dropout dropout() {
        return Dropout.builder().optRate(0.5f).build();
    }

    private static Block maxPool() {
        return Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2));
    }
}
