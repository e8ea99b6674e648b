package dev.djlquant.examples.study;

import static dev.djlquant.examples.study.HandBuiltStudy.section;
import static dev.djlquant.examples.study.HandBuiltStudy.tableRows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.djlquant.metrics.ExponentHistogram;
import org.junit.jupiter.api.Test;

/**
 * {@code results.md} on hand-built results ({@link HandBuiltStudy}): 1,000,000 weights, mostly in
 * 1,000 rows (4,000 bytes of scales), 100,000 float32 parameters besides, signal sum 1, so real
 * bits are {@code 8 * (codes + scales + index) / 10^6} and SQNR is {@code -10 log10(squared error
 * sum)}.
 */
class StudyReportTest {

    private static final String SHORTCUTS = "The study's arithmetic against the correct one";
    private static final String NO_MORE_BITS = "At no more real bits";

    @Test
    void pairsEachShortcutWithItsCounterpartAndTheTreeWithTheCorrectOneAtItsBits() {
        HandBuiltStudy study =
                new HandBuiltStudy(900)
                        .add("seeddt3@row", 850, 8, 4000, 0, 4e-3)
                        .add("dt3@row", 800, 3, 4000, 0, 2e-2)
                        .add("dt4@row", 820, 4, 4000, 0, 1e-2)
                        .add("dt8@row", 880, 8, 4000, 0, 1e-5)
                        .add("seedlinear8@tensor", 870, 8, 4, 0, 3e-4)
                        .add("int8@tensor", 885, 8, 4, 0, 1e-4);
        String md = section(StudyReport.markdown(study.result(), false), SHORTCUTS);
        int split = md.indexOf(NO_MORE_BITS);
        assertThat(split).isPositive();
        // 8 * 1,004,000 / 10^6 = 8.03 real bits; 3-bit codes 8 * 379,000 / 10^6 = 3.03.
        assertThat(tableRows(md.substring(0, split)))
                .containsExactly(
                        "| `seeddt3@row` | 85.00% | 8.03 | 23.98 | `dt3@row` | 80.00% | 3.03 |"
                                + " 16.99 | +5.00 pp | 0.20x |",
                        "| `seedlinear8@tensor` | 87.00% | 8.00 | 35.23 | `int8@tensor` | 88.50%"
                                + " | 8.00 | 40.00 | -1.50 pp | 3.00x |");
        // dt8@row stores as many bits as seeddt3@row; seedlinear8 and int8 agree in bits already.
        assertThat(tableRows(md.substring(split)))
                .containsExactly(
                        "| `seeddt3@row` | 85.00% | 8.03 | 23.98 | `dt8@row` | 88.00% | 8.03 |"
                                + " 50.00 | -3.00 pp | 400.00x |");
    }

    @Test
    void theCorrectTreeAtNoMoreBitsIsTheWidestThatFits() {
        // A tree of 6-bit codes (6.03 real bits): dt8@row stores more, dt4@row is the widest below.
        HandBuiltStudy study =
                new HandBuiltStudy(900)
                        .add("seeddt3@row", 850, 6, 4000, 0, 4e-3)
                        .add("dt3@row", 800, 3, 4000, 0, 2e-2)
                        .add("dt8@row", 880, 8, 4000, 0, 1e-5)
                        .add("dt4@row", 820, 4, 4000, 0, 1e-2);
        String md = section(StudyReport.markdown(study.result(), false), SHORTCUTS);
        assertThat(tableRows(md.substring(md.indexOf(NO_MORE_BITS))))
                .containsExactly(
                        "| `seeddt3@row` | 85.00% | 6.03 | 23.98 | `dt4@row` | 82.00% | 4.03 |"
                                + " 20.00 | +3.00 pp | 0.40x |");
    }

