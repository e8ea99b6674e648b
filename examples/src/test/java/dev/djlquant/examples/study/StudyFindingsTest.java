package dev.djlquant.examples.study;

import static dev.djlquant.examples.study.HandBuiltStudy.section;
import static org.assertj.core.api.Assertions.assertThat;

import dev.djlquant.QuantizationReport;
import dev.djlquant.metrics.ExponentHistogram;
import org.junit.jupiter.api.Test;

/**
 * The "Beyond the study" findings on hand-built results ({@link HandBuiltStudy}: 1,000,000 weights,
 * 100,000 float32 parameters, 1,000 test images), each number worked out from the inputs.
 */
class StudyFindingsTest {

    private static final String FINDINGS = "Beyond the study";

    private static String findings(HandBuiltStudy study) {
        return section(StudyReport.markdown(study.result(), false), FINDINGS);
    }

    /**
     * The study's 3-bit tree at lastaxis groups: 8-bit codes, 121,000 bytes of scales, 77.1% of the
     * weights in the top decade.
     */
    private static HandBuiltStudy withStudysThreeBitTree() {
        return new HandBuiltStudy(900)
                .add(
                        "seeddt3@lastaxis",
                        817,
                        8,
                        121_000,
                        0,
                        4e-3,
                        new ExponentHistogram(new long[] {771_000, 200_000, 0}, 29_000),
                        null);
    }

    @Test
    void theThreeBitTreeIsShownWithTheBitsItReallyStores() {
        // 121,000 bytes of scales: 8 * (1,000,000 + 121,000) / 10^6 = 8.97 real bits; the study's
        // estimate (3 * 10^6 + 8 * 121,000) / 8 = 496,000 bytes, 3.97 bits.
        HandBuiltStudy study =
                withStudysThreeBitTree()
                        .add("seeddt6@lastaxis", 850, 9, 121_000, 0, 1e-3)
                        .add("dt3@row", 737, 3, 4000, 0, 2e-2);
        String text = findings(study);
        assertThat(text)
                .contains("1. **The study's \"3-bit\" dynamic tree is not 3 bits.**")
                .contains("77.1% of the weights here")
                .contains("Its codes need 8 bits")
                .contains("their entropy is 7.50 bits")
                .contains("8.97 bits per weight are really stored, against the study's 3.97")
                .contains("Its accuracy is 81.70%.")
                // Packed: 1.521 MB (8-bit codes) and 1.646 MB (9-bit); estimates 0.896 and 1.271.
                .contains("The 2 `seeddtK@lastaxis` models take 1.52 to 1.65 MB")
                .contains("the study's estimate ranges from 0.90 to 1.27 MB")
                .contains(
                        "(`dt3@row`, 8 levels, 3.03 real bits per weight, entropy 2.50) reaches"
                                + " 73.70% (-8.00 pp against `seeddt3`)");
    }

    @Test
    void stableEmbeddingSavesLessThanItsEstimatePromised() {
        // dt4@sorted256: codes 500,000, scales 15,628, index 2,500,000 (20 bits for n = 10^6),
        // float32 rest 400,000: 3,415,628 bytes, 22% below float32's 4,400,000; the estimate
        // 915,628 bytes promised 79%.
        HandBuiltStudy study =
                new HandBuiltStudy(900)
                        .add(
                                "dt4@sorted256",
                                850,
                                4,
                                15_628,
                                2_500_000,
                                1e-3,
                                null,
                                layer("fc.weight", 1_000_000));
        String text = findings(study);
        assertThat(text)
                .contains("(20 bits for the largest layer here, n = 1,000,000)")
                .contains("the index alone takes 2.50 MB")
                .contains("`dt4@sorted256` 0.9 -> 3.4 MB (3.7x). The smallest")
                .contains(
                        "The smallest, `dt4@sorted256`, saves 22% against float32 (4.40 MB), not"
                                + " the 79% its estimate promised.");
    }

    /** A results.json replotted without its layers.csv has no layer to give as the example. */
    @Test
    void stableEmbeddingWithoutLayerRowsGivesNoLayerExample() {
        String text =
                findings(
                        new HandBuiltStudy(900)
                                .add("dt4@sorted256", 850, 4, 15_628, 2_500_000, 1e-3));
        assertThat(text)
                .contains("stored at ceil(log2 n) bits per weight, more than the codes themselves:")
                .doesNotContain("largest layer here");
    }

    @Test
    void stableEmbeddingNoSmallerThanFloat32IsSaidSo() {
        // Codes 1,000,000, scales 15,628 and the float32 rest 400,000, with an index that brings
        // the model to exactly float32's 4,400,000 bytes, or past it.
        for (long index : new long[] {2_984_372, 3_000_000}) {
            HandBuiltStudy study =
                    new HandBuiltStudy(900)
                            .add(
                                    "dt8@sorted256",
                                    850,
                                    8,
                                    15_628,
                                    index,
                                    1e-3,
                                    null,
                                    layer("fc.weight", 1_000_000));
            assertThat(findings(study))
                    .contains("None of them is smaller than the float32 model (4.40 MB).")
                    .doesNotContain("The smallest");
        }
    }

