package dev.djlquant.examples.study;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingResult;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The study's fine-tuning, with DJL's training loop: the last two classifier layers (4096->1024 and
 * 1024->10) are replaced by freshly initialized ones, the convolutional features are frozen, and
 * the classifier is trained with Adam and softmax cross-entropy on augmented images (random crop
 * with 4-pixel padding, horizontal flip). From scratch, every layer trains.
 */
final class FineTuning {

    /** Name of DJL's accuracy evaluator in training results. */
    private static final String ACCURACY = "Accuracy";

    private FineTuning() {}

    /**
     * Fine-tunes {@code model}'s block in place.
     *
     * @param model a model whose block is a {@code features}/{@code classifier} pair of {@link
     *     SequentialBlock}s, as built by {@code CifarArchitectures}
     * @param train the training images
     * @param config epochs, batch size, learning rate, seed, progress
     * @return what was done
     * @throws IOException if the data cannot be read
     * @throws TranslateException if the data pipeline fails
     */
    static FineTuneSummary run(Model model, CifarImages train, StudyConfig config)
            throws IOException, TranslateException {
        Block net = model.getBlock();
        Block features = net.getChildren().get(0).getValue();
        Block classifier = net.getChildren().get(1).getValue();
        boolean scratch = config.fromScratch();
        if (config.epochs() == 0) {
            return new FineTuneSummary(
                    "none", 0, 0, config.batchSize(), 0, 0, Double.NaN, Double.NaN, 0);
        }
        if (!scratch) {
            replaceHead(classifier, config.seed());
        }
        Block trained = scratch ? net : classifier;
        long trainable =
                trained.getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
        config.log()
                .printf(
                        "Fine-tuning %s: %d images x %d epoch(s), batch %d, Adam lr %s, %,d"
                                + " trainable parameters%s%n",
                        scratch ? "every layer from scratch" : "the classifier (features frozen)",
                        train.size(),
                        config.epochs(),
                        config.batchSize(),
                        config.learningRate(),
                        trainable,
                        scratch ? " (slow on a CPU: expect hours for a useful model)" : "");
        CifarDataset data =
                CifarDataset.builder(train)
                        .optAugmentation(config.seed())
                        .setSampling(config.batchSize(), true)
                        .build();
        DefaultTrainingConfig training =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(
                                Optimizer.adam()
                                        .optLearningRateTracker(
                                                Tracker.fixed(config.learningRate()))
                                        .build())
                        .addEvaluator(new Accuracy())
                        .addTrainingListeners(
                                config.progress()
                                        ? TrainingListener.Defaults.logging()
                                        : TrainingListener.Defaults.basic());
        long start = System.nanoTime();
        TrainingResult result;
        try (Trainer trainer = model.newTrainer(training)) {
            // PtModel.newTrainer unfreezes the parameters of loaded models: freeze afterwards.
            if (!scratch) {
                features.freezeParameters(true);
            }
            EasyTrain.fit(trainer, config.epochs(), data, null);
            result = trainer.getTrainingResult();
        } finally {
            features.freezeParameters(false);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Float accuracy = result.getTrainEvaluation(ACCURACY);
        Float loss = result.getTrainLoss();
        return new FineTuneSummary(
                scratch ? "scratch" : "classifier",
                train.size(),
                config.epochs(),
                config.batchSize(),
                config.learningRate(),
                trainable,
                accuracy == null ? Double.NaN : accuracy,
                loss == null ? Double.NaN : loss,
                seconds);
    }

    /**
     * Re-initializes the last two {@link Linear} layers of the classifier as fresh layers, with
     * PyTorch's default {@code nn.Linear} initialization (weights and biases uniform in {@code
     * +-1/sqrt(fan_in)}), which is what the study's new layers started from.
     */
    static void replaceHead(Block classifier, long seed) {
        List<Block> linears = new ArrayList<>();
        for (var child : classifier.getChildren()) {
            if (child.getValue() instanceof Linear) {
                linears.add(child.getValue());
            }
        }
        if (linears.size() < 2) {
            throw new IllegalArgumentException(
                    "Expected at least two Linear layers in the classifier, found "
                            + linears.size());
        }
        Random random = new Random(seed);
        for (Block linear : linears.subList(linears.size() - 2, linears.size())) {
            Parameter weight = linear.getParameters().get("weight");
            Parameter bias = linear.getParameters().get("bias");
            long fanIn = weight.getArray().getShape().get(1);
            float bound = (float) (1 / Math.sqrt(fanIn));
            fillUniform(weight, bound, random);
            fillUniform(bias, bound, random);
        }
    }

    private static void fillUniform(Parameter p, float bound, Random random) {
        float[] values = new float[Math.toIntExact(p.getArray().size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (2 * random.nextFloat() - 1) * bound;
        }
        p.getArray().set(values);
    }
}