    @Test
    void aTreeWhoseCounterpartIsAlsoTheFairOneHasOneRow() {
        // seeddt8 stores 9 bits; the widest correct tree at no more bits is dt8 itself.
        HandBuiltStudy study =
                new HandBuiltStudy(900)
                        .add("seeddt8@row", 890, 9, 4000, 0, 2e-5)
                        .add("dt8@row", 880, 8, 4000, 0, 1e-5)
                        .add("dt4@row", 820, 4, 4000, 0, 1e-2);
        String md = section(StudyReport.markdown(study.result(), false), SHORTCUTS);
        assertThat(md).doesNotContain(NO_MORE_BITS);
        assertThat(tableRows(md))
                .containsExactly(
                        "| `seeddt8@row` | 89.00% | 9.03 | 46.99 | `dt8@row` | 88.00% | 8.03 |"
                                + " 50.00 | +1.00 pp | 2.00x |");
    }

    @Test
    void noSectionWithoutAPair() {
        HandBuiltStudy study =
                new HandBuiltStudy(900)
                        .add("seeddt3@lastaxis", 850, 8, 4000, 0, 4e-3)
                        .add("dt3@row", 800, 3, 4000, 0, 2e-2)
                        .add("dt8@row", 880, 8, 4000, 0, 1e-5);
        // The study's tree at lastaxis groups has no correct tree at those groups in this run.
        assertThat(StudyReport.markdown(study.result(), false)).doesNotContain(SHORTCUTS);
    }

    @Test
    void tablesShowAccuracySizesAndErrorsPerScheme() {
        HandBuiltStudy study =
                new HandBuiltStudy(900)
                        .add("dt4@row", 802, 4, 4000, 0, 1e-2)
                        .add("dt4@block64", 811, 4, 62_000, 0, 5e-3)
                        .add("dt4@sorted4096", 777, 4, 1000, 2_500_000, 1e-2);
        StudyResult result = study.result();
        assertThat(result.baseline().float32Bytes()).isEqualTo(4_400_000);
        String md = StudyReport.markdown(result, false);
        assertThat(md).startsWith("# Study results: alexnet-cifar10 on CIFAR-10 (quick run)\n");
        assertThat(tableRows(section(md, "Accuracy per scheme")))
                .containsExactly(
                        "| `float32` | float32 | 32 | 90.00% (900/1000) |  |",
                        "| `dt4@row` | dt@row | 4 | 80.20% (802/1000) | -9.80 pp |",
                        "| `dt4@block64` | dt@block64 | 4 | 81.10% (811/1000) | -8.90 pp |",
                        "| `dt4@sorted4096` | dt4@sortedN | 4 | 77.70% (777/1000) | -12.30 pp |");
        // One image of 1,000 is 0.10 pp; sqrt(0.9 * 0.1 / 1000) = 0.0095.
        assertThat(section(md, "Accuracy per scheme"))
                .contains(
                        "On 1000 test images one image is 0.10 percentage points and the binomial"
                                + " standard error at 90% is about 0.9 pp");
        // dt4@block64: codes 500,000, scales 62,000: 4.50 real bits; estimate (4 * 10^6 + 8 *
        // 62,000) / 8 = 562,000 bytes, the same; with the float32 rest 0.96 MB, on disk 964,000
        // bytes, 4.40 / 0.964 = 4.56x smaller than float32. The sorted one adds its index.
        assertThat(tableRows(section(md, "Size: the study's estimate")))
                .containsExactly(
                        "| `float32` | 32 | 32 |  | 32.00 | 32.00 | 4.40 | 4.40 | 0.00 | 0.00 |"
                                + " 4.40 | 1.00x |",
                        "| `dt4@row` | 4 | 4 | 3.50 | 4.03 | 4.03 | 0.90 | 0.90 | 0.00 | 0.00 |"
                                + " 0.91 | 4.86x |",
                        "| `dt4@block64` | 4 | 4 | 3.50 | 4.50 | 4.50 | 0.96 | 0.96 | 0.00 | 0.06 |"
                                + " 0.96 | 4.56x |",
                        "| `dt4@sorted4096` | 4 | 4 | 3.50 | 24.01 | 4.01 | 0.90 | 3.40 | 2.50 |"
                                + " 0.00 | 3.40 | 1.29x |");
        // MAE = 10 * squared sum / 10^6, MSE = squared sum / 10^6, max 0.01; no float32 row.
        assertThat(tableRows(section(md, "Error against the float32 weights")))
                .containsExactly(
                        "| `dt4@row` | 1.000e-07 | 1.000e-08 | 1.000e-02 | 20.00 |",
                        "| `dt4@block64` | 5.000e-08 | 5.000e-09 | 1.000e-02 | 23.01 |",
                        "| `dt4@sorted4096` | 1.000e-07 | 1.000e-08 | 1.000e-02 | 20.00 |");
    }

