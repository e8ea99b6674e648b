package dev.djlquant.examples.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StudySchemesTest {

    @Test
    void defaultSweepHoldsEverySchemeOfTheStudyAndTheExtras() {
        List<String> specs = StudySchemes.defaults();
        assertThat(specs)
                .contains(
                        "int8@tensor",
                        "fp8e4m3@row",
                        "seedfp8@lastaxis",
                        "dt8@row",
                        "dt3@row",
                        "seeddt8@lastaxis",
                        "seeddt3@lastaxis",
                        "seeddt8@sorted256",
                        "dt8@sorted4096",
                        "dt4@sorted65536",
                        "int4@row",
                        "dt4@block64",
                        "seedlinear8@tensor")
                .doesNotHaveDuplicates()
                .allSatisfy(s -> assertThat(StudySchemes.check(s)).isEqualTo(s));
        assertThat(specs).hasSize(28);
    }

    @Test
    void familiesDropTheBitsExceptForStableEmbedding() {
        assertThat(StudySchemes.family("dt4@row")).isEqualTo("dt@row");
        assertThat(StudySchemes.family("seeddt3@lastaxis")).isEqualTo("seeddt@lastaxis");
        assertThat(StudySchemes.family("int8@tensor")).isEqualTo("int@tensor");
        assertThat(StudySchemes.family("fp8e4m3@row")).isEqualTo("fp8e4m3@row");
        assertThat(StudySchemes.family("seedfp8@lastaxis")).isEqualTo("seedfp8@lastaxis");
        assertThat(StudySchemes.family("dt4@sorted256")).isEqualTo("dt4@sortedN");
        assertThat(StudySchemes.family("dt4@block64")).isEqualTo("dt@block64");
        assertThat(StudySchemes.family("float32")).isEqualTo("float32");
        assertThat(StudySchemes.groupSize("dt4@sorted4096")).isEqualTo(4096);
        assertThat(StudySchemes.groupSize("dt4@row")).isZero();
        assertThat(StudySchemes.family("seedlinear8@tensor")).isEqualTo("seedlinear8@tensor");
    }

    @Test
    void checkRejectsTheBaselineAndBadSpecs() {
        assertThatThrownBy(() -> StudySchemes.check("float32")).hasMessageContaining("baseline");
        assertThatThrownBy(() -> StudySchemes.check("dt9@row")).hasMessageContaining("dt9");
    }

    @Test
    void configCanonicalizesSchemesAndValidatesSettings() {
        StudyConfig c =
                StudyConfig.quick("AlexNet")
                        .optSchemes(List.of("dt4", "dt4@row", "int8@tensor"))
                        .build();
        assertThat(c.model()).isEqualTo("alexnet");
        assertThat(c.schemes()).containsExactly("dt4@row", "int8@tensor");
        assertThat(c.fromScratch()).isTrue();
        assertThatThrownBy(() -> StudyConfig.quick("resnet").build())
                .hasMessageContaining("resnet");
        assertThatThrownBy(() -> StudyConfig.quick("vgg16").optEpochs(-1).build())
                .hasMessageContaining("epochs");
        assertThatThrownBy(() -> StudyConfig.quick("vgg16").optLearningRate(0).build())
                .hasMessageContaining("Learning rate");
    }
}
