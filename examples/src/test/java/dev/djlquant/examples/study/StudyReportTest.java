package dev.djlquant.examples.study;

import static dev.djlquant.examples.study.HandBuiltStudy.section;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shortcut section of {@code results.md} on hand-built results: 1,000,000 weights in 1,000 rows
 * (4,000 bytes of scales), signal sum 1, so real bits are {@code 8 * (codes + scales) / 10^6} and
 * SQNR is {@code -10 log10(squared error sum)}.
 */
class StudyReportTest {

    private static final String SHORTCUTS = "The study's arithmetic against the correct one";
    private static final String NO_MORE_BITS = "At no more real bits";

    private static List<String> tableRows(String text) {
        return text.lines().filter(l -> l.startsWith("| `")).toList();
    }

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
}
