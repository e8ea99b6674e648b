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
                        "seedfp8@row",
                        "seeddt8@row",
                        "seeddt3@row",
                        "seeddt8@sorted256",
                        "dt8@sorted4096",
                        "dt4@sorted65536",
                        "int4@row",
                        "dt4@block64",
                        "seedlinear8@tensor")
                .doesNotHaveDuplicates()
                .allSatisfy(s -> assertThat(StudySchemes.check(s)).isEqualTo(s));
        assertThat(specs).hasSize(35);
        // The study's arithmetic meets the correct one at the same groups: its linear int8 per
        // tensor, its FP8 and 8..3-bit trees per row, its 8-bit tree over the three sorted groups.
        assertThat(
                        specs.stream()
                                .filter(
                                        s ->
                                                StudySchemes.correctCounterpart(s)
                                                        .filter(specs::contains)
                                                        .isPresent()))
                .hasSize(1 + 1 + 6 + 3);
    }

    @Test
    void correctCounterpartsKeepTheGroupsAndReplaceTheArithmetic() {
        assertThat(StudySchemes.correctCounterpart("seeddt3@row")).contains("dt3@row");
        assertThat(StudySchemes.correctCounterpart("SeedDT8@sorted256")).contains("dt8@sorted256");
        assertThat(StudySchemes.correctCounterpart("seedfp8@lastaxis"))
                .contains("fp8e4m3@lastaxis");
        assertThat(StudySchemes.correctCounterpart("seedfp8e5@row")).contains("fp8e5m2@row");
        assertThat(StudySchemes.correctCounterpart("seedlinear8@tensor")).contains("int8@tensor");
        assertThat(StudySchemes.correctCounterpart("dt3@row")).isEmpty();
        assertThat(StudySchemes.correctCounterpart("nf4@block64+dq")).isEmpty();
        assertThat(StudySchemes.correctCounterpart("float32")).isEmpty();
        assertThatThrownBy(() -> StudySchemes.correctCounterpart("seeddt9@row"))
                .hasMessageContaining("seeddt");
    }

    @Test
    void theStudysTreeMeetsTheCorrectTreeOfEveryWidthAtItsGroups() {
        assertThat(StudySchemes.correctAtSameGroups("seeddt3@row"))
                .containsExactly(
                        "dt2@row", "dt3@row", "dt4@row", "dt5@row", "dt6@row", "dt7@row",
                        "dt8@row");
        assertThat(StudySchemes.correctAtSameGroups("seeddt8@sorted256"))
                .hasSize(7)
                .contains("dt8@sorted256", "dt4@sorted256");
        assertThat(StudySchemes.correctAtSameGroups("seedfp8@row")).containsExactly("fp8e4m3@row");
        assertThat(StudySchemes.correctAtSameGroups("seedlinear8@tensor"))
                .containsExactly("int8@tensor");
        assertThat(StudySchemes.correctAtSameGroups("dt8@row")).isEmpty();
        assertThat(StudySchemes.correctAtSameGroups("float32")).isEmpty();
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
