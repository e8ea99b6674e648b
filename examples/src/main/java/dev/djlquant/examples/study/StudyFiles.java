package dev.djlquant.examples.study;

import static dev.djlquant.examples.study.StudyReport.f;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.djlquant.QuantizationReport;
import dev.djlquant.data.Evaluation;
import dev.djlquant.files.AtomicFiles;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.metrics.ExponentHistogram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The files of a study run: {@code results.md} ({@link StudyReport}), {@code results.csv} and
 * {@code results.json} (one record per scheme), {@code layers.csv} (the library's per-parameter
 * rows for every scheme); and a result read back from them, for redrawing charts and the report.
 */
public final class StudyFiles {

    private StudyFiles() {}

    /**
     * Writes the four result files into {@code dir}.
     *
     * @param result the measurements
     * @param dir the output directory, created if missing
     * @param withCharts whether {@code results.md} links the chart PNGs (drawn beside it)
     * @throws IOException if a file cannot be written
     */
    public static void write(StudyResult result, Path dir, boolean withCharts) throws IOException {
        Files.createDirectories(dir);
        writeMarkdown(result, dir, withCharts);
        write(dir.resolve("results.csv"), csv(result));
        write(dir.resolve("results.json"), json(result));
        write(dir.resolve("layers.csv"), layersCsv(result));
    }

    /**
     * Rewrites {@code results.md} alone, from a result read back from {@code results.json}.
     *
     * @param result the measurements
     * @param dir the result folder
     * @param withCharts whether to link the chart PNGs
     * @throws IOException if the file cannot be written
     */
    public static void writeMarkdown(StudyResult result, Path dir, boolean withCharts)
            throws IOException {
        write(dir.resolve("results.md"), StudyReport.markdown(result, withCharts));
    }

