package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class QuantConfigTest {

    private static Parameter param(String name, Parameter.Type type, long... shape) {
        return Parameter.builder().setName(name).setType(type).optShape(new Shape(shape)).build();
    }

    @Test
    void defaultSelectionTakesWeightsOfTwoOrMoreDimensions() {
        QuantConfig c = QuantConfig.of("dt4");
        assertThat(c.mode()).isEqualTo(QuantConfig.Mode.SIMULATE);
        assertThat(c.schemeFor("conv.weight", param("weight", Parameter.Type.WEIGHT, 8, 3, 3, 3)))
                .contains(Quantizer.parse("dt4@row"));
        assertThat(c.schemeFor("fc.weight", param("weight", Parameter.Type.WEIGHT, 10, 4)))
                .isPresent();
        assertThat(c.schemeFor("fc.bias", param("bias", Parameter.Type.BIAS, 10))).isEmpty();
        assertThat(c.schemeFor("emb", param("weight", Parameter.Type.WEIGHT, 10))).isEmpty();
        assertThat(c.schemeFor("bn.gamma", param("gamma", Parameter.Type.GAMMA, 10))).isEmpty();
        assertThat(c.schemeFor("bn.mean", param("m", Parameter.Type.RUNNING_MEAN, 10))).isEmpty();
    }

    @Test
    void includesExcludesAndOverridesSearchTheName() {
        QuantConfig c =
                QuantConfig.builder()
                        .setScheme("int8@row")
                        .addInclude("classifier")
                        .addExclude("classifier\\.6")
                        .addOverride("classifier\\.1\\.", "dt3@block64")
                        .optMode(QuantConfig.Mode.COMPRESSED)
                        .build();
        Parameter w = param("weight", Parameter.Type.WEIGHT, 4, 4);
        Parameter b = param("bias", Parameter.Type.BIAS, 4);
        assertThat(c.schemeFor("features.0.weight", w)).isEmpty();
        assertThat(c.schemeFor("classifier.4.weight", w)).contains(Quantizer.parse("int8@row"));
        // An explicit include selects biases too.
        assertThat(c.schemeFor("classifier.4.bias", b)).contains(Quantizer.parse("int8@row"));
        assertThat(c.schemeFor("classifier.6.weight", w)).isEmpty();
        assertThat(c.schemeFor("classifier.1.weight", w)).contains(Quantizer.parse("dt3@block64"));
        assertThat(c.mode()).isEqualTo(QuantConfig.Mode.COMPRESSED);
    }

    @Test
    void badInputIsRejectedAtBuildTime() {
        assertThatThrownBy(() -> QuantConfig.builder().build())
                .hasMessageContaining("default scheme");
        assertThatThrownBy(() -> QuantConfig.builder().setScheme("dt4").addOverride("x", "dt99"))
                .hasMessageContaining("dt99");
        assertThatThrownBy(() -> QuantConfig.builder().setScheme("dt4").addInclude("(unclosed"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Bad include regex '(unclosed': Unclosed group near index 9");
        assertThatThrownBy(() -> QuantConfig.builder().addExclude("a**"))
                .hasMessage("Bad exclude regex 'a**': Dangling meta character '*' near index 2");
        assertThatThrownBy(() -> QuantConfig.builder().addOverride("[x", "dt4"))
                .hasMessageStartingWith("Bad override regex '[x': Unclosed character class");
    }

    /** A copy keeps the whole selection: every include, exclude and override, in order. */
    @Test
    void toBuilderKeepsTheSelection() {
        QuantConfig config =
                QuantConfig.builder()
                        .setScheme("dt4")
                        .addInclude("conv")
                        .addInclude("fc")
                        .addExclude("fc3")
                        .addOverride("fc1", "int8@row")
                        .addOverride("conv1", "dt8@block64")
                        .build();
        QuantConfig copy = config.toBuilder().addExclude("fc2").build();
        assertThat(copy.includes()).extracting(Pattern::pattern).containsExactly("conv", "fc");
        assertThat(copy.excludes()).extracting(Pattern::pattern).containsExactly("fc3", "fc2");
        assertThat(copy.overrides().keySet())
                .extracting(Pattern::pattern)
                .containsExactly("fc1", "conv1");
        assertThat(copy.overrides().values())
                .extracting(Quantizer::spec)
                .containsExactly("int8@row", "dt8@block64");
        assertThat(config.excludes()).hasSize(1); // the original is unchanged
    }

    @Test
    void statisticsAreOnByDefaultAndToBuilderKeepsThemOff() {
        assertThat(QuantConfig.of("dt4").statistics()).isTrue();
        QuantConfig off =
                QuantConfig.builder()
                        .setScheme("dt4")
                        .optMode(QuantConfig.Mode.COMPRESSED)
                        .optStatistics(false)
                        .build();
        QuantConfig copy = off.toBuilder().build();
        assertThat(copy.statistics()).isFalse();
        assertThat(copy.mode()).isEqualTo(QuantConfig.Mode.COMPRESSED);
        assertThat(off.toString()).endsWith(", statistics=false}");
        assertThat(QuantConfig.of("dt4").toString()).doesNotContain("statistics");
        assertThat(copy.toBuilder().optStatistics(true).build().statistics()).isTrue();
    }
}
