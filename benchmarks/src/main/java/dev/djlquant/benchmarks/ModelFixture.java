package dev.djlquant.benchmarks;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.djlquant.zoo.CifarArchitectures;
import dev.djlquant.zoo.TorchScriptImport;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A DJL-native CIFAR model with the shared pretrained weights, imported once, and fresh float32
 * copies of it: quantizing changes or releases a block's weights (and refuses to quantize the same
 * parameters twice), so every timed run starts from its own copy.
 */
final class ModelFixture implements AutoCloseable {

    private final String architecture;
    private final Model master;

    private ModelFixture(String architecture, Model master) {
        this.architecture = architecture;
        this.master = master;
    }

    /**
     * Imports {@code torchScript}'s weights into {@code architecture} (see {@link
     * CifarArchitectures}).
     */
    static ModelFixture load(Path torchScript, String architecture)
            throws IOException, MalformedModelException {
        return new ModelFixture(architecture, TorchScriptImport.load(torchScript, architecture));
    }

    String architecture() {
        return architecture;
    }

    /** The imported model; do not quantize it. */
    Model master() {
        return master;
    }

    /** A new model holding a copy of the imported float32 weights; the caller closes it. */
    Model copy() {
        Block block = CifarArchitectures.byName(architecture);
        Model model = Model.newInstance(architecture, TorchScriptImport.ENGINE);
        try {
            model.setBlock(block);
            block.initialize(
                    model.getNDManager(), DataType.FLOAT32, CifarArchitectures.INPUT_SHAPE);
            TorchScriptImport.copyWeights(master.getBlock(), block);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public void close() {
        master.close();
    }
}
