package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import dev.djlquant.data.ImageNormalization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CifarTranslatorTest {

    private static CifarTranslator fromFactory(Map<String, ?> arguments) {
        try (Model model = Model.newInstance("resnet", "PyTorch")) {
            return (CifarTranslator)
                    new CifarTranslatorFactory()
                            .newInstance(Image.class, Classifications.class, model, arguments);
        }
    }

    @Test
    void theFactoryTakesTheNormalizationArgumentAndDefaultsToCifar() {
        assertThat(fromFactory(Map.of()).normalization()).isEqualTo(ImageNormalization.CIFAR10);
        assertThat(fromFactory(Map.of("normalization", "imagenet")).normalization())
                .isEqualTo(ImageNormalization.IMAGENET);
        assertThat(
                        fromFactory(Map.of("normalization", "0.5,0.5,0.5/0.25,0.25,0.25"))
                                .normalization())
                .isEqualTo(
                        ImageNormalization.of(
                                new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}));
        assertThat(CifarTranslator.builder().build().normalization())
                .isEqualTo(ImageNormalization.CIFAR10);
    }

    @Test
    void aBadNormalizationArgumentNamesTheArgumentAndTheModel() {
        assertThatThrownBy(() -> fromFactory(Map.of("normalization", "0.5/0.5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Argument normalization of resnet")
                .hasMessageContaining("got 1 and 1");
    }
}
