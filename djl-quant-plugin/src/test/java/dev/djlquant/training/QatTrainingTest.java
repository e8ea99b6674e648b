package dev.djlquant.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import dev.djlquant.ManagerPerTest;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.Quantizers;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quantization-aware training inside a real DJL {@link Trainer} and {@link EasyTrain#fit}. */
class QatTrainingTest extends ManagerPerTest {

    /**
     * A COMPRESSED model can be run by a {@link Trainer} for evaluation, but not initialized for
     * training: DJL's own refusal speaks of child blocks, not of packed weights.
     */
    @Test
    void trainerInitializeOfACompressedModelSaysItIsForInference() {
        try (Model model = Toy.compressedModel(3, "int4@row")) {
            try (Trainer trainer = model.newTrainer(Toy.config(0.1f))) {
                assertThatThrownBy(() -> trainer.initialize(Toy.INPUT))
                        .isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining("A COMPRESSED block holds packed weights")
                        .hasMessageContaining("QuantConfig.Mode.QAT");
                NDList out = trainer.evaluate(new NDList(manager.randomNormal(Toy.INPUT)));
                assertThat(out.singletonOrThrow().getShape().getShape())
                        .containsExactly(1, Toy.CLASSES);
            }
        }
    }

    /**
     * One trainer step of the QAT model moves its float weights by exactly what one step moves the
     * weights of a model that holds the quantized weights themselves: the gradient of q(w) is taken
     * as the identity.
     */
    @Test
    void aTrainerStepMovesFloatWeightsByTheQuantizedModelsGradient() throws Exception {
        float lr = 0.05f;
        ArrayDataset data = Toy.data(manager, 16, 16, 5);
        try (Model qat = Toy.model(3);
                Model reference = Toy.model(3)) {
            Map<String, float[]> before = Toy.values(qat.getBlock());
            QatTraining.prepare(qat, QuantConfig.of("int3@row"));
            Quantizers.apply(reference, QuantConfig.of("int3@row"));
            Map<String, float[]> quantized = Toy.values(reference.getBlock());
            step(qat, data, lr);
            step(reference, data, lr);
            Map<String, float[]> qatAfter = Toy.values(QatTraining.floatBlock(qat));
            Map<String, float[]> refAfter = Toy.values(reference.getBlock());
            for (String name : before.keySet()) {
                float[] w0 = before.get(name);
                float[] q0 = quantized.get(name);
                float[] w1 = qatAfter.get(name);
                float[] r1 = refAfter.get(name);
                boolean moved = false;
                for (int i = 0; i < w0.length; i++) {
                    float qatDelta = w1[i] - w0[i];
                    float refDelta = r1[i] - q0[i];
                    assertThat(qatDelta).as("%s[%d]", name, i).isCloseTo(refDelta, within(1e-5f));
                    moved |= qatDelta != 0;
                }
                assertThat(moved).as("%s was updated", name).isTrue();
            }
        }
    }

    private static void step(Model model, ArrayDataset data, float lr) throws Exception {
        try (Trainer trainer = model.newTrainer(Toy.config(lr))) {
            trainer.initialize(Toy.INPUT);
            Batch batch = trainer.iterateDataset(data).iterator().next();
            try (batch) {
                EasyTrain.trainBatch(trainer, batch);
                trainer.step();
            }
        }
    }

    @Test
    void frozenWeightsStayPutAndTrainableOnesLearnThroughTheQuantizedForward() throws Exception {
        ArrayDataset data = Toy.data(manager, 64, 16, 7);
        try (Model model = Toy.model(4)) {
            Map<String, float[]> before = Toy.values(model.getBlock());
            QuantizationReport report = QatTraining.prepare(model, QuantConfig.of("dt3@row"));
            // The report of the first quantization, whose block is the wrapper now in the model.
            assertThat(report.block()).isSameAs(model.getBlock());
            assertThat(report.rows()).extracting(QuantizationReport.Row::name).isNotEmpty();
            try (Trainer trainer = model.newTrainer(Toy.config(0.1f))) {
                trainer.initialize(Toy.INPUT);
                assertThat(Freezing.trainOnly(model.getBlock(), "Linear"))
                        .containsExactly(
                                "04Linear_weight",
                                "04Linear_bias",
                                "06Linear_weight",
                                "06Linear_bias");
                EasyTrain.fit(trainer, 2, data, null);
            }
            Map<String, float[]> after = Toy.values(QatTraining.floatBlock(model));
            assertThat(after.get("01Conv2d_weight")).containsExactly(before.get("01Conv2d_weight"));
            assertThat(after.get("01Conv2d_bias")).containsExactly(before.get("01Conv2d_bias"));
            assertThat(after.get("04Linear_weight")).isNotEqualTo(before.get("04Linear_weight"));
            assertThat(after.get("06Linear_weight")).isNotEqualTo(before.get("06Linear_weight"));
        }
    }

    /** The substitutes must not pile up in the model's manager, one set per batch. */
    @Test
    void trainingDoesNotAccumulateArraysInTheModelsManager() throws Exception {
        ArrayDataset data = Toy.data(manager, 128, 8, 9);
        try (Model model = Toy.model(5)) {
            QatTraining.prepare(model, QuantConfig.of("int4@row"));
            try (Trainer trainer = model.newTrainer(Toy.config(0.05f))) {
                trainer.initialize(Toy.INPUT);
                EasyTrain.fit(trainer, 1, data, null);
                int afterOneEpoch = model.getNDManager().getManagedArrays().size();
                EasyTrain.fit(trainer, 1, data, null);
                assertThat(model.getNDManager().getManagedArrays().size()).isEqualTo(afterOneEpoch);
            }
        }
    }

    @Test
    void afterFitFinishReproducesTheQatForwardExactly() throws Exception {
        ArrayDataset data = Toy.data(manager, 64, 16, 11);
        NDArray input = manager.randomNormal(new Shape(5, 2, 6, 6));
        QuantConfig config =
                QuantConfig.builder().setScheme("dt3@row").addExclude("06Linear").build();
        try (Model model = Toy.model(6)) {
            QatTraining.prepare(model, config);
            try (Trainer trainer = model.newTrainer(Toy.config(0.1f))) {
                trainer.initialize(Toy.INPUT);
                EasyTrain.fit(trainer, 2, data, data);
                float[] qatForward = forward(model.getBlock(), input);
                float[] evaluated = trainer.evaluate(new NDList(input)).head().toFloatArray();
                assertThat(evaluated).containsExactly(qatForward);
                QatTraining.finish(model, config);
                assertThat(model.getBlock()).isNotInstanceOf(QuantizedBlock.class);
                assertThat(forward(model.getBlock(), input)).containsExactly(qatForward);
            }
        }
    }

    /**
     * COMPRESSED releases the float weights, which DJL's {@code Trainer.close} reads again
     * (ParameterStore.sync): finishing into COMPRESSED while the trainer that trained them is open
     * is refused up front, and the model stays in training; closed, it finishes.
     */
    @Test
    void finishIntoCompressedWaitsForTheTrainerToClose() throws Exception {
        ArrayDataset data = Toy.data(manager, 32, 16, 13);
        NDArray input = manager.randomNormal(new Shape(3, 2, 6, 6));
        QuantConfig qat = QuantConfig.of("int4@row");
        QuantConfig compressed =
                QuantConfig.builder()
                        .setScheme("int4@row")
                        .optMode(QuantConfig.Mode.COMPRESSED)
                        .build();
        try (Model model = Toy.model(9)) {
            QatTraining.prepare(model, qat);
            Block training = model.getBlock();
            Trainer trainer = model.newTrainer(Toy.config(0.1f));
            try {
                trainer.initialize(Toy.INPUT);
                EasyTrain.fit(trainer, 1, data, null);
                assertThatThrownBy(() -> QatTraining.finish(model, compressed))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("01Conv2d_weight")
                        .hasMessageContaining("close the trainer first");
                assertThat(model.getBlock()).isSameAs(training);
            } finally {
                trainer.close();
            }
            float[] qatForward = forward(model.getBlock(), input);
            QatTraining.finish(model, compressed);
            assertThat(model.getBlock()).isInstanceOf(QuantizedBlock.class);
            // Its linear layers multiply from the packed codes: sums in another order.
            assertThat(forward(model.getBlock(), input)).containsExactly(qatForward, within(1e-5f));
        }
    }

    /**
     * A QAT model saved mid-training (as DJL's checkpoint listener does every epoch) loads back as
     * a QuantizedBlock holding its float weights, without the config, which is not saved: preparing
     * it again resumes QAT with the same forward.
     */
    @Test
    void aSavedQatModelResumesByPreparingItAgain(@TempDir Path dir) throws Exception {
        NDArray input = manager.randomNormal(new Shape(5, 2, 6, 6));
        QuantConfig config = QuantConfig.of("int4@row");
        float[] qatForward;
        try (Model model = Toy.model(7)) {
            QatTraining.prepare(model, config);
            qatForward = forward(model.getBlock(), input);
            model.save(dir, "toy");
        }
        try (Model model = Model.newInstance("toy", "PyTorch")) {
            model.setBlock(new QuantizedBlock(Toy.net(model.getNDManager(), 8)));
            model.load(dir, "toy");
            QatTraining.prepare(model, config);
            assertThat(forward(model.getBlock(), input)).containsExactly(qatForward);
        }
    }

    @Test
    void prepareAndFinishRefuseMisuse() {
        try (Model model = Toy.model(1)) {
            assertThatThrownBy(() -> QatTraining.finish(model, QuantConfig.of("int4")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("QatTraining.prepare");
            QatTraining.prepare(model, QuantConfig.of("int4"));
            assertThatThrownBy(() -> QatTraining.prepare(model, QuantConfig.of("int4")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already");
            QuantConfig qat =
                    QuantConfig.builder().setScheme("int4").optMode(QuantConfig.Mode.QAT).build();
            assertThatThrownBy(() -> QatTraining.finish(model, qat))
                    .isInstanceOf(IllegalArgumentException.class);
            // A finish that fails leaves the model in training, to finish again.
            Block training = model.getBlock();
            QuantConfig nothing =
                    QuantConfig.builder().setScheme("int4").addInclude("^doesNotExist$").build();
            assertThatThrownBy(() -> QatTraining.finish(model, nothing))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("No parameter to quantize");
            assertThat(model.getBlock()).isSameAs(training);
            assertThat(QatTraining.finish(model, QuantConfig.of("int4")).rows()).isNotEmpty();
        }
    }

    private float[] forward(Block block, NDArray input) {
        try (NDManager scratch = manager.newSubManager()) {
            return block.forward(new ParameterStore(scratch, false), new NDList(input), false)
                    .head()
                    .toFloatArray();
        }
    }
}