    @Test
    void exponentSharesArePercentOfTheQuantizedWeightsDownToOneInTenThousand() {
        HandBuiltStudy study =
                new HandBuiltStudy(900)
                        .addDt8WithExponents()
                        .add(
                                "dt4@row",
                                802,
                                4,
                                4000,
                                0,
                                1e-2,
                                new ExponentHistogram(new long[] {600_000, 390_000}, 10_000),
                                null)
                        .add("int8@row", 889, 8, 4000, 0, 5e-5);
        String exponents =
                section(StudyReport.markdown(study.result(), false), "Decimal exponents");
        assertThat(exponents)
                .contains(
                        "| scheme | k=0 | k=1 | k=2 | k=3 | zeros |\n|---|---:|---:|---:|---:|---:|\n");
        // 100 of 10^6 is 0.01%, the smallest share shown as a percentage; 99 is 9.9e-03%.
        assertThat(tableRows(exponents))
                .containsExactly(
                        "| `dt8@row` | 70.00% | 29.98% | 9.9e-03% | 0 | 0.01% |",
                        "| `dt4@row` | 60.00% | 39.00% | | | 1.00% |");
        assertThat(StudyReport.markdown(new HandBuiltStudy(900).result(), false))
                .doesNotContain("Decimal exponents");
    }

    @Test
    void setupSaysWhereTheWeightsAndImagesCameFromAndWhatTookHowLong() {
        HandBuiltStudy study = new HandBuiltStudy(900).add("dt4@row", 802, 4, 4000, 0, 1e-2);
        FineTuneSummary classifier =
                new FineTuneSummary("classifier", 5000, 2, 64, 1e-3f, 4_200_000, 0.875, 0.4, 30);
        String md = StudyReport.markdown(study.result(10_000, "alexnet.pt", classifier), false);
        assertThat(md)
                .contains("Command: `hand-built`")
                .contains(
                        "Run 2026-01-01T00:00Z, 1.5 min on 2 cores (load average 1.5 at the start,"
                                + " 2.5 at the end; the machine is shared), DJL 0.36.0, PyTorch"
                                + " 2.7.1, Java 17.")
                .contains("- Test set: 10,000 images (all),")
                .contains("- Start: `alexnet.pt`, imported by parameter order")
                .contains("block: 7.00% (700/10000) on the test set before fine-tuning")
                .contains("- Fine-tuning (classifier): the last two classifier layers")
                .contains("5,000 training images")
                .contains("2 epoch(s), batch 64, Adam lr 0.001")
                .contains(
                        "4,200,000 trainable parameters; 30.0 s; last epoch train accuracy 87.50%")
                .contains(
                        "every conv and linear weight, 1,000,000 of the 1,100,000 parameter"
                                + " values")
                // Two rows (baseline and one scheme) share the 60 s sweep.
                .contains(
                        "- Durations: data 3.0 s, import and first evaluation 4.0 s, fine-tuning"
                                + " 30.0 s, sweep of 1 schemes and the baseline 60.0 s (30.0 s"
                                + " each).");
        FineTuneSummary scratch =
                new FineTuneSummary("scratch", 5000, 1, 64, 1e-3f, 23_000_000, 0.5, 1.2, 30);
        assertThat(StudyReport.markdown(study.result(1000, null, scratch), false))
                .contains("- Test set: 1,000 images (the first 100 of every class),")
                .contains("- Start: random initialization (no pretrained file)")
                .contains("- Fine-tuning (scratch): every layer trained;");
        assertThat(StudyReport.markdown(study.result(1234, null, scratch), false))
                .contains("- Test set: 1,234 images (a seeded sample),");
        assertThat(StudyReport.markdown(study.result(), false))
                .contains("- No fine-tuning: the imported weights are quantized as they are.")
                .doesNotContain("## Charts");
        assertThat(StudyReport.markdown(study.result(), true))
                .contains("## Charts")
                .contains("![accuracy_vs_bits](accuracy_vs_bits.png)");
    }
}
