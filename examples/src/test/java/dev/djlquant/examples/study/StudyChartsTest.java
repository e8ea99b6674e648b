package dev.djlquant.examples.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * What the charts plot, on hand-built results ({@link HandBuiltStudy}): one line a family, its
 * points in bit order, and the float32 reference; sizes in MB of 10^6 bytes.
 */
class StudyChartsTest {

    private static final Offset<Double> CLOSE = Offset.offset(1e-9);

    private static StudyResult run() {
        return new HandBuiltStudy(900)
                .addDt8WithExponents()
                .add("dt3@row", 737, 3, 4000, 0, 2e-2)
                .add("dt4@row", 802, 4, 4000, 0, 1e-2)
                .add("dt4@sorted256", 850, 4, 15_628, 2_500_000, 1e-2)
                .add("dt4@sorted4096", 777, 4, 1000, 2_500_000, 1e-2)
                .result();
    }

    private static void assertSeries(XYSeries s, double[] xs, double[] ys) {
        assertThat(s.getXData()).containsExactly(xs, CLOSE);
        assertThat(s.getYData()).containsExactly(ys, CLOSE);
    }

    @Test
    void accuracyIsPlottedPerFamilyAgainstNominalOrRealBits() {
        XYChart real = StudyCharts.accuracy(run(), "t", true);
        assertThat(real.getXAxisTitle()).startsWith("real bits per weight");
        assertThat(StudyCharts.accuracy(run(), "t", false).getXAxisTitle())
                .startsWith("nominal bits");
        Map<String, XYSeries> series = real.getSeriesMap();
        assertThat(series.keySet()).containsExactly("dt@row", "dt4@sortedN", "float32 90.0%");
        // Real bits 8 * (codes + scales + index) / 10^6, ascending.
        assertSeries(
                series.get("dt@row"),
                new double[] {3.032, 4.032, 8.032},
                new double[] {73.7, 80.2, 88.0});
        assertSeries(
                series.get("dt4@sortedN"),
                new double[] {24.008, 24.125024},
                new double[] {77.7, 85.0});
        // The reference spans the axis up to float32's 32 bits and one more.
        assertSeries(series.get("float32 90.0%"), new double[] {0, 33}, new double[] {90, 90});
        assertThat(series.get("dt4@sortedN").getXYSeriesRenderStyle())
                .isEqualTo(XYSeries.XYSeriesRenderStyle.Scatter);
        assertThat(series.get("dt@row").getXYSeriesRenderStyle())
                .isNotEqualTo(XYSeries.XYSeriesRenderStyle.Scatter);

        Map<String, XYSeries> nominal = StudyCharts.accuracy(run(), "t", false).getSeriesMap();
        assertSeries(
                nominal.get("dt@row"), new double[] {3, 4, 8}, new double[] {73.7, 80.2, 88.0});
        assertSeries(nominal.get("float32 90.0%"), new double[] {2.5, 8.5}, new double[] {90, 90});
    }

    @Test
    void errorIsTheMeanSquaredErrorOfEachScheme() {
        Map<String, XYSeries> series = StudyCharts.errorVsBits(run(), "t", false).getSeriesMap();
        assertThat(series.keySet()).containsExactly("dt@row", "dt4@sortedN");
        assertSeries(
                series.get("dt@row"), new double[] {3, 4, 8}, new double[] {2e-8, 1e-8, 1e-11});
    }

    @Test
    void aSchemeWithoutErrorHasNoPointOnTheLogScale() {
        StudyResult lossless =
                new HandBuiltStudy(900)
                        .add("dt4@row", 802, 4, 4000, 0, 1e-2)
                        .add("int8@tensor", 900, 8, 4, 0, 0)
                        .result();
        assertThat(StudyCharts.errorVsBits(lossless, "t", true).getSeriesMap().keySet())
                .containsExactly("dt@row");
    }

    @Test
    void sizesShowTheCheckpointAndTheStudysEstimateWhereItIsLow() {
        Map<String, XYSeries> series = StudyCharts.sizeVsBits(run(), "t").getSeriesMap();
        // dt@row's estimate is its real size: no estimate line; the sorted ones leave out 2.5 MB.
        assertThat(series.keySet())
                .containsExactly(
                        "dt@row on disk",
                        "dt4@sortedN on disk",
                        "dt4@sortedN study estimate",
                        "float32 4.4 MB");
        assertSeries(
                series.get("dt@row on disk"),
                new double[] {3, 4, 8},
                new double[] {0.781, 0.906, 1.406});
        assertSeries(
                series.get("dt4@sortedN study estimate"),
                new double[] {4, 4},
                new double[] {0.915628, 0.901});
        assertSeries(
                series.get("float32 4.4 MB"), new double[] {2.75, 8.25}, new double[] {4.4, 4.4});

        CategoryChart bars = StudyCharts.sizes(run(), "t");
        assertThat(bars.getSeriesMap().keySet())
                .containsExactly("study estimate", "exact packed", "checkpoint on disk");
        List<Object> names = List.copyOf(bars.getSeriesMap().get("exact packed").getXData());
        assertThat(names)
                .containsExactly(
                        "float32",
                        "dt8@row",
                        "dt3@row",
                        "dt4@row",
                        "dt4@sorted256",
                        "dt4@sorted4096");
        List<Number> packed = List.copyOf(bars.getSeriesMap().get("exact packed").getYData());
        assertThat(packed.get(4).doubleValue()).isCloseTo(3.415628, CLOSE);
        List<Number> estimate = List.copyOf(bars.getSeriesMap().get("study estimate").getYData());
        assertThat(estimate.get(4).doubleValue()).isCloseTo(0.915628, CLOSE);
        List<Number> disk = List.copyOf(bars.getSeriesMap().get("checkpoint on disk").getYData());
        assertThat(disk.get(4).doubleValue()).isCloseTo(3.417628, CLOSE);
    }

    @Test
    void exponentSharesSkipEmptyDecades(@TempDir Path dir) throws Exception {
        XYChart chart = StudyCharts.exponents(run(), "t", "dt@row");
        assertThat(chart.getSeriesMap().keySet()).containsExactly("dt8@row");
        assertSeries(
                chart.getSeriesMap().get("dt8@row"),
                new double[] {0, 1, 2},
                new double[] {70.0, 29.9801, 0.0099});
        // The axis starts a decade below the smallest share's.
        assertThat(chart.getStyler().getYAxisMin()).isCloseTo(1e-4, Offset.offset(1e-12));

        StudyCharts.write(run(), dir);
        for (String png :
                List.of(
                        StudyCharts.ACCURACY,
                        StudyCharts.SIZE,
                        StudyCharts.SIZES,
                        StudyCharts.ERROR,
                        StudyCharts.EXPONENTS)) {
            assertThat(Files.size(dir.resolve(png))).as(png).isPositive();
        }
        // Without a tree's exponents there is no exponent chart.
        Path plain = dir.resolve("plain");
        StudyCharts.write(
                new HandBuiltStudy(900).add("dt4@row", 802, 4, 4000, 0, 1e-2).result(), plain);
        assertThat(plain.resolve(StudyCharts.ACCURACY)).exists();
        assertThat(plain.resolve(StudyCharts.EXPONENTS)).doesNotExist();
    }
}
