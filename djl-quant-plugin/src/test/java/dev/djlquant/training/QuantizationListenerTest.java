package dev.djlquant.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.metric.Metric;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.listener.EvaluatorTrainingListener;
import dev.djlquant.ManagerPerTest;
import dev.djlquant.QuantConfig;
import dev.djlquant.Quantizers;
import dev.djlquant.data.Evaluation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link QuantizationListener} on a tiny model and dataset, standalone and in a real fit. */
class QuantizationListenerTest extends ManagerPerTest {

    @Test
    void aBatchSizeBelowOneIsRefused() {
        for (int size : new int[] {0, -3}) {
            assertThatThrownBy(() -> QuantizationListener.builder().optBatchSize(size))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Batch size must be positive: " + size);
        }
        QuantizationListener.builder().optBatchSize(1);
    }

    @Test
    void evaluatingLeavesTheWeightsAloneAndMatchesQuantizingACopy() throws Exception {
        ArrayDataset validation = Toy.data(manager, 50, 10, 21);
        QuantConfig int3Features =
                QuantConfig.builder().setScheme("int3").addInclude("Conv").build();
        QuantizationListener listener =
                QuantizationListener.builder()
                        .setValidationDataset(validation)
                        .addSpec("dt3")
                        .addConfig("int3-conv", int3Features)
                        .optFloatBaseline(true)
                        .optBatchSize(7)
                        .build();
        assertThat(listener.labels()).containsExactly("float", "dt3@row", "int3-conv");
        try (Model model = Toy.model(8);
                Trainer trainer = model.newTrainer(Toy.config(0.1f))) {
            trainer.initialize(Toy.INPUT);
            Map<String, float[]> before = Toy.values(model.getBlock());
            listener.onEpoch(trainer);
            listener.onEpoch(trainer);
            assertThat(Toy.values(model.getBlock())).usingRecursiveComparison().isEqualTo(before);
            assertThat(listener.getEpochs()).isEqualTo(2);
            Map<String, Evaluation.Accuracy> latest = listener.getLatest();
            assertThat(latest.get("float")).isEqualTo(accuracy(model.getBlock(), validation));
            assertThat(latest.get("dt3@row"))
                    .isEqualTo(quantizedCopyAccuracy(8, QuantConfig.of("dt3"), validation));
            assertThat(latest.get("int3-conv"))
                    .isEqualTo(quantizedCopyAccuracy(8, int3Features, validation));
            assertThat(listener.getHistory("dt3@row"))
                    .hasSize(2)
                    .containsOnly(latest.get("dt3@row"));
        }
    }

