package dev.djlquant.zoo;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizers;
import java.nio.file.Path;
import java.util.Map;

/** A small DJL-native classifier, rebuilt by class name, for fast checkpoint tests. */
public final class TinyNet implements BlockFactory {

    private static final long serialVersionUID = 1L;

    /** The input shape the net is initialized with. */
    static final Shape INPUT = new Shape(1, 3, 8, 8);

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        return block();
    }

    static SequentialBlock block() {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(4).build())
                .add(Activation.reluBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(10).build());
    }

    /** A model with seeded random weights, compressed with {@code spec}; the caller closes it. */
    static Model compressed(String spec, int seed, QuantizationReport[] report) {
        return compressed(
                QuantConfig.builder().setScheme(spec).optMode(QuantConfig.Mode.COMPRESSED).build(),
                seed,
                report);
    }

    /** The same with any config; its report goes to {@code report[0]}. */
    static Model compressed(QuantConfig config, int seed, QuantizationReport[] report) {
        Model model = Model.newInstance("tiny", "PyTorch");
        NDManager manager = model.getNDManager();
        manager.getEngine().setRandomSeed(seed);
        Block block = block();
        model.setBlock(block);
        block.initialize(manager, DataType.FLOAT32, INPUT);
        report[0] = Quantizers.apply(model, config);
        return model;
    }
}
