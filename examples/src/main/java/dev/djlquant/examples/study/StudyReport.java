package dev.djlquant.examples.study;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.djlquant.QuantizationReport;
import dev.djlquant.data.Evaluation;
import dev.djlquant.format.DynamicTree;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.metrics.ExponentHistogram;
import dev.djlquant.pack.BitPacker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Writes a {@link StudyResult} as {@code results.md} (the study's tables, the honest size columns,
 * and what the study's numbers hide), {@code results.csv} and {@code results.json} (one record per
 * scheme) and {@code layers.csv} (the library's per-parameter rows for every scheme).
 */
public final class StudyReport {

    /** Chart files that {@code results.md} links when they exist. */
    static final List<String> CHARTS =
            List.of(
                    StudyCharts.ACCURACY,
                    StudyCharts.SIZE,
                    StudyCharts.SIZES,
                    StudyCharts.ERROR,
                    StudyCharts.EXPONENTS);

    private StudyReport() {}

    /**
     * Writes the four result files into {@code dir}.
     *
     * @param result the measurements
     * @param dir the output directory, created if missing
     * @throws IOException if a file cannot be written
     */
    public static void write(StudyResult result, Path dir) throws IOException {
        Files.createDirectories(dir);
        writeMarkdown(result, dir);
        write(dir.resolve("results.csv"), csv(result));
        write(dir.resolve("results.json"), json(result));
        write(dir.resolve("layers.csv"), layersCsv(result));
    }

    /**
     * Rewrites {@code results.md} alone, from a result read back from {@code results.json}.
     *
     * @param result the measurements
     * @param dir the result folder
     * @throws IOException if the file cannot be written
     */
    public static void writeMarkdown(StudyResult result, Path dir) throws IOException {
        write(dir.resolve("results.md"), markdown(result, true));
    }

    private static void write(Path file, String text) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, text, StandardCharsets.UTF_8);
        Files.move(
                partial,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Renders the Markdown report.
     *
     * @param r the measurements
     * @param withCharts whether to link the chart PNGs
     * @return the Markdown text
     */
    public static String markdown(StudyResult r, boolean withCharts) {
        StringBuilder md = new StringBuilder();
        SchemeResult base = r.baseline();
        md.append(
                String.format(
                        "# Study results: %s on CIFAR-10%s%n%n",
                        r.architecture(), r.quick() ? " (quick run)" : ""));
        appendSetup(md, r);

        md.append("\n## Accuracy per scheme\n\n");
        md.append(
                "The study's table: test accuracy after quantizing every conv and linear weight"
                        + " of the fine-tuned model (biases stay float32).\n\n");
        md.append("| scheme | family | nominal bits | accuracy | vs float32 |\n");
        md.append("|---|---|---:|---:|---:|\n");
        for (SchemeResult s : r.schemes()) {
            md.append(
                    f(
                            "| `%s` | %s | %d | %.2f%% (%d/%d) | %s |%n",
                            s.spec(),
                            s.family(),
                            s.nominalBits(),
                            s.accuracyPercent(),
                            s.accuracy().correct(),
                            s.accuracy().total(),
                            s.isBaseline()
                                    ? ""
                                    : f("%+.2f pp", s.accuracyPercent() - base.accuracyPercent())));
        }
        md.append(
                f(
                        "%nOn %d test images one image is %.2f percentage points and the binomial"
                                + " standard error at %.0f%% is about %.1f pp: smaller differences"
                                + " are noise.%n",
                        r.testImages(),
                        100.0 / r.testImages(),
                        base.accuracyPercent(),
                        100
                                * Math.sqrt(
                                        base.accuracy().fraction()
                                                * (1 - base.accuracy().fraction())
                                                / r.testImages())));

        md.append("\n## Size: the study's estimate and the real thing\n\n");
        md.append(
                "Bits are per quantized weight. *Code bits*: what each packed code"
                        + " takes (the study's `seeddtK` codes need 8 for K = 3..5, 9 for K ="
                        + " 6..8). *Entropy*: the code entropy, what an entropy coder could reach"
                        + " (for `seeddtK` a little more: its codes also keep the decade of a"
                        + " weight rounded to zero). *Real bits*: codes, float32 scales and the"
                        + " stable-embedding permutation, exactly. *Study est.*: the study's `(n*K"
                        + " + 32*groups)/8`. Sizes are whole models in MB (10^6 bytes);"
                        + " non-quantized parameters count as float32. *Exact* is"
                        + " `QuantizationReport.quantizedBytes()`; *on disk* is the file that"
                        + " `Model.save` wrote for the COMPRESSED `QuantizedBlock`; *vs float32 on"
                        + " disk* is how many times smaller than float32 it is (below 1x:"
                        + " larger).\n\n");
        md.append(
                "| scheme | nominal bits | code bits | entropy | real bits | study bits |"
                        + " study est. MB | exact MB | of which index MB | of which scales MB |"
                        + " on disk MB | vs float32 on disk |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (SchemeResult s : r.schemes()) {
            md.append(
                    f(
                            "| `%s` | %d | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |"
                                    + " %.2f | %.2fx |%n",
                            s.spec(),
                            s.nominalBits(),
                            trim(s.codeBits()),
                            Double.isNaN(s.entropyBits()) ? "" : f("%.2f", s.entropyBits()),
                            s.realBitsPerWeight(),
                            s.studyBitsPerWeight(),
                            s.studyEstimateBytes() / 1e6,
                            s.packedBytes() / 1e6,
                            s.indexBytes() / 1e6,
                            s.scaleBytes() / 1e6,
                            s.checkpointBytes() / 1e6,
                            s.compressionAgainst(base)));
        }

        md.append("\n## Error against the float32 weights\n\n");
        md.append("Over all quantized weights together (double precision).\n\n");
        md.append("| scheme | MAE | MSE | max abs error | SQNR dB |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (SchemeResult s : r.schemes()) {
            if (s.isBaseline()) {
                continue;
            }
            md.append(
                    f(
                            "| `%s` | %.3e | %.3e | %.3e | %.2f |%n",
                            s.spec(),
                            s.error().mae(),
                            s.error().mse(),
                            s.error().maxAbsError(),
                            s.error().sqnrDb()));
        }

        appendExponents(md, r);
        appendFindings(md, r);
        if (withCharts) {
            md.append("\n## Charts\n\n");
            for (String chart : CHARTS) {
                md.append(f("![%s](%s)%n%n", chart.replace(".png", ""), chart));
            }
        }
        md.append("\nPer-parameter rows for every scheme: `layers.csv`. Same data: `results.csv`,");
        md.append(" `results.json`.\n");
        return md.toString();
    }

    private static void appendSetup(StringBuilder md, StudyResult r) {
        StudyResult.Environment e = r.environment();
        FineTuneSummary ft = r.fineTune();
        SchemeResult base = r.baseline();
        if (r.command() != null) {
            md.append(f("Command: `%s`%n%n", r.command()));
        }
        md.append(
                f(
                        "Run %s, %.1f min on %d cores (load average %.1f at the start, %.1f at the"
                                + " end; the machine is shared), DJL %s, %s, Java %s.%n%n",
                        e.started(),
                        e.totalSeconds() / 60,
                        e.cores(),
                        e.loadAverageStart(),
                        e.loadAverageEnd(),
                        e.djlVersion(),
                        e.engine(),
                        e.javaVersion()));
        md.append(f("- Data: %s.%n", r.data()));
        md.append(
                f(
                        "- Test set: %,d images%s, normalized with DJL's"
                                + " `Cifar10.NORMALIZE_MEAN/STD`.%n",
                        r.testImages(),
                        r.testImages() == 10000
                                ? " (all)"
                                : r.testImages() % 10 == 0
                                        ? f(" (the first %d of every class)", r.testImages() / 10)
                                        : " (a seeded sample)"));
        if (r.pretrained() != null) {
            md.append(
                    f(
                            "- Start: `%s`, imported by parameter order into the DJL-native"
                                    + " block: %s on the test set before fine-tuning.%n",
                            r.pretrained(), r.importedAccuracy()));
        } else {
            md.append(
                    "- Start: random initialization (no pretrained file): trained from scratch.\n");
        }
        if (ft.epochs() > 0) {
            md.append(
                    f(
                            "- Fine-tuning (%s): %s; %,d training images with random crop"
                                    + " (4-pixel padding) and horizontal flip, %d epoch(s), batch"
                                    + " %d, Adam lr %s, softmax cross-entropy, DJL's"
                                    + " `EasyTrain.fit`; %,d trainable parameters; %.1f s; last"
                                    + " epoch train accuracy %.2f%% (dropout on, augmented).%n",
                            ft.mode(),
                            ft.mode().equals("classifier")
                                    ? "the last two classifier layers (4096->1024, 1024->10)"
                                            + " replaced by fresh ones, features frozen"
                                    : "every layer trained",
                            ft.trainImages(),
                            ft.epochs(),
                            ft.batchSize(),
                            ft.learningRate(),
                            ft.trainableParameters(),
                            ft.seconds(),
                            100 * ft.trainAccuracy()));
        } else {
            md.append("- No fine-tuning: the imported weights are quantized as they are.\n");
        }
        md.append(
                f(
                        "- Quantized: every conv and linear weight, %,d of the %,d parameter"
                                + " values; each scheme starts from the same fine-tuned float32"
                                + " weights (never quantized twice).%n",
                        base.quantizedWeights(), base.totalParameters()));
        md.append(
                f(
                        "- Durations: data %.1f s, import and first evaluation %.1f s,"
                                + " fine-tuning %.1f s, sweep of %d schemes and the baseline"
                                + " %.1f s (%.1f s each).%n",
                        e.dataSeconds(),
                        e.importSeconds(),
                        ft.seconds(),
                        r.schemes().size() - 1,
                        e.sweepSeconds(),
                        e.sweepSeconds() / r.schemes().size()));
    }

    private static void appendExponents(StringBuilder md, StudyResult r) {
        List<SchemeResult> withExponents =
                r.schemes().stream().filter(s -> s.exponents() != null).toList();
        if (withExponents.isEmpty()) {
            return;
        }
        int maxK =
                withExponents.stream()
                        .mapToInt(s -> s.exponents().counts().length)
                        .max()
                        .getAsInt();
        md.append("\n## Decimal exponents of the dynamic-tree codes\n\n");
        md.append(
                "Share of the quantized weights per decimal exponent k (|w| / group max in"
                        + " [10^-(k+1), 10^-k)) and zeros: the study's exponent count."
                        + " `seeddtK` keeps 7 fraction bits at k = 0 whatever K is, K-2-k bits"
                        + " below, and rounds k >= K-2 to zero; as in the study, such a weight"
                        + " counts in its decade, the last column holds every k >= K-1, and only"
                        + " an exact 0 counts as a zero. For `dtK` a zero is a weight quantized to"
                        + " the code of 0.\n\n");
        md.append("| scheme |");
        for (int k = 0; k < maxK; k++) {
            md.append(" k=").append(k).append(" |");
        }
        md.append(" zeros |\n|---|");
        md.append("---:|".repeat(maxK + 1)).append('\n');
        for (SchemeResult s : withExponents) {
            md.append("| `").append(s.spec()).append("` |");
            long[] counts = s.exponents().counts();
            for (int k = 0; k < maxK; k++) {
                md.append(k < counts.length ? " " + percent(counts[k], s) + " |" : " |");
            }
            md.append(" ").append(percent(s.exponents().zeros(), s)).append(" |\n");
        }
    }

    private static String percent(long count, SchemeResult s) {
        double p = 100.0 * count / s.quantizedWeights();
        if (count == 0) {
            return "0";
        }
        return p >= 0.01 ? f("%.2f%%", p) : f("%.1e%%", p);
    }

    /** What the study's own numbers hide, with this run's numbers. */
    private static void appendFindings(StringBuilder md, StudyResult r) {
        List<String> findings = new ArrayList<>();
        threeBit(r).ifPresent(findings::add);
        stableEmbedding(r).ifPresent(findings::add);
        lastAxisScales(r).ifPresent(findings::add);
        asymmetry(r).ifPresent(findings::add);
        linearInt8(r).ifPresent(findings::add);
        entropy(r).ifPresent(findings::add);
        if (findings.isEmpty()) {
            return;
        }
        md.append("\n## Beyond the study: what its numbers hide\n\n");
        for (int i = 0; i < findings.size(); i++) {
            md.append(i + 1).append(". ").append(findings.get(i)).append("\n\n");
        }
    }

    private static Optional<String> threeBit(StudyResult r) {
        Optional<SchemeResult> seed = r.find("seeddt3@lastaxis");
        if (seed.isEmpty()) {
            return Optional.empty();
        }
        SchemeResult s = seed.get();
        StringBuilder t = new StringBuilder();
        t.append(
                f(
                        "**The study's \"3-bit\" dynamic tree is not 3 bits.** `seeddt3` keeps 7"
                                + " fraction bits for every weight in the top decade of its group"
                                + " (|w| >= 0.1 max): %.1f%% of the weights here; all the others"
                                + " become zero. Its codes need %s bits (sign and a 7-bit"
                                + " magnitude index: the top decade alone has 116 levels a sign),"
                                + " their entropy is %.2f bits, and with the"
                                + " scales %.2f bits per weight are really stored, against the"
                                + " study's %.2f (3 bits plus scales). Its accuracy is %.2f%%.",
                        100 * s.exponentShare(0),
                        trim(s.codeBits()),
                        s.entropyBits(),
                        s.realBitsPerWeight(),
                        s.studyBitsPerWeight(),
                        s.accuracyPercent()));
        List<SchemeResult> seedFamily =
                r.schemes().stream().filter(x -> x.family().equals(s.family())).toList();
        if (seedFamily.size() > 1) {
            DoubleSummaryStatistics packed =
                    seedFamily.stream().mapToDouble(x -> x.packedBytes() / 1e6).summaryStatistics();
            DoubleSummaryStatistics estimate =
                    seedFamily.stream()
                            .mapToDouble(x -> x.studyEstimateBytes() / 1e6)
                            .summaryStatistics();
            t.append(
                    f(
                            " The %d `seeddtK@lastaxis` models take %.2f to %.2f MB (codes of 8"
                                    + " bits for K = 3..5, 9 for K = 6..8: the top decade's 7"
                                    + " fraction bits set the width, not K); the study's estimate"
                                    + " ranges from %.2f to %.2f MB.",
                            seedFamily.size(),
                            packed.getMin(),
                            packed.getMax(),
                            estimate.getMin(),
                            estimate.getMax()));
        }
        r.find("dt3@row")
                .ifPresent(
                        d ->
                                t.append(
                                        f(
                                                " A true 3-bit dynamic tree (`dt3@row`, 8 levels,"
                                                        + " %.2f real bits per weight, entropy"
                                                        + " %.2f) reaches %.2f%% (%+.2f pp against"
                                                        + " `seeddt3`).",
                                                d.realBitsPerWeight(),
                                                d.entropyBits(),
                                                d.accuracyPercent(),
                                                d.accuracyPercent() - s.accuracyPercent())));
        return Optional.of(t.toString());
    }

    private static Optional<String> stableEmbedding(StudyResult r) {
        List<SchemeResult> sorted = r.schemes().stream().filter(s -> s.indexBytes() > 0).toList();
        if (sorted.isEmpty()) {
            return Optional.empty();
        }
        SchemeResult base = r.baseline();
        StringBuilder t = new StringBuilder();
        long largestLayer =
                sorted.get(0).layers().stream()
                        .mapToLong(QuantizationReport.Row::count)
                        .max()
                        .orElse(2);
        t.append(
                f(
                        "**Stable embedding needs its permutation, which the study's sizes leave"
                                + " out.** Sorting a tensor of n weights by magnitude must be"
                                + " undone at load time, so the order is stored at ceil(log2 n)"
                                + " bits per weight (%d bits for the largest layer here, n = %,d),"
                                + " more than the codes themselves:",
                        BitPacker.indexBits(largestLayer), largestLayer));
        t.append(
                f(
                        " the index alone takes %.2f MB. Study estimate -> real size:",
                        sorted.get(0).indexBytes() / 1e6));
        for (SchemeResult s : sorted) {
            t.append(
                    f(
                            " `%s` %.1f -> %.1f MB (%.1fx);",
                            s.spec(),
                            s.studyEstimateBytes() / 1e6,
                            s.packedBytes() / 1e6,
                            s.packedBytes() / s.studyEstimateBytes()));
        }
        SchemeResult smallest =
                sorted.stream().min(Comparator.comparingLong(SchemeResult::packedBytes)).get();
        t.setLength(t.length() - 1);
        if (smallest.packedBytes() >= base.packedBytes()) {
            t.append(
                    f(
                            ". None of them is smaller than the float32 model (%.2f MB).",
                            base.packedBytes() / 1e6));
        } else {
            t.append(
                    f(
                            ". The smallest, `%s`, saves %.0f%% against float32 (%.2f MB), not the"
                                    + " %.0f%% its estimate promised.",
                            smallest.spec(),
                            100 * (1 - smallest.packedBytes() / (double) base.packedBytes()),
                            base.packedBytes() / 1e6,
                            100
                                    * (1
                                            - smallest.studyEstimateBytes()
                                                    / (double) base.packedBytes())));
        }
        return Optional.of(t.toString());
    }

    private static Optional<String> lastAxisScales(StudyResult r) {
        Optional<SchemeResult> lastAxis =
                r.schemes().stream().filter(s -> s.spec().endsWith("@lastaxis")).findFirst();
        if (lastAxis.isEmpty()) {
            return Optional.empty();
        }
        SchemeResult s = lastAxis.get();
        String text =
                f(
                        "**The study's `lastaxis` groups put one float32 scale on every 3 weights"
                                + " of a 3x3 conv kernel.** For `%s` the scales take %.2f MB next"
                                + " to %.2f MB of codes (%.1f%% of the quantized size). The"
                                + " study's estimate does count them (32 bits per group).",
                        s.spec(),
                        s.scaleBytes() / 1e6,
                        s.codeBytes() / 1e6,
                        100.0 * s.scaleBytes() / s.quantizedWeightBytes());
        Optional<SchemeResult> row =
                r.schemes().stream().filter(x -> x.spec().endsWith("@row")).findFirst();
        if (row.isPresent()) {
            text +=
                    f(
                            " Row-wise scales (`%s`) take %.3f MB.",
                            row.get().spec(), row.get().scaleBytes() / 1e6);
        }
        return Optional.of(text);
    }

    private static Optional<String> asymmetry(StudyResult r) {
        List<SchemeResult> sortedDt =
                r.schemes().stream()
                        .filter(s -> s.indexBytes() > 0 && s.spec().startsWith("dt"))
                        .toList();
        if (sortedDt.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder t = new StringBuilder();
        t.append(
                "**Magnitude-sorted groups meet the dynamic tree's asymmetry.** bitsandbytes'"
                        + " signed map reaches +1 but not -1: its most negative value is");
        List<Integer> bits =
                sortedDt.stream().map(SchemeResult::nominalBits).distinct().sorted().toList();
        for (int b : bits) {
            float[] codebook = DynamicTree.codebook(b);
            t.append(f(" %.4f at %d bits,", codebook[0], b));
        }
        t.setLength(t.length() - 1);
        t.append(
                ". In a sorted group every weight is close to the group maximum, so every"
                        + " negative weight shrinks by that margin while positive ones stay"
                        + " exact: a bias no row-wise group sees at that scale.");
        for (int b : bits) {
            Optional<SchemeResult> row = r.find("dt" + b + "@row");
            String sortedAccuracies =
                    sortedDt.stream()
                            .filter(s -> s.nominalBits() == b)
                            .map(s -> f("`%s` %.2f%%", s.spec(), s.accuracyPercent()))
                            .collect(Collectors.joining(", "));
            t.append(f(" At %d bits: %s", b, sortedAccuracies));
            row.ifPresent(x -> t.append(f(" against `%s` %.2f%%", x.spec(), x.accuracyPercent())));
            t.append('.');
        }
        return Optional.of(t.toString());
    }

    private static Optional<String> linearInt8(StudyResult r) {
        Optional<SchemeResult> seed = r.find("seedlinear8@tensor");
        Optional<SchemeResult> tensor = r.find("int8@tensor");
        if (seed.isEmpty() && tensor.isEmpty()) {
            return Optional.empty();
        }
        double baseline = r.baseline().accuracyPercent();
        StringBuilder t = new StringBuilder();
        seed.ifPresent(
                s -> {
                    // Chance is 10% on CIFAR-10: a loss of most of the way there is the collapse
                    // the study reported; anything less leaves its row unexplained.
                    boolean collapsed = s.accuracyPercent() < (baseline + 10) / 2;
                    t.append(
                            collapsed
                                    ? "**The study's linear int8 arithmetic reproduces its"
                                            + " collapse (about 10%, chance level).**"
                                    : "**The study's linear int8 arithmetic does not explain its"
                                            + " 10% row with these weights.**");
                    t.append(
                            f(
                                    " `%s` (`S = 255 / (max - min)`, `x * S` truncated into int8"
                                            + " with wrap-around, restored as `q / S`) scores"
                                            + " %.2f%% (%+.2f pp against float32), MAE %.3g.",
                                    s.spec(),
                                    s.accuracyPercent(),
                                    s.accuracyPercent() - baseline,
                                    s.error().mae()));
                    if (!collapsed) {
                        t.append(
                                " Only values beyond 127 / S wrap to the other sign, the top of"
                                        + " a range that is not symmetric about zero; these"
                                        + " weights' ranges nearly are.");
                    }
                });
        tensor.ifPresent(
                x ->
                        t.append(
                                f(
                                        " Correct symmetric per-tensor int8 (`int8@tensor`, round"
                                                + " to nearest even, clamp) gives %.2f%% (%+.2f pp"
                                                + " against float32), MAE %.3g.",
                                        x.accuracyPercent(),
                                        x.accuracyPercent() - baseline,
                                        x.error().mae())));
        return Optional.of(t.toString().trim());
    }

    private static Optional<String> entropy(StudyResult r) {
        List<String> parts = new ArrayList<>();
        for (String spec : List.of("dt8@row", "fp8e4m3@row", "int8@row", "dt4@row")) {
            r.find(spec).ifPresent(s -> parts.add(f("`%s` %.2f bits", s.spec(), s.entropyBits())));
        }
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                "**Effective bits are below the nominal ones.** Code entropy per weight: "
                        + String.join(", ", parts)
                        + ". An entropy coder on top of the packed codes could store the"
                        + " weights in about that many bits.");
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

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : f("%.2f", v);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
