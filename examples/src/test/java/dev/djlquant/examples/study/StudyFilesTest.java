package dev.djlquant.examples.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.QuantizationReport;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.metrics.ExponentHistogram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The result files of a hand-built run ({@link HandBuiltStudy}): their columns, and reading back.
 */
class StudyFilesTest {

    /** A run with a tree (exponents and one layer row), a sorted scheme and a pretrained start. */
    private static StudyResult run() {
        QuantizationReport.Row layer =
                new QuantizationReport.Row(
                        "fc.weight",
                        new long[] {1000, 1000},
                        "dt8@sorted4096",
                        1_000_000,
                        245,
                        8,
                        8,
                        3_501_000,
                        1_000_980.0,
                        new ErrorMetrics(1_000_000, 1e-3, 1e-4, 1.0, 0.01),
                        7.25,
                        new ExponentHistogram(new long[] {700_000, 250_000, 40_000}, 10_000));
        return new HandBuiltStudy(900)
                .add("dt4@row", 802, 4, 4000, 0, 1e-2)
                .add(
                        "dt8@sorted4096",
                        860,
                        8,
                        980,
                        2_500_000,
                        1e-4,
                        new ExponentHistogram(new long[] {700_000, 250_000, 40_000}, 10_000),
                        layer)
                .result(
                        10_000,
                        "alexnet.pt",
                        new FineTuneSummary(
                                "classifier", 5000, 2, 64, 1e-3f, 4_200_000, 0.875, 0.4, 30));
    }

    @Test
    void csvHasOneLinePerSchemeWithEveryNumber() {
        List<String> lines = StudyFiles.csv(run()).lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("model,scheme,family,nominal_bits,code_bits,");
        // float32 has no entropy, an infinite SQNR and no exponents: empty cells.
        assertThat(lines.get(1))
                .isEqualTo(
                        "alexnet,float32,float32,32,32.0000,,32.0000,32.0000,0.900000,900,1000,"
                                + "0.0000,4400000,4400000,4400000.0,4000000,0,0,4400000,1000000,"
                                + "1100000,0.000000e+00,0.000000e+00,0.000000e+00,,,,0.000,0.000");
        // dt4@row: codes 500,000 + scales 4,000 = 4.032 bits, the estimate the same; on disk
        // 2,000 bytes more than packed; MAE 10 * 0.01 / 10^6, SQNR 20 dB.
        assertThat(lines.get(2))
                .isEqualTo(
                        "alexnet,dt4@row,dt@row,4,4.0000,3.5000,4.0320,4.0320,0.802000,802,1000,"
                                + "-9.8000,906000,904000,904000.0,500000,4000,0,4400000,1000000,"
                                + "1100000,1.000000e-07,1.000000e-08,1.000000e-02,20.0000,,,0.000,"
                                + "0.000");
        // dt8@sorted4096: 1,000,000 + 980 + 2,500,000 bytes = 28.0078 bits; the estimate leaves
        // the index out: 8.0078. Its exponents and zeros fill the last cells but two.
        assertThat(lines.get(3))
                .isEqualTo(
                        "alexnet,dt8@sorted4096,dt8@sortedN,8,8.0000,7.5000,28.0078,8.0078,0.860000,"
                                + "860,1000,-4.0000,3902980,3900980,1400980.0,1000000,980,2500000,"
                                + "4400000,1000000,1100000,1.000000e-09,1.000000e-10,1.000000e-02,"
                                + "40.0000,700000 250000 40000,10000,0.000,0.000");
    }

    @Test
    void layersCsvHasTheLibrarysRows() {
        assertThat(StudyFiles.layersCsv(run()).lines().toList())
                .containsExactly(
                        "scheme,parameter,shape,values,groups,code_bits,nominal_bits,storage_bytes,"
                                + "study_estimate_bytes,mae,mse,max_error,sqnr_db,entropy_bits,"
                                + "exponents,zeros",
                        "dt8@sorted4096,fc.weight,1000x1000,1000000,245,8,8,3501000,1000980.0,"
                                + "1.000000e-09,1.000000e-10,1.000000e-02,40.0000,7.2500,"
                                + "700000 250000 40000,10000");
    }

    @Test
    void withoutChartsTheReportLinksNone(@TempDir Path dir) throws Exception {
        StudyFiles.write(run(), dir, false);
        assertThat(Files.readString(dir.resolve("results.md")))
                .doesNotContain("## Charts")
                .doesNotContain(".png");
    }

    @Test
    void jsonAndLayersReadBackToTheSameReportAndCsv(@TempDir Path dir) throws Exception {
        StudyResult r = run();
        StudyFiles.write(r, dir, true);
        StudyResult back =
                StudyFiles.withLayers(
                        StudyFiles.readJson(Files.readString(dir.resolve("results.json"))),
                        Files.readString(dir.resolve("layers.csv")) + "\n"); // a blank line
        assertThat(StudyFiles.csv(back)).isEqualTo(Files.readString(dir.resolve("results.csv")));
        assertThat(StudyReport.markdown(back, true))
                .isEqualTo(Files.readString(dir.resolve("results.md")));
        assertThat(back.environment()).isEqualTo(r.environment());
        assertThat(back.fineTune()).isEqualTo(r.fineTune());
        assertThat(back.importedAccuracy()).isEqualTo(r.importedAccuracy());
        assertThat(back.pretrained()).isEqualTo("alexnet.pt");
        QuantizationReport.Row row = back.find("dt8@sorted4096").orElseThrow().layers().get(0);
        QuantizationReport.Row original = r.find("dt8@sorted4096").orElseThrow().layers().get(0);
        assertThat(row.shape()).containsExactly(1000, 1000);
        assertThat(row.exponents()).isEqualTo(original.exponents());
        assertThat(row.error().mse()).isCloseTo(original.error().mse(), Offset.offset(1e-22));
        assertThat(row.error().mae()).isCloseTo(original.error().mae(), Offset.offset(1e-21));
        assertThat(row.error().sqnrDb()).isCloseTo(40.0, Offset.offset(1e-9));
        assertThat(back.find("dt4@row").orElseThrow().layers()).isEmpty();
        ErrorMetrics e = back.find("dt4@row").orElseThrow().error();
        assertThat(e.sqnrDb()).isCloseTo(20.0, Offset.offset(1e-9));
        assertThat(e.mae()).isCloseTo(1e-7, Offset.offset(1e-20));
    }

    @Test
    void badFilesAreRefusedWithWhatWasWrong() {
        assertThatThrownBy(() -> StudyFiles.readJson("{\"model\": \"alexnet\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Not a study results.json");
        assertThatThrownBy(() -> StudyFiles.withLayers(run(), "header\ndt4@row,fc.weight,3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("layers.csv: not 16 columns: dt4@row,fc.weight,3");
    }
}
