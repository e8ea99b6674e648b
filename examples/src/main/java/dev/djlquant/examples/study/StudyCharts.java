package dev.djlquant.examples.study;

import dev.djlquant.files.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the study's charts as PNG files with XChart, headless: accuracy against nominal and real
 * bits per scheme family, size against bits (the study's estimate and the checkpoint on disk), the
 * three sizes of every scheme, the weight error against bits, and the decimal-exponent histograms.
 */
public final class StudyCharts {

    /** Accuracy against nominal bits (left) and real bits per weight (right). */
    public static final String ACCURACY = "accuracy_vs_bits.png";

    /** Model size against nominal bits: on disk and the study's estimate. */
    public static final String SIZE = "size_vs_bits.png";

    /** Study estimate, exact packed size and checkpoint on disk of every scheme. */
    public static final String SIZES = "sizes.png";

    /** Mean squared weight error against nominal bits. */
    public static final String ERROR = "error_vs_bits.png";

    /** Decimal-exponent histograms of the study's and the true dynamic tree. */
    public static final String EXPONENTS = "exponents.png";

    private static final BasicStroke DASHED =
            new BasicStroke(
                    1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f}, 0f);

    /** One color and marker per family, the same in every chart. */
    private static final Map<String, Color> FAMILY_COLORS =
            Map.ofEntries(
                    Map.entry("int@tensor", new Color(0x1f77b4)),
                    Map.entry("int@row", new Color(0x17becf)),
                    Map.entry("fp8e4m3@row", new Color(0x9467bd)),
                    Map.entry("seedfp8@lastaxis", new Color(0xe377c2)),
                    Map.entry("seedfp8@row", new Color(0xf7b6d2)),
                    Map.entry("dt@row", new Color(0xd62728)),
                    Map.entry("seeddt@lastaxis", new Color(0xff7f0e)),
                    Map.entry("seeddt@row", new Color(0xffbb78)),
                    Map.entry("seeddt8@sortedN", new Color(0x8c564b)),
                    Map.entry("dt8@sortedN", new Color(0x2ca02c)),
                    Map.entry("dt4@sortedN", new Color(0xbcbd22)),
                    Map.entry("dt@block64", new Color(0x7f7f7f)));

    private static final Color[] OTHER_COLORS = {
        new Color(0x393b79), new Color(0x637939), new Color(0x843c39), new Color(0x7b4173)
    };

    private static final Marker[] MARKERS = {
        SeriesMarkers.CIRCLE,
        SeriesMarkers.DIAMOND,
        SeriesMarkers.SQUARE,
        SeriesMarkers.TRIANGLE_UP,
        SeriesMarkers.TRIANGLE_DOWN,
        SeriesMarkers.CROSS,
        SeriesMarkers.PLUS
    };

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private StudyCharts() {}

    /**
     * Writes every chart into {@code dir}.
     *
     * @param r the measurements
     * @param dir the output directory
     * @throws IOException if a file cannot be written
     */
    public static void write(StudyResult r, Path dir) throws IOException {
        Files.createDirectories(dir);
        String name = title(r);
        save(
                List.of(
                        accuracy(r, name + ": accuracy vs nominal bits", false),
                        accuracy(r, name + ": accuracy vs real bits per weight", true)),
                dir.resolve(ACCURACY));
        save(List.of(sizeVsBits(r, name)), dir.resolve(SIZE));
        save(List.of(sizes(r, name)), dir.resolve(SIZES));
        save(
                List.of(
                        errorVsBits(r, name + ": weight error vs nominal bits", false),
                        errorVsBits(r, name + ": weight error vs real bits per weight", true)),
                dir.resolve(ERROR));
        List<XYChart> exponents = new ArrayList<>();
        for (String family : List.of("seeddt@lastaxis", "dt@row")) {
            if (r.schemes().stream()
                    .anyMatch(s -> s.family().equals(family) && s.exponents() != null)) {
                exponents.add(exponents(r, name, family));
            }
        }
        if (!exponents.isEmpty()) {
            save(exponents, dir.resolve(EXPONENTS));
        }
    }

    private static String title(StudyResult r) {
        return (r.model().equals("alexnet") ? "AlexNet" : "VGG16")
                + " CIFAR-10"
                + (r.quick() ? " (quick)" : "");
    }

    /** Groups the quantized schemes by family, in sweep order. */
    private static Map<String, List<SchemeResult>> families(StudyResult r) {
        Map<String, List<SchemeResult>> families = new LinkedHashMap<>();
        for (SchemeResult s : r.schemes()) {
            if (!s.isBaseline()) {
                families.computeIfAbsent(s.family(), k -> new ArrayList<>()).add(s);
            }
        }
        return families;
    }

    /**
     * A chart against bits: the nominal bits (the study's axis) or the real bits per weight, with
     * the x values of a scheme to match ({@link #bitsOf}).
     */
    private static XYChart bitsChart(String title, boolean realBits, String yAxisTitle) {
        XYChart chart =
                new XYChartBuilder()
                        .width(760)
                        .height(520)
                        .title(title)
                        .xAxisTitle(
                                realBits
                                        ? "real bits per weight (codes + scales + index)"
                                        : "nominal bits (the study's axis)")
                        .yAxisTitle(yAxisTitle)
                        .build();
        style(chart);
        return chart;
    }

    private static ToDoubleFunction<SchemeResult> bitsOf(boolean realBits) {
        return realBits ? SchemeResult::realBitsPerWeight : s -> s.nominalBits();
    }

    static XYChart accuracy(StudyResult r, String title, boolean realBits) {
        XYChart chart = bitsChart(title, realBits, "test accuracy %");
        ToDoubleFunction<SchemeResult> x = bitsOf(realBits);
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        int index = 0;
        for (Map.Entry<String, List<SchemeResult>> e : families(r).entrySet()) {
            List<SchemeResult> points = new ArrayList<>(e.getValue());
            points.sort(Comparator.comparingDouble(x));
            double[] xs = points.stream().mapToDouble(x).toArray();
            double[] ys = points.stream().mapToDouble(SchemeResult::accuracyPercent).toArray();
            for (double v : xs) {
                minX = Math.min(minX, v);
                maxX = Math.max(maxX, v);
            }
            XYSeries series = chart.addSeries(e.getKey(), xs, ys);
            lineOrScatter(series, points);
            paint(series, e.getKey(), index++);
        }
        if (realBits) {
            maxX = Math.max(maxX, 32);
        }
        double base = r.baseline().accuracyPercent();
        addBaseline(
                chart,
                String.format(Locale.ROOT, "float32 %.1f%%", base),
                realBits ? 0 : minX - 0.5,
                maxX + (realBits ? 1 : 0.5),
                base);
        return chart;
    }

    static XYChart sizeVsBits(StudyResult r, String name) {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(560)
                        .title(name + ": model size vs nominal bits")
                        .xAxisTitle("nominal bits")
                        .yAxisTitle("MB (whole model)")
                        .build();
        style(chart);
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        int index = 0;
        for (Map.Entry<String, List<SchemeResult>> e : families(r).entrySet()) {
            List<SchemeResult> points = new ArrayList<>(e.getValue());
            points.sort(Comparator.comparingDouble(SchemeResult::nominalBits));
            double[] xs = points.stream().mapToDouble(SchemeResult::nominalBits).toArray();
            for (double v : xs) {
                minX = Math.min(minX, v);
                maxX = Math.max(maxX, v);
            }
            XYSeries disk =
                    chart.addSeries(
                            e.getKey() + " on disk",
                            xs,
                            points.stream().mapToDouble(s -> s.checkpointBytes() / 1e6).toArray());
            lineOrScatter(disk, points);
            paint(disk, e.getKey(), index);
            boolean estimateDiffers =
                    points.stream().anyMatch(s -> s.packedBytes() > 1.05 * s.studyEstimateBytes());
            if (estimateDiffers) {
                XYSeries estimate =
                        chart.addSeries(
                                e.getKey() + " study estimate",
                                xs,
                                points.stream()
                                        .mapToDouble(s -> s.studyEstimateBytes() / 1e6)
                                        .toArray());
                lineOrScatter(estimate, points);
                paint(estimate, e.getKey(), index);
                estimate.setMarker(SeriesMarkers.TRIANGLE_DOWN);
                estimate.setLineStyle(DASHED);
            }
            index++;
        }
        double base = r.baseline().checkpointBytes() / 1e6;
        addBaseline(
                chart,
                String.format(Locale.ROOT, "float32 %.1f MB", base),
                minX - 0.25,
                maxX + 0.25,
                base);
        return chart;
    }

    /**
     * Draws the float32 reference as a dashed grey line at {@code y} from {@code x0} to {@code x1}.
     */
    private static void addBaseline(XYChart chart, String label, double x0, double x1, double y) {
        XYSeries baseline = chart.addSeries(label, new double[] {x0, x1}, new double[] {y, y});
        baseline.setMarker(SeriesMarkers.NONE);
        baseline.setLineColor(Color.DARK_GRAY);
        baseline.setLineStyle(DASHED);
    }

    static CategoryChart sizes(StudyResult r, String name) {
        CategoryChart chart =
                new CategoryChartBuilder()
                        .width(1400)
                        .height(620)
                        .title(name + ": size per scheme")
                        .xAxisTitle("scheme")
                        .yAxisTitle("MB (whole model)")
                        .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(60);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        List<String> names = r.schemes().stream().map(SchemeResult::spec).toList();
        chart.addSeries(
                "study estimate",
                names,
                r.schemes().stream().map(s -> s.studyEstimateBytes() / 1e6).toList());
        chart.addSeries(
                "exact packed",
                names,
                r.schemes().stream().map(s -> s.packedBytes() / 1e6).toList());
        chart.addSeries(
                "checkpoint on disk",
                names,
                r.schemes().stream().map(s -> s.checkpointBytes() / 1e6).toList());
        return chart;
    }

    /**
     * Weight error per family against the nominal bits (the study's axis) or the real bits per
     * weight: the study's "3-bit" dynamic tree is as accurate as an 8-bit code because it stores
     * about 9 bits a weight, which only the second shows.
     */
    static XYChart errorVsBits(StudyResult r, String title, boolean realBits) {
        XYChart chart = bitsChart(title, realBits, "MSE against float32 weights (log)");
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisDecimalPattern("0.0E0");
        int index = 0;
        for (Map.Entry<String, List<SchemeResult>> e : families(r).entrySet()) {
            int familyIndex = index++;
            List<SchemeResult> points = new ArrayList<>(e.getValue());
            points.removeIf(s -> !(s.error().mse() > 0));
            if (points.isEmpty()) {
                continue;
            }
            ToDoubleFunction<SchemeResult> x = bitsOf(realBits);
            points.sort(Comparator.comparingDouble(x));
            XYSeries series =
                    chart.addSeries(
                            e.getKey(),
                            points.stream().mapToDouble(x).toArray(),
                            points.stream().mapToDouble(s -> s.error().mse()).toArray());
            lineOrScatter(series, points);
            paint(series, e.getKey(), familyIndex);
        }
        return chart;
    }

    static XYChart exponents(StudyResult r, String name, String family) {
        XYChart chart =
                new XYChartBuilder()
                        .width(700)
                        .height(520)
                        .title(name + ": decimal exponents, " + family)
                        .xAxisTitle(
                                "decimal exponent k (|w| / group max in [10^-(k+1), 10^-k));"
                                        + " zeros: see the table")
                        .yAxisTitle("share of weights % (log)")
                        .build();
        style(chart);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisDecimalPattern("0.#######");
        chart.getStyler().setXAxisDecimalPattern("0");
        double smallest = 100;
        for (SchemeResult s : r.schemes()) {
            if (!s.family().equals(family) || s.exponents() == null) {
                continue;
            }
            long[] counts = s.exponents().counts();
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int k = 0; k < counts.length; k++) {
                if (counts[k] > 0) {
                    xs.add((double) k);
                    ys.add(100.0 * counts[k] / s.quantizedWeights());
                    smallest = Math.min(smallest, ys.get(ys.size() - 1));
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(s.spec(), xs, ys);
            }
        }
        // Whole decades, so that a short range still gets labelled ticks.
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(smallest)) - 1));
        chart.getStyler().setYAxisMax(100.0);
        return chart;
    }

    /** Gives a family's series its color and marker. */
    private static void paint(XYSeries series, String family, int index) {
        Color color = FAMILY_COLORS.getOrDefault(family, OTHER_COLORS[index % OTHER_COLORS.length]);
        series.setLineColor(color);
        series.setMarkerColor(color);
        series.setMarker(MARKERS[index % MARKERS.length]);
    }

    /** Families whose bits vary are lines; single-bit families (N varies) are markers only. */
    private static void lineOrScatter(XYSeries series, List<SchemeResult> points) {
        boolean varies = points.stream().mapToInt(SchemeResult::nominalBits).distinct().count() > 1;
        if (!varies) {
            series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
    }

    private static void style(XYChart chart) {
        chart.getStyler()
                .setLegendPosition(Styler.LegendPosition.OutsideE)
                .setLegendLayout(Styler.LegendLayout.Vertical)
                .setChartBackgroundColor(Color.WHITE)
                .setMarkerSize(7);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    }

    /**
     * Draws the charts side by side into {@code file} (a {@code .png}) through a scratch file
     * beside it, installed whole: a failed or stopped write leaves the old chart, never part of a
     * new one.
     */
    private static <T extends Chart<?, ?>> void save(List<T> charts, Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path scratch = Files.createTempFile(absolute.getParent(), "." + file.getFileName(), ".png");
        try {
            String base = scratch.toString().replaceFirst("\\.png$", "");
            if (charts.size() == 1) {
                BitmapEncoder.saveBitmap(charts.get(0), base, BitmapEncoder.BitmapFormat.PNG);
            } else {
                BitmapEncoder.saveBitmap(
                        charts, 1, charts.size(), base, BitmapEncoder.BitmapFormat.PNG);
            }
            AtomicFiles.writeFile(absolute, Files.readAllBytes(scratch));
        } finally {
            Files.deleteIfExists(scratch);
        }
    }
}
