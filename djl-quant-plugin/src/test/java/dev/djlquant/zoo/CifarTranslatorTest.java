package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CifarTranslatorTest {

    @Test
    void normalizationNeedsThreeMeansAndThreeDeviations() {
        assertThatThrownBy(
                        () ->
                                CifarTranslator.builder()
                                        .optNormalization(new float[] {0.5f, 0.5f}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 2 and 3");
    }
}
