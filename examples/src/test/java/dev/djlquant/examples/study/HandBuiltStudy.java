package dev.djlquant.examples.study;

import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizer;
import dev.djlquant.data.Evaluation;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.metrics.ExponentHistogram;
import java.util.ArrayList;
import java.util.List;

/**
 * Study results built by hand for the report's and the findings' tests: a model of {@link #WEIGHTS}
 * quantized weights and {@link #OTHERS} float32 parameters, 1,000 test images, sizes and errors
 * chosen by the test, so that every number the text shows can be worked out on paper. Each scheme's
 * checkpoint is its exact size plus 2,000 bytes; the baseline's is float32's 4,400,000.
 */
final class HandBuiltStudy {

    static final long WEIGHTS = 1_000_000;
    static final long OTHERS = 100_000;
    static final int IMAGES = 1000;

    /** Every scheme's signal sum: SQNR is {@code -10 log10(squaredErrorSum)}. */
    static final double SIGNAL = 1.0;

    private final List<SchemeResult> schemes = new ArrayList<>();

    /** Starts with the float32 baseline, {@code correct} of {@link #IMAGES} right. */
    HandBuiltStudy(int correct) {
        schemes.add(
                SchemeResult.baseline(
                        WEIGHTS + OTHERS,
                        WEIGHTS,
                        4 * (WEIGHTS + OTHERS),
                        new Evaluation.Accuracy(correct, IMAGES),
                        0,
                        0));
    }

    /**
     * Adds a scheme whose codes take {@code codeBits} a weight, with {@code scaleBytes} of scales
     * and {@code indexBytes} of permutation, and whose squared errors sum to {@code
     * squaredErrorSum} (absolute errors to ten times that).
     */
    HandBuiltStudy add(
            String spec,
            int correct,
            int codeBits,
            long scaleBytes,
            long indexBytes,
            double squaredErrorSum) {
        return add(spec, correct, codeBits, scaleBytes, indexBytes, squaredErrorSum, null, null);
    }

    /** As {@link #add(String, int, int, long, long, double)}, with exponents and one layer row. */
    HandBuiltStudy add(
            String spec,
            int correct,
            int codeBits,
            long scaleBytes,
            long indexBytes,
            double squaredErrorSum,
            ExponentHistogram exponents,
            QuantizationReport.Row layer) {
        int nominal = Quantizer.parse(spec).format().nominalBits();
        long codeBytes = WEIGHTS * codeBits / 8;
        schemes.add(
                new SchemeResult(
                        spec,
                        StudySchemes.family(spec),
                        nominal,
                        codeBits,
                        codeBits - 0.5,
                        WEIGHTS + OTHERS,
                        WEIGHTS,
                        4 * (WEIGHTS + OTHERS),
                        codeBytes,
                        scaleBytes,
                        indexBytes,
                        codeBytes + scaleBytes + indexBytes + 4 * OTHERS,
                        (WEIGHTS * nominal + 8.0 * scaleBytes) / 8 + 4 * OTHERS,
                        codeBytes + scaleBytes + indexBytes + 4 * OTHERS + 2000,
                        new Evaluation.Accuracy(correct, IMAGES),
                        new ErrorMetrics(
                                WEIGHTS, 10 * squaredErrorSum, squaredErrorSum, SIGNAL, 0.01),
                        exponents,
                        0,
                        0,
                        layer == null ? List.of() : List.of(layer)));
        return this;
    }

    /**
     * Adds {@code dt8@row} (88.0%, 8-bit codes, 4,000 bytes of scales, squared errors 1e-5) with
     * 700,000, 299,801, 99 and 0 weights in decades 0..3 and 100 zeros.
     */
    HandBuiltStudy addDt8WithExponents() {
        return add(
                "dt8@row",
                880,
                8,
                4000,
                0,
                1e-5,
                new ExponentHistogram(new long[] {700_000, 299_801, 99, 0}, 100),
                null);
    }

    /** The run: 1,000 test images, no pretrained file, no fine-tuning. */
    StudyResult result() {
        return result(IMAGES, null, new FineTuneSummary("none", 0, 0, 0, 0f, 0, 0, 0, 0));
    }

    /**
     * The run with its setup: started at {@code 2026-01-01T00:00Z}, 90 s in all on 2 cores (load
     * 1.5 at the start, 2.5 at the end), data 3 s, import 4 s, sweep 60 s.
     */
    StudyResult result(int testImages, String pretrained, FineTuneSummary fineTune) {
        return new StudyResult(
                "alexnet",
                "alexnet-cifar10",
                true,
                "hand-built",
                "hand-built images",
                pretrained,
                testImages,
                pretrained == null ? null : new Evaluation.Accuracy(700, testImages),
                fineTune,
                List.copyOf(schemes),
                new StudyResult.Environment(
                        "2026-01-01T00:00Z",
                        2,
                        1.5,
                        2.5,
                        "0.36.0",
                        "PyTorch 2.7.1",
                        "17",
                        3,
                        4,
                        60,
                        90));
    }

    /** The Markdown section that starts with {@code heading}, up to the next one. */
    static String section(String md, String heading) {
        int start = md.indexOf("\n## " + heading);
        if (start < 0) {
            return "";
        }
        int end = md.indexOf("\n## ", start + 1);
        return md.substring(start, end < 0 ? md.length() : end);
    }

    /** The rows of the Markdown tables in {@code text}: the lines that start with a scheme. */
    static List<String> tableRows(String text) {
        return text.lines().filter(l -> l.startsWith("| `")).toList();
    }
}
