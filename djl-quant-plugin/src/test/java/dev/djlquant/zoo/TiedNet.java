package dev.djlquant.zoo;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizers;
import java.nio.file.Path;
import java.util.Map;

/** One 16 -> 16 linear layer applied twice (tied weights), rebuilt by class name. */
public final class TiedNet implements BlockFactory {

    private static final long serialVersionUID = 1L;

    /** The input shape the net is initialized with. */
    public static final Shape INPUT = new Shape(2, 16);

    private static final int SEED = 4;

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        return block();
    }

    /** A new uninitialized tied net. */
    public static SequentialBlock block() {
        Linear layer = Linear.builder().setUnits(16).build();
        return new SequentialBlock().add(layer).add(layer);
    }

    /** Gives {@code model} a tied net with seeded weights, the same for every call. */
    public static void initialize(Model model) {
        Block block = block();
        model.setBlock(block);
        model.getNDManager().getEngine().setRandomSeed(SEED);
        block.initialize(model.getNDManager(), DataType.FLOAT32, INPUT);
    }

    /** Gives {@code model} a seeded tied net compressed with {@code int8@row}. */
    public static QuantizationReport compress(Model model) {
        initialize(model);
        return Quantizers.apply(
                model,
                QuantConfig.builder()
                        .setScheme("int8@row")
                        .optMode(QuantConfig.Mode.COMPRESSED)
                        .build());
    }
}
