package dev.djlquant.examples.study;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders a {@link StudyResult} as the Markdown of {@code results.md}: the setup, the study's
 * accuracy table, the honest size columns, the error table, the study's shortcuts against the
 * correct arithmetic at the same groups, the exponent table, the findings ({@link StudyFindings})
 * and the charts; {@link StudyFiles} writes it with the other result files.
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
     * Renders the Markdown report.
     *
     * @param r the measurements
     * @param withCharts whether to link the chart PNGs
     * @return the Markdown text
     */
    public static String markdown(StudyResult r, boolean withCharts) {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        "# Study results: %s on CIFAR-10%s%n%n",
                        r.architecture(), r.quick() ? " (quick run)" : ""));
        appendSetup(md, r);
        appendAccuracy(md, r);
        appendSizes(md, r);
        appendErrors(md, r);
        appendShortcuts(md, r);
        appendExponents(md, r);
        StudyFindings.append(md, r);
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

    /** The study's accuracy table, and how much of a difference is noise. */
    private static void appendAccuracy(StringBuilder md, StudyResult r) {
        SchemeResult base = r.baseline();
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
    }

    /**
     * Bits and bytes per scheme: the study's estimate beside the exact packed and on-disk sizes.
     */
    private static void appendSizes(StringBuilder md, StudyResult r) {
        SchemeResult base = r.baseline();
        md.append("\n## Size: the study's estimate and the real thing\n\n");
        md.append(
                "Bits are per quantized weight. *Code bits*: what each packed code"
                        + " takes (the study's `seeddtK` codes need 8 for K = 3..5, 9 for K ="
                        + " 6..8). *Entropy*: the code entropy, what an entropy coder could reach"
                        + " (for `seeddtK` a little more: its codes also keep the decade of a"
                        + " weight rounded to zero). *Real bits*: codes, scales (float32, or 8-bit under"
                        + " `+dq`) and the stable-embedding permutation, exactly. *Study est.*: the study's `(n*K"
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
    }

    /** The error of all quantized weights together, per scheme. */
    private static void appendErrors(StringBuilder md, StudyResult r) {
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

    /**
     * Pairs each scheme that uses the study's arithmetic with the correct one at the same groups,
     * when the run measured both, so that the two differ in the arithmetic alone; then, where that
     * pair differs in real bits, with the correct one at the same groups and no more real bits.
     */
    private static void appendShortcuts(StringBuilder md, StudyResult r) {
        StringBuilder sameName = new StringBuilder();
        StringBuilder sameBits = new StringBuilder();
        for (SchemeResult study : r.schemes()) {
            Optional<String> counterpart = StudySchemes.correctCounterpart(study.spec());
            counterpart.flatMap(r::find).ifPresent(c -> sameName.append(pairRow(study, c)));
            correctWithinBits(study, r)
                    .filter(c -> !counterpart.equals(Optional.of(c.spec())))
                    .ifPresent(c -> sameBits.append(pairRow(study, c)));
        }
        if (sameName.isEmpty() && sameBits.isEmpty()) {
            return;
        }
        md.append("\n## The study's arithmetic against the correct one, at the same groups\n\n");
        md.append(
                "Each row pairs a scheme that uses the study's arithmetic (`seedlinear8`:"
                        + " its linear int8; `seedfp8`: FP8 by truncation; `seeddtK`: its dynamic"
                        + " tree) with the correct format at the same groups (`int8`, `fp8e4m3`,"
                        + " `dtK`), so that only the arithmetic differs. *Real bits* per quantized"
                        + " weight as above; *MSE ratio*: the study's squared error over the"
                        + " correct one's. Errors compare fairly only where the real bits agree:"
                        + " the study's `seeddtK` stores 8 or 9 bits a weight whatever K is, so"
                        + " below K = 8 its lower error is bought with those bits.\n\n");
        appendPairTable(md, sameName);
        if (!sameBits.isEmpty()) {
            md.append(
                    "\nAt no more real bits: each scheme against the correct tree at the same"
                            + " groups that stores the most real bits without exceeding its"
                            + " own.\n\n");
            appendPairTable(md, sameBits);
        }
    }

    /**
     * The correct scheme at the same groups with the most real bits that do not exceed those of
     * {@code study}, among the schemes the run measured.
     */
    private static Optional<SchemeResult> correctWithinBits(SchemeResult study, StudyResult r) {
        return StudySchemes.correctAtSameGroups(study.spec()).stream()
                .flatMap(spec -> r.find(spec).stream())
                .filter(c -> c.realBitsPerWeight() <= study.realBitsPerWeight())
                .max(Comparator.comparingDouble(SchemeResult::realBitsPerWeight));
    }

    private static void appendPairTable(StringBuilder md, StringBuilder rows) {
        if (rows.isEmpty()) {
            return;
        }
        md.append(
                "| study's arithmetic | accuracy | real bits | SQNR dB | correct | accuracy |"
                        + " real bits | SQNR dB | accuracy difference | MSE ratio |\n");
        md.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
        md.append(rows);
    }

    private static String pairRow(SchemeResult study, SchemeResult correct) {
        return f(
                "| `%s` | %.2f%% | %.2f | %.2f | `%s` | %.2f%% | %.2f | %.2f | %+.2f pp | %.2fx |%n",
                study.spec(),
                study.accuracyPercent(),
                study.realBitsPerWeight(),
                study.error().sqnrDb(),
                correct.spec(),
                correct.accuracyPercent(),
                correct.realBitsPerWeight(),
                correct.error().sqnrDb(),
                study.accuracyPercent() - correct.accuracyPercent(),
                study.error().mse() / correct.error().mse());
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

    static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : f("%.2f", v);
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
