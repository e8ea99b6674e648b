package dev.djlquant.examples.study;

import static dev.djlquant.examples.study.StudyReport.f;
import static dev.djlquant.examples.study.StudyReport.trim;

import dev.djlquant.QuantizationReport;
import dev.djlquant.format.DynamicTree;
import dev.djlquant.pack.BitPacker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The "Beyond the study" section of {@code results.md}: what the study's own numbers hide (its
 * "3-bit" code width, the stable embedding's permutation, its per-kernel scales, the dynamic tree's
 * sign asymmetry, its linear int8, the codes' entropy), each stated with this run's numbers and
 * only when the run measured the schemes it needs.
 */
final class StudyFindings {

    private StudyFindings() {}

    /** Appends the findings section, if any finding applies to this run's schemes. */
    static void append(StringBuilder md, StudyResult r) {
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
                                    + " fraction bits fill most of a byte whatever K is, and the"
                                    + " lower decades' levels take K = 6..8 past it); the study's"
                                    + " estimate ranges from %.2f to %.2f MB.",
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
        // A results.json read back without its layers.csv has no layers to give the example.
        OptionalLong largestLayer =
                sorted.get(0).layers().stream().mapToLong(QuantizationReport.Row::count).max();
        t.append(
                "**Stable embedding needs its permutation, which the study's sizes leave out.**"
                        + " Sorting a tensor of n weights by magnitude must be undone at load"
                        + " time, so the order is stored at ceil(log2 n) bits per weight");
        largestLayer.ifPresent(
                n ->
                        t.append(
                                f(
                                        " (%d bits for the largest layer here, n = %,d)",
                                        BitPacker.indexBits(n), n)));
        t.append(", more than the codes themselves:");
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
}
