package dev.djlquant;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of tests that need DJL arrays: a fresh base manager per test, closed after it, and a tiny
 * seeded network in it.
 */
public abstract class ManagerPerTest {

    /** The test's manager. */
    protected NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /**
     * A conv layer of 4 filters, ReLU, flatten and a linear layer of 5 units, initialized with
     * {@code seed} for inputs of shape (2, 2, 5, 5).
     */
    protected Block tinyConvNet(int seed) {
        SequentialBlock net =
                new SequentialBlock()
                        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(4).build())
                        .add(Activation::relu)
                        .add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(5).build());
        manager.getEngine().setRandomSeed(seed);
        net.initialize(manager, DataType.FLOAT32, new Shape(2, 2, 5, 5));
        return net;
    }

    /** A parameter store that fails on restoring {@code weight} whole. */
    protected ParameterStore storeRefusing(Parameter weight) {
        return new ParameterStore(manager, false) {
            @Override
            public NDArray getValue(Parameter p, Device device, boolean training) {
                if (p == weight) {
                    throw new IllegalStateException("weight restored");
                }
                return super.getValue(p, device, training);
            }
        };
    }

    /** DJL starts biases at zero, which would hide a bias left out. */
    protected void randomBiases(Block block) {
        for (Parameter p : block.getParameters().values()) {
            if (p.getType() == Parameter.Type.BIAS) {
                NDArray bias = p.getArray();
                bias.set(new NDIndex("..."), manager.randomNormal(bias.getShape()));
            }
        }
    }
}
