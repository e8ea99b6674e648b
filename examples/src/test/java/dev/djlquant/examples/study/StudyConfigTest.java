package dev.djlquant.examples.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.zoo.CifarArchitectures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The study's settings: model names, the shared weights' place, and what the builder refuses. */
class StudyConfigTest {

    @Test
    void modelsNameTheirArchitecturesInAnyCase() {
        assertThat(StudyConfig.architectureName("AlexNet")).isEqualTo(CifarArchitectures.ALEXNET);
        assertThat(StudyConfig.architectureName("vgg16")).isEqualTo(CifarArchitectures.VGG16);
        assertThat(StudyConfig.architectureName("resnet20")).isNull();
        assertThat(StudyConfig.architectureName(null)).isNull();
        assertThat(StudyConfig.full("VGG16").optOutputDir(Path.of("o")).build().architecture())
                .isEqualTo(CifarArchitectures.VGG16);
        assertThat(StudyConfig.sharedPretrained(Path.of("shared"), "vgg16"))
                .isEqualTo(Path.of("shared", "models", "vgg16_cifar10_fp16.pt"));
    }

    @Test
    void everySettingIsKept() {
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        StudyConfig c =
                StudyConfig.quick("alexnet")
                        .optPretrained(Path.of("a.pt"))
                        .optBatchSize(1)
                        .optEvalBatchSize(7)
                        .optSeed(-3)
                        .optOutputDir(Path.of("out"))
                        .optLog(log)
                        .build();
        assertThat(c.pretrained()).isEqualTo(Path.of("a.pt"));
        assertThat(c.fromScratch()).isFalse();
        assertThat(c.batchSize()).isEqualTo(1);
        assertThat(c.evalBatchSize()).isEqualTo(7);
        assertThat(c.seed()).isEqualTo(-3);
        assertThat(c.log()).isSameAs(log);
    }

    @Test
    void outOfRangeSettingsAreRefusedByName() {
        assertThatThrownBy(() -> StudyConfig.quick("alexnet").optBatchSize(0).build())
                .hasMessage("batch size must be positive: 0");
        assertThatThrownBy(() -> StudyConfig.quick("alexnet").optEvalBatchSize(-1).build())
                .hasMessage("evaluation batch size must be positive: -1");
        assertThatThrownBy(() -> StudyConfig.quick("alexnet").optTestImages(-1).build())
                .hasMessage("test images must not be negative: -1");
        assertThatThrownBy(
                        () ->
                                StudyConfig.quick("alexnet")
                                        .optLearningRate(Float.POSITIVE_INFINITY)
                                        .build())
                .hasMessageContaining("Learning rate");
        assertThatThrownBy(() -> StudyConfig.quick("alexnet").optLearningRate(Float.NaN).build())
                .hasMessageContaining("Learning rate");
        assertThatThrownBy(() -> StudyConfig.full("resnet20").build())
                .hasMessageContaining("resnet20");
    }
}