    @Test
    void lastAxisScalesAreWeighedAgainstTheCodesAndAgainstRowScales() {
        // 334,000 bytes of scales next to 1,000,000 of codes: 25.0% of 1,334,000.
        HandBuiltStudy study =
                new HandBuiltStudy(900)
                        .add("int8@row", 889, 8, 4000, 0, 5e-5)
                        .add("seedfp8@lastaxis", 870, 8, 334_000, 0, 2e-4);
        assertThat(findings(study))
                .contains(
                        "For `seedfp8@lastaxis` the scales take 0.33 MB next to 1.00 MB of codes"
                                + " (25.0% of the quantized size).")
                .contains("Row-wise scales (`int8@row`) take 0.004 MB.");
        assertThat(
                        findings(
                                new HandBuiltStudy(900)
                                        .add("seedfp8@lastaxis", 870, 8, 334_000, 0, 2e-4)))
                .contains("(25.0% of the quantized size). The study's estimate does count them")
                .doesNotContain("Row-wise scales");
    }

    @Test
    void aLoneThreeBitTreeHasNoFamilyRange() {
        HandBuiltStudy study = withStudysThreeBitTree();
        SchemeResult seed = study.result().find("seeddt3@lastaxis").orElseThrow();
        assertThat(seed.exponentShare(1)).isEqualTo(0.2);
        assertThat(seed.exponentShare(3)).isZero();
        assertThat(findings(study))
                .contains("Its accuracy is 81.70%.")
                .doesNotContain("models take")
                .doesNotContain("A true 3-bit");
    }

    @Test
    void theDynamicTreesMostNegativeValueIsNamedPerWidth() {
        // The most negative entry is -(the mean of linspace(0.1, 1, 2^(K-2) + 1)'s last two
        // boundaries) = -(1 - 0.45 / 2^(K-2)): 0.8875 at 4 bits, 0.99297 at 8.
        HandBuiltStudy study =
                new HandBuiltStudy(900)
                        .add("dt8@sorted4096", 860, 8, 1000, 2_500_000, 1e-4)
                        .add("dt4@sorted4096", 777, 4, 1000, 2_500_000, 1e-2)
                        .add("dt4@row", 802, 4, 4000, 0, 1e-2);
        assertThat(findings(study))
                .contains("its most negative value is -0.8875 at 4 bits, -0.9930 at 8 bits.")
                .contains("At 4 bits: `dt4@sorted4096` 77.70% against `dt4@row` 80.20%.")
                .contains("At 8 bits: `dt8@sorted4096` 86.00%.");
    }

    @Test
    void theStudysLinearInt8CollapsesOnlyBelowHalfWayToChance() {
        // Baseline 90%, chance 10%: the line is at 50%.
        assertThat(findings(new HandBuiltStudy(900).add("seedlinear8@tensor", 499, 8, 4, 0, 3e-4)))
                .contains("reproduces its collapse")
                .contains("scores 49.90% (-40.10 pp against float32), MAE 3.00e-09")
                .doesNotContain("Only values beyond");
        assertThat(findings(new HandBuiltStudy(900).add("seedlinear8@tensor", 500, 8, 4, 0, 3e-4)))
                .contains("does not explain its 10% row")
                .contains("Only values beyond 127 / S wrap");
    }

    @Test
    void findingsAreNumberedInOrderAndOnlyWhenTheRunMeasuredTheirSchemes() {
        HandBuiltStudy study =
                new HandBuiltStudy(900)
                        .add("int8@tensor", 885, 8, 4, 0, 1e-4)
                        .add("dt4@row", 802, 4, 4000, 0, 1e-2)
                        .add("int8@row", 889, 8, 4000, 0, 5e-5);
        String text = findings(study);
        assertThat(text)
                .contains(
                        "1. Correct symmetric per-tensor int8 (`int8@tensor`, round to nearest"
                                + " even, clamp) gives 88.50% (-1.50 pp against float32), MAE"
                                + " 1.00e-09.")
                .contains(
                        "2. **Effective bits are below the nominal ones.** Code entropy per"
                                + " weight: `int8@row` 7.50 bits, `dt4@row` 3.50 bits.")
                .doesNotContain("3. ");
        assertThat(findings(new HandBuiltStudy(900).add("dt3@row", 737, 3, 4000, 0, 2e-2)))
                .isEmpty();
    }

    private static QuantizationReport.Row layer(String name, long count) {
        return new QuantizationReport.Row(
                name, new long[] {count}, "dt4@sorted256", count, 1, 4, 4, 0, 0, null, 0, null);
    }
}
