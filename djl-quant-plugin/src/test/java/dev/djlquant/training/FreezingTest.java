package dev.djlquant.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.Trainer;
import dev.djlquant.QuantConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreezingTest {

    @Test
    void freezeAndUnfreezeByRegexAndPrefix() {
        try (Model model = Toy.model(1)) {
            Block block = model.getBlock();
            assertThat(Freezing.freeze(block, "Linear_weight"))
                    .containsExactly("04Linear_weight", "06Linear_weight");
            assertThat(Freezing.trainable(block))
                    .containsExactly(
                            "01Conv2d_weight", "01Conv2d_bias", "04Linear_bias", "06Linear_bias");
            assertThat(Freezing.freezePrefix(block, "01Conv2d"))
                    .containsExactly("01Conv2d_weight", "01Conv2d_bias");
            assertThat(Freezing.unfreeze(block, "^06"))
                    .containsExactly("06Linear_weight", "06Linear_bias");
            assertThat(Freezing.trainable(block))
                    .containsExactly("04Linear_bias", "06Linear_weight", "06Linear_bias");
            assertThat(Freezing.trainOnlyPrefix(block, "04Linear_"))
                    .containsExactly("04Linear_weight", "04Linear_bias");
            assertThat(Freezing.trainable(block))
                    .containsExactly("04Linear_weight", "04Linear_bias");
            // A frozen parameter's array no longer records gradients.
            assertThat(block.getParameters().get("01Conv2d_weight").getArray().hasGradient())
                    .isFalse();
        }
    }

    @Test
    void namesAreTheFloatBlocksThroughAQatWrapper() {
        try (Model model = Toy.model(1)) {
            QatTraining.prepare(model, QuantConfig.of("int4"));
            assertThat(model.getBlock().getParameters().keys().get(0)).startsWith("01quantized");
            assertThat(Freezing.trainOnly(model.getBlock(), "^06"))
                    .containsExactly("06Linear_weight", "06Linear_bias");
            assertThat(Freezing.trainable(model.getBlock()))
                    .containsExactly("06Linear_weight", "06Linear_bias");
        }
    }

    @Test
    void aRegexThatMatchesNothingIsAnErrorListingTheNames() {
        try (Model model = Toy.model(1)) {
            assertThatThrownBy(() -> Freezing.trainOnlyPrefix(model.getBlock(), "classifier."))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("classifier")
                    .hasMessageContaining("01Conv2d_weight");
            assertThat(Freezing.trainable(model.getBlock())).hasSize(6);
            assertThatThrownBy(() -> Freezing.freezePrefix(model.getBlock(), ""))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Freezing.freeze(model.getBlock(), "^head"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("No parameter name matches '^head'")
                    .hasMessageContaining("01Conv2d_weight");
            assertThatThrownBy(() -> Freezing.unfreeze(model.getBlock(), "^head"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("No parameter name matches '^head'");
            assertThat(Freezing.trainable(model.getBlock())).hasSize(6);
        }
    }

    /** The refusal lists at most 12 names and then the count, or says there are none. */
    @Test
    void aRefusalListsTwelveNamesAtMost() {
        SequentialBlock deep = new SequentialBlock();
        for (int layer = 0; layer < 7; layer++) {
            deep.add(Linear.builder().setUnits(2).build());
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            deep.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
            assertThatThrownBy(() -> Freezing.freeze(deep, "^head"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("06Linear_bias, ... (14 in all)")
                    .hasMessageNotContaining("07Linear_weight");
        }
        assertThatThrownBy(() -> Freezing.freeze(new SequentialBlock(), "^head"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("the block has no parameters");
    }

    @Test
    void runningStatisticsAreNeverUnfrozen() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block =
                    new SequentialBlock()
                            .add(Linear.builder().setUnits(3).build())
                            .add(BatchNorm.builder().build());
            block.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
            Freezing.trainOnly(block, "BatchNorm");
            assertThat(Freezing.trainable(block))
                    .containsExactly("02BatchNorm_gamma", "02BatchNorm_beta");
            for (Parameter p : block.getParameters().values()) {
                if (p.getType() == Parameter.Type.RUNNING_MEAN
                        || p.getType() == Parameter.Type.RUNNING_VAR) {
                    assertThat(p.requiresGradient()).isFalse();
                }
            }
        }
    }

    /** DESIGN.md 5: newTrainer unfreezes a loaded model, so freeze after creating the trainer. */
    @Test
    void newTrainerUnfreezesALoadedModelSoFreezeAfterIt(@TempDir Path dir) throws Exception {
        try (Model model = Toy.model(1)) {
            model.save(dir, "toy");
        }
        try (Model loaded = Model.newInstance("toy", "PyTorch")) {
            loaded.setBlock(Toy.net(loaded.getNDManager(), 2));
            loaded.load(dir, "toy");
            Freezing.trainOnly(loaded.getBlock(), "^06");
            try (Trainer trainer = loaded.newTrainer(Toy.config(0.1f))) {
                assertThat(Freezing.trainable(loaded.getBlock())).hasSize(6);
                Freezing.trainOnly(trainer.getModel().getBlock(), "^06");
                assertThat(Freezing.trainable(loaded.getBlock()))
                        .containsExactly("06Linear_weight", "06Linear_bias");
            }
        }
    }
}
