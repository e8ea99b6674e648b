package dev.djlquant.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.djlquant.QuantConfig;
import dev.djlquant.Quantizers;
import java.util.LinkedHashMap;
import java.util.Map;

/** A tiny conv + linear classifier and a learnable synthetic dataset, for training tests. */
final class Toy {

    /** Input shape of one batch of one record. */
    static final Shape INPUT = new Shape(1, 2, 6, 6);

    static final int CLASSES = 4;

    private Toy() {}

    /** Conv(2->6, k3) ReLU Flatten Linear(96->16) ReLU Linear(16->4), seeded and initialized. */
    static SequentialBlock net(NDManager manager, int seed) {
        SequentialBlock net =
                new SequentialBlock()
                        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(6).build())
                        .add(Activation.reluBlock())
                        .add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(16).build())
                        .add(Activation.reluBlock())
                        .add(Linear.builder().setUnits(CLASSES).build());
        manager.getEngine().setRandomSeed(seed);
        net.initialize(manager, DataType.FLOAT32, INPUT);
        return net;
    }

    /** A model holding {@link #net}. */
    static Model model(int seed) {
        Model model = Model.newInstance("toy", "PyTorch");
        model.setBlock(net(model.getNDManager(), seed));
        return model;
    }

    /** A model holding {@link #net}, quantized with {@code scheme} in COMPRESSED mode. */
    static Model compressedModel(int seed, String scheme) {
        Model model = model(seed);
        Quantizers.apply(
                model,
                QuantConfig.builder()
                        .setScheme(scheme)
                        .optMode(QuantConfig.Mode.COMPRESSED)
                        .build());
        return model;
    }

    /**
     * {@code n} records whose label is the arg-max of a fixed random linear map of the input, so a
     * few epochs learn it; sequential batches.
     */
    static ArrayDataset data(NDManager manager, int n, int batchSize, int seed) {
        manager.getEngine().setRandomSeed(seed);
        NDArray x = manager.randomNormal(new Shape(n, 2, 6, 6));
        NDArray map = manager.randomNormal(new Shape(72, CLASSES));
        NDArray y = x.reshape(n, 72).matMul(map).argMax(1).toType(DataType.FLOAT32, false);
        return new ArrayDataset.Builder()
                .setData(x)
                .optLabels(y)
                .setSampling(batchSize, false)
                .build();
    }

    /** Plain SGD with a fixed rate, on the CPU, with accuracy and the basic listeners. */
    static DefaultTrainingConfig config(float learningRate, TrainingListener... extra) {
        return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(
                        Optimizer.sgd().setLearningRateTracker(Tracker.fixed(learningRate)).build())
                .optDevices(new Device[] {Device.cpu()})
                .addEvaluator(new Accuracy())
                .addTrainingListeners(TrainingListener.Defaults.basic())
                .addTrainingListeners(extra);
    }

    /** Copies of all parameter values, by name. */
    static Map<String, float[]> values(ai.djl.nn.Block block) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