    @Test
    void resultsAreReadableFromListenerAndTrainerMetricsAfterFit() throws Exception {
        ArrayDataset train = Toy.data(manager, 96, 16, 31);
        ArrayDataset validation = Toy.data(manager, 40, 20, 32);
        QuantizationListener listener =
                QuantizationListener.builder()
                        .setValidationDataset(validation)
                        .addSpec("int4@row")
                        .addSpec("dt3@row")
                        .build();
        try (Model model = Toy.model(9)) {
            QatTraining.prepare(model, QuantConfig.of("dt3@row"));
            try (Trainer trainer = model.newTrainer(Toy.config(0.1f, listener))) {
                trainer.setMetrics(new Metrics());
                trainer.initialize(Toy.INPUT);
                EasyTrain.fit(trainer, 3, train, validation);
                Metrics metrics = trainer.getMetrics();
                for (String label : List.of("int4@row", "dt3@row")) {
                    List<Evaluation.Accuracy> history = listener.getHistory(label);
                    assertThat(history).hasSize(3).allMatch(a -> a.total() == 40);
                    List<Metric> recorded =
                            metrics.getMetric(QuantizationListener.metricName(label));
                    assertThat(recorded).hasSize(3);
                    for (int epoch = 0; epoch < 3; epoch++) {
                        assertThat(recorded.get(epoch).getValue())
                                .isEqualTo(history.get(epoch).fraction());
                    }
                }
                // The QAT model's own validation sees dt3@row weights: the same accuracy.
                float validated =
                        metrics.latestMetric(
                                        EvaluatorTrainingListener.metricName(
                                                trainer.getEvaluators().get(0),
                                                EvaluatorTrainingListener.VALIDATE_EPOCH))
                                .getValue()
                                .floatValue();
                assertThat((double) validated)
                        .isCloseTo(
                                listener.getLatest().get("dt3@row").fraction(),
                                org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    @Test
    void aConfigThatSelectsNothingFailsBeforeTheFirstEpoch() throws Exception {
        ArrayDataset train = Toy.data(manager, 32, 16, 41);
        QuantizationListener listener =
                QuantizationListener.builder()
                        .setValidationDataset(train)
                        .addSpec("int4@row")
                        .addConfig(
                                "nothing",
                                QuantConfig.builder()
                                        .setScheme("int4@row")
                                        .addInclude("^none$")
                                        .build())
                        .build();
        try (Model model = Toy.model(5);
                Trainer trainer = model.newTrainer(Toy.config(0.1f, listener))) {
            trainer.initialize(Toy.INPUT);
            assertThatThrownBy(() -> EasyTrain.fit(trainer, 1, train, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("nothing selects no parameter of the model");
            assertThat(listener.getEpochs()).isZero();
        }
    }

    /**
     * A model with TorchScript layers, which the listener cannot evaluate as quantized, fails the
     * first batch rather than the end of the first epoch.
     */
    @Test
    void aTorchScriptModelFailsAtTheFirstBatchNotAtTheEndOfTheEpoch() throws Exception {
        NDArray images = manager.randomNormal(new Shape(4, 3, 32, 32));
        ArrayDataset data =
                new ArrayDataset.Builder()
                        .setData(images)
                        .optLabels(manager.zeros(new Shape(4)))
                        .setSampling(2, false)
                        .build();
        QuantizationListener listener =
                QuantizationListener.builder()
                        .setValidationDataset(data)
                        .addSpec("int8@row")
                        .build();
        try (Model model = Model.newInstance("resnet20", "PyTorch")) {
            model.load(
                    dev.djlquant.SharedFiles.require("models/resnet20_cifar10.pt"),
                    null,
                    Map.of("trainParam", "true"));
            try (Trainer trainer = model.newTrainer(Toy.config(0.01f, listener))) {
                assertThatThrownBy(() -> EasyTrain.fit(trainer, 1, data, null))
                        .isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining("needs DJL-native layers")
                        .hasStackTraceContaining("onTrainingBatch");
                assertThat(listener.getEpochs()).isZero();
            }
        }
    }

    @Test
    void aListenerUsedForAnotherModelChecksItsSelectionAnew() throws Exception {
        ArrayDataset train = Toy.data(manager, 32, 16, 41);
        QuantizationListener listener =
                QuantizationListener.builder()
                        .setValidationDataset(train)
                        .addConfig(
                                "convolutions",
                                QuantConfig.builder()
                                        .setScheme("int4@row")
                                        .addInclude("Conv2d")
                                        .build())
                        .build();
        try (Model model = Toy.model(5);
                Trainer trainer = model.newTrainer(Toy.config(0.1f, listener))) {
            trainer.initialize(Toy.INPUT);
            EasyTrain.fit(trainer, 1, train, null);
        }
        try (Model linear = Model.newInstance("linear", "PyTorch")) {
            linear.setBlock(
                    new SequentialBlock()
                            .add(Blocks.batchFlattenBlock())
                            .add(Linear.builder().setUnits(Toy.CLASSES).build()));
            try (Trainer trainer = linear.newTrainer(Toy.config(0.1f, listener))) {
                trainer.initialize(Toy.INPUT);
                assertThatThrownBy(() -> EasyTrain.fit(trainer, 1, train, null))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("convolutions selects no parameter of the model");
            }
        }
        assertThat(listener.getEpochs()).isEqualTo(1);
    }

    @Test
    void builderAndGettersExplainMisuse() {
        ArrayDataset validation = Toy.data(manager, 10, 10, 1);
        assertThatThrownBy(() -> QuantizationListener.builder().addSpec("int4").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("validation dataset");
        assertThatThrownBy(
                        () ->
                                QuantizationListener.builder()
                                        .setValidationDataset(validation)
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at least one spec");
        assertThatThrownBy(() -> QuantizationListener.builder().addSpec("int4").addSpec("int4@row"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already used");
        QuantizationListener listener =
                QuantizationListener.builder()
                        .setValidationDataset(validation)
                        .addSpec("int4")
                        .build();
        assertThat(listener.getLatest()).isEmpty();
        assertThatThrownBy(() -> listener.getHistory("dt4@row"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("int4@row");
        try (Model model = Toy.compressedModel(2, "int4")) {
            assertThatThrownBy(() -> listener.evaluate(model.getBlock(), manager))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("compressed");
        }
    }

    private Evaluation.Accuracy quantizedCopyAccuracy(
            int seed, QuantConfig config, ArrayDataset data) throws Exception {
        try (Model copy = Toy.model(seed)) {
            Quantizers.apply(copy, config);
            return accuracy(copy.getBlock(), data);
        }
    }

    private Evaluation.Accuracy accuracy(Block block, ArrayDataset data) throws Exception {
        return Evaluation.accuracy(block, manager, data, 9);
    }
}