    private static void write(Path file, String text) throws IOException {
        AtomicFiles.writeFile(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Renders one CSV line per scheme.
     *
     * @param r the measurements
     * @return CSV text with a header
     */
    public static String csv(StudyResult r) {
        StringBuilder csv =
                new StringBuilder(
                        "model,scheme,family,nominal_bits,code_bits,entropy_bits,"
                                + "real_bits_per_weight,study_bits_per_weight,accuracy,correct,"
                                + "total,delta_pp,checkpoint_bytes,packed_bytes,"
                                + "study_estimate_bytes,code_bytes,scale_bytes,index_bytes,"
                                + "float32_bytes,quantized_weights,total_parameters,mae,mse,"
                                + "max_error,sqnr_db,exponents,zeros,quantize_seconds,"
                                + "evaluate_seconds\n");
        double base = r.baseline().accuracyPercent();
        for (SchemeResult s : r.schemes()) {
            csv.append(
                    f(
                            "%s,%s,%s,%d,%.4f,%s,%.4f,%.4f,%.6f,%d,%d,%.4f,%d,%d,%.1f,%d,%d,%d,"
                                    + "%d,%d,%d,%.6e,%.6e,%.6e,%s,%s,%s,%.3f,%.3f%n",
                            r.model(),
                            s.spec(),
                            s.family(),
                            s.nominalBits(),
                            s.codeBits(),
                            Double.isNaN(s.entropyBits()) ? "" : f("%.4f", s.entropyBits()),
                            s.realBitsPerWeight(),
                            s.studyBitsPerWeight(),
                            s.accuracy().fraction(),
                            s.accuracy().correct(),
                            s.accuracy().total(),
                            s.accuracyPercent() - base,
                            s.checkpointBytes(),
                            s.packedBytes(),
                            s.studyEstimateBytes(),
                            s.codeBytes(),
                            s.scaleBytes(),
                            s.indexBytes(),
                            s.float32Bytes(),
                            s.quantizedWeights(),
                            s.totalParameters(),
                            s.error().mae(),
                            s.error().mse(),
                            s.error().maxAbsError(),
                            Double.isFinite(s.error().sqnrDb())
                                    ? f("%.4f", s.error().sqnrDb())
                                    : "",
                            s.exponents() == null
                                    ? ""
                                    : Arrays.stream(s.exponents().counts())
                                            .mapToObj(Long::toString)
                                            .collect(Collectors.joining(" ")),
                            s.exponents() == null ? "" : Long.toString(s.exponents().zeros()),
                            s.quantizeSeconds(),
                            s.evaluateSeconds()));
        }
        return csv.toString();
    }

    /**
     * Renders the run and every scheme as JSON.
     *
     * @param r the measurements
     * @return pretty-printed JSON
     */
    public static String json(StudyResult r) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", r.model());
        json.put("architecture", r.architecture());
        json.put("quick", r.quick());
        json.put("command", r.command());
        json.put("data", r.data());
        json.put("pretrained", r.pretrained());
        json.put("test_images", r.testImages());
        if (r.importedAccuracy() != null) {
            json.put("imported_accuracy", r.importedAccuracy().fraction());
        }
        FineTuneSummary ft = r.fineTune();
        Map<String, Object> fine = new LinkedHashMap<>();
        fine.put("mode", ft.mode());
        fine.put("train_images", ft.trainImages());
        fine.put("epochs", ft.epochs());
        fine.put("batch_size", ft.batchSize());
        fine.put("learning_rate", ft.learningRate());
        fine.put("trainable_parameters", ft.trainableParameters());
        fine.put("train_accuracy", finite(ft.trainAccuracy()));
        fine.put("train_loss", finite(ft.trainLoss()));
        fine.put("seconds", ft.seconds());
        json.put("fine_tune", fine);
        StudyResult.Environment e = r.environment();
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("started", e.started());
        env.put("cores", e.cores());
        env.put("load_average_start", e.loadAverageStart());
        env.put("load_average_end", e.loadAverageEnd());
        env.put("djl_version", e.djlVersion());
        env.put("engine", e.engine());
        env.put("java_version", e.javaVersion());
        env.put("data_seconds", e.dataSeconds());
        env.put("import_seconds", e.importSeconds());
        env.put("sweep_seconds", e.sweepSeconds());
        env.put("total_seconds", e.totalSeconds());
        json.put("environment", env);
        List<Map<String, Object>> schemes = new ArrayList<>();
        for (SchemeResult s : r.schemes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scheme", s.spec());
            m.put("family", s.family());
            m.put("nominal_bits", s.nominalBits());
            m.put("code_bits", s.codeBits());
            m.put("entropy_bits", finite(s.entropyBits()));
            m.put("real_bits_per_weight", s.realBitsPerWeight());
            m.put("study_bits_per_weight", s.studyBitsPerWeight());
            m.put("accuracy", s.accuracy().fraction());
            m.put("correct", s.accuracy().correct());
            m.put("total", s.accuracy().total());
            m.put("checkpoint_bytes", s.checkpointBytes());
            m.put("packed_bytes", s.packedBytes());
            m.put("study_estimate_bytes", s.studyEstimateBytes());
            m.put("code_bytes", s.codeBytes());
            m.put("scale_bytes", s.scaleBytes());
            m.put("index_bytes", s.indexBytes());
            m.put("float32_bytes", s.float32Bytes());
            m.put("quantized_weights", s.quantizedWeights());
            m.put("total_parameters", s.totalParameters());
            m.put("mae", s.error().mae());
            m.put("mse", s.error().mse());
            m.put("max_error", s.error().maxAbsError());
            m.put("sqnr_db", finite(s.error().sqnrDb()));
            ExponentHistogram h = s.exponents();
            if (h != null) {
                m.put("exponents", h.counts());
                m.put("zeros", h.zeros());
            }
            m.put("quantize_seconds", s.quantizeSeconds());
            m.put("evaluate_seconds", s.evaluateSeconds());
            schemes.add(m);
        }
        json.put("schemes", schemes);
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(json) + "\n";
    }

    /**
     * Renders the library's per-parameter report rows of every scheme.
     *
     * @param r the measurements
     * @return CSV text with a header
     */
    public static String layersCsv(StudyResult r) {
        StringBuilder csv =
                new StringBuilder(
                        "scheme,parameter,shape,values,groups,code_bits,nominal_bits,"
                                + "storage_bytes,study_estimate_bytes,mae,mse,max_error,sqnr_db,"
                                + "entropy_bits,exponents,zeros\n");
        for (SchemeResult s : r.schemes()) {
            for (QuantizationReport.Row row : s.layers()) {
                csv.append(
                        f(
                                "%s,%s,%s,%d,%d,%d,%d,%d,%.1f,%.6e,%.6e,%.6e,%.4f,%.4f,%s,%s%n",
                                s.spec(),
                                row.name(),
                                Arrays.stream(row.shape())
                                        .mapToObj(Long::toString)
                                        .collect(Collectors.joining("x")),
                                row.count(),
                                row.groups(),
                                row.codeBits(),
                                row.nominalBits(),
                                row.storageBytes(),
                                row.studyEstimateBytes(),
                                row.error().mae(),
                                row.error().mse(),
                                row.error().maxAbsError(),
                                row.error().sqnrDb(),
                                row.entropyBits(),
                                row.exponents() == null
                                        ? ""
                                        : Arrays.stream(row.exponents().counts())
                                                .mapToObj(Long::toString)
                                                .collect(Collectors.joining(" ")),
                                row.exponents() == null
                                        ? ""
                                        : Long.toString(row.exponents().zeros())));
            }
        }
        return csv.toString();
    }

    /**
     * Adds the per-parameter rows of a {@code layers.csv} ({@link #layersCsv}) to a result read
     * back from its JSON, for the tables and findings that use them; the error sums are rebuilt
     * from the CSV's rounded metrics.
     *
     * @param r a result from {@link #readJson}
     * @param layersCsv the contents of the run's {@code layers.csv}
     * @return the result with its schemes' layers
     * @throws IllegalArgumentException if a line does not have the columns {@link #layersCsv}
     *     writes
     */
    public static StudyResult withLayers(StudyResult r, String layersCsv) {
        Map<String, List<QuantizationReport.Row>> bySpec = new LinkedHashMap<>();
        List<String> lines = layersCsv.lines().skip(1).filter(l -> !l.isBlank()).toList();
        for (String line : lines) {
            String[] c = line.split(",", -1);
            if (c.length != 16) {
                throw new IllegalArgumentException("layers.csv: not 16 columns: " + line);
            }
            long n = Long.parseLong(c[3]);
            double mse = Double.parseDouble(c[10]);
            double noise = mse * n;
            ErrorMetrics error =
                    new ErrorMetrics(
                            n,
                            Double.parseDouble(c[9]) * n,
                            noise,
                            noise * Math.pow(10, Double.parseDouble(c[12]) / 10),
                            Double.parseDouble(c[11]));
            ExponentHistogram exponents =
                    c[14].isEmpty()
                            ? null
                            : new ExponentHistogram(
                                    Arrays.stream(c[14].split(" "))
                                            .mapToLong(Long::parseLong)
                                            .toArray(),
                                    Long.parseLong(c[15]));
            bySpec.computeIfAbsent(c[0], k -> new ArrayList<>())
                    .add(
                            new QuantizationReport.Row(
                                    c[1],
                                    Arrays.stream(c[2].split("x"))
                                            .mapToLong(Long::parseLong)
                                            .toArray(),
                                    c[0],
                                    n,
                                    Integer.parseInt(c[4]),
                                    Integer.parseInt(c[5]),
                                    Integer.parseInt(c[6]),
                                    Long.parseLong(c[7]),
                                    Double.parseDouble(c[8]),
                                    error,
                                    Double.parseDouble(c[13]),
                                    exponents));
        }
        List<SchemeResult> schemes =
                r.schemes().stream()
                        .map(s -> s.withLayers(bySpec.getOrDefault(s.spec(), List.of())))
                        .toList();
        return new StudyResult(
                r.model(),
                r.architecture(),
                r.quick(),
                r.command(),
                r.data(),
                r.pretrained(),
                r.testImages(),
                r.importedAccuracy(),
                r.fineTune(),
                schemes,
                r.environment());
    }

    /**
     * Reads back what {@link #json(StudyResult)} wrote, for re-drawing charts without re-running:
     * every number the charts and tables use; the per-parameter rows ({@link
     * SchemeResult#layers()}) are not in the JSON and come back empty.
     *
     * @param json the contents of a {@code results.json}
     * @return the measurements
     * @throws IllegalArgumentException if the JSON lacks a field
     */
    public static StudyResult readJson(String json) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            JsonObject ft = o.getAsJsonObject("fine_tune");
            JsonObject e = o.getAsJsonObject("environment");
            int testImages = o.get("test_images").getAsInt();
            List<SchemeResult> schemes = new ArrayList<>();
            for (JsonElement element : o.getAsJsonArray("schemes")) {
                schemes.add(scheme(element.getAsJsonObject()));
            }
            return new StudyResult(
                    o.get("model").getAsString(),
                    o.get("architecture").getAsString(),
                    o.get("quick").getAsBoolean(),
                    string(o, "command"),
                    o.get("data").getAsString(),
                    string(o, "pretrained"),
                    testImages,
                    o.has("imported_accuracy")
                            ? new Evaluation.Accuracy(
                                    Math.round(
                                            o.get("imported_accuracy").getAsDouble() * testImages),
                                    testImages)
                            : null,
                    new FineTuneSummary(
                            ft.get("mode").getAsString(),
                            ft.get("train_images").getAsInt(),
                            ft.get("epochs").getAsInt(),
                            ft.get("batch_size").getAsInt(),
                            ft.get("learning_rate").getAsFloat(),
                            ft.get("trainable_parameters").getAsLong(),
                            number(ft, "train_accuracy"),
                            number(ft, "train_loss"),
                            ft.get("seconds").getAsDouble()),
                    schemes,
                    new StudyResult.Environment(
                            e.get("started").getAsString(),
                            e.get("cores").getAsInt(),
                            e.get("load_average_start").getAsDouble(),
                            e.get("load_average_end").getAsDouble(),
                            e.get("djl_version").getAsString(),
                            e.get("engine").getAsString(),
                            e.get("java_version").getAsString(),
                            e.get("data_seconds").getAsDouble(),
                            e.get("import_seconds").getAsDouble(),
                            e.get("sweep_seconds").getAsDouble(),
                            e.get("total_seconds").getAsDouble()));
        } catch (NullPointerException | IllegalStateException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("Not a study results.json: " + e.getMessage(), e);
        }
    }

    private static SchemeResult scheme(JsonObject m) {
        long n = m.get("quantized_weights").getAsLong();
        double mse = m.get("mse").getAsDouble();
        double sqnr = number(m, "sqnr_db");
        ExponentHistogram exponents = null;
        if (m.has("exponents")) {
            JsonArray counts = m.getAsJsonArray("exponents");
            long[] c = new long[counts.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = counts.get(i).getAsLong();
            }
            exponents = new ExponentHistogram(c, m.get("zeros").getAsLong());
        }
        return new SchemeResult(
                m.get("scheme").getAsString(),
                m.get("family").getAsString(),
                m.get("nominal_bits").getAsInt(),
                m.get("code_bits").getAsDouble(),
                number(m, "entropy_bits"),
                m.get("total_parameters").getAsLong(),
                n,
                m.get("float32_bytes").getAsLong(),
                m.get("code_bytes").getAsLong(),
                m.get("scale_bytes").getAsLong(),
                m.get("index_bytes").getAsLong(),
                m.get("packed_bytes").getAsLong(),
                m.get("study_estimate_bytes").getAsDouble(),
                m.get("checkpoint_bytes").getAsLong(),
                new Evaluation.Accuracy(m.get("correct").getAsLong(), m.get("total").getAsLong()),
                new ErrorMetrics(
                        n,
                        m.get("mae").getAsDouble() * n,
                        mse * n,
                        Double.isNaN(sqnr) ? 0 : mse * n * Math.pow(10, sqnr / 10),
                        m.get("max_error").getAsDouble()),
                exponents,
                m.get("quantize_seconds").getAsDouble(),
                m.get("evaluate_seconds").getAsDouble(),
                List.of());
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static double number(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
