package dev.djlquant.examples.study;

import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizer;
import dev.djlquant.data.Evaluation;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.metrics.ExponentHistogram;
import java.util.List;

/**
 * One row of the study: a scheme applied to every conv and linear weight of the fine-tuned model,
 * its test accuracy, and what it costs.
 *
 * @param spec the quantizer spec, or {@link StudySchemes#BASELINE}
 * @param family the scheme family ({@link StudySchemes#family(String)})
 * @param nominalBits the bits the scheme is named after (32 for the baseline)
 * @param codeBits the bits each packed code really takes, averaged over the quantized weights (8
 *     for the study's {@code seeddt3}..{@code seeddt5}, 9 for {@code seeddt6}..{@code seeddt8})
 * @param entropyBits the code entropy averaged over the quantized weights (tensor by tensor): the
 *     bits an entropy coder could reach; NaN for the baseline
 * @param totalParameters every parameter value of the model
 * @param quantizedWeights the values this scheme quantizes (conv and linear weights)
 * @param float32Bytes every parameter as float32
 * @param codeBytes the packed codes of the quantized weights
 * @param scaleBytes their float32 group scales
 * @param indexBytes their stable-embedding permutations (0 unless {@code sortedN})
 * @param packedBytes the exact in-memory size: codes, scales, index, and float32 for the rest
 * @param studyEstimateBytes the study's estimate {@code (n*K + 32*groups)/8} for the quantized
 *     weights, plus float32 for the rest
 * @param checkpointBytes the files {@code Model.save} wrote for this scheme
 * @param accuracy the test accuracy
 * @param error MAE, MSE, max error and SQNR against the float32 weights (all zero for the baseline)
 * @param exponents decimal-exponent histogram over all quantized weights, or null for formats
 *     without one
 * @param quantizeSeconds quantizing, saving and measuring the checkpoint
 * @param evaluateSeconds the test-set evaluation
 * @param layers the library's per-parameter report rows (empty for the baseline)
 */
public record SchemeResult(
        String spec,
        String family,
        int nominalBits,
        double codeBits,
        double entropyBits,
        long totalParameters,
        long quantizedWeights,
        long float32Bytes,
        long codeBytes,
        long scaleBytes,
        long indexBytes,
        long packedBytes,
        double studyEstimateBytes,
        long checkpointBytes,
        Evaluation.Accuracy accuracy,
        ErrorMetrics error,
        ExponentHistogram exponents,
        double quantizeSeconds,
        double evaluateSeconds,
        List<QuantizationReport.Row> layers) {

    /** This row with {@code layers} as its per-parameter rows. */
    SchemeResult withLayers(List<QuantizationReport.Row> layers) {
        return new SchemeResult(
                spec,
                family,
                nominalBits,
                codeBits,
                entropyBits,
                totalParameters,
                quantizedWeights,
                float32Bytes,
                codeBytes,
                scaleBytes,
                indexBytes,
                packedBytes,
                studyEstimateBytes,
                checkpointBytes,
                accuracy,
                error,
                exponents,
                quantizeSeconds,
                evaluateSeconds,
                layers);
    }

    /** Builds the baseline row: float32 everywhere. */
    static SchemeResult baseline(
            long totalParameters,
            long selectedWeights,
            long checkpointBytes,
            Evaluation.Accuracy accuracy,
            double saveSeconds,
            double evaluateSeconds) {
        return new SchemeResult(
                StudySchemes.BASELINE,
                StudySchemes.BASELINE,
                32,
                32,
                Double.NaN,
                totalParameters,
                selectedWeights,
                4 * totalParameters,
                4 * selectedWeights,
                0,
                0,
                4 * totalParameters,
                4.0 * totalParameters,
                checkpointBytes,
                accuracy,
                new ErrorMetrics(selectedWeights, 0, 0, 0, 0),
                null,
                saveSeconds,
                evaluateSeconds,
                List.of());
    }

    /** Builds the row of a quantized model from its report. */
    static SchemeResult of(
            String spec,
            QuantizationReport report,
            long checkpointBytes,
            Evaluation.Accuracy accuracy,
            double quantizeSeconds,
            double evaluateSeconds) {
        long codes = 0;
        long scales = 0;
        long index = 0;
        double codeBitSum = 0;
        double entropySum = 0;
        for (QuantizationReport.Row r : report.rows()) {
            codes += r.codeBytes();
            scales += r.scaleBytes();
            index += r.permutationBytes();
            codeBitSum += (double) r.codeBits() * r.count();
            entropySum += r.entropyBits() * r.count();
        }
        long n = report.quantizedParameters();
        return new SchemeResult(
                spec,
                StudySchemes.family(spec),
                Quantizer.parse(spec).format().nominalBits(),
                codeBitSum / n,
                entropySum / n,
                report.totalParameters(),
                n,
                report.float32Bytes(),
                codes,
                scales,
                index,
                report.quantizedBytes(),
                report.studyEstimateBytes(),
                checkpointBytes,
                accuracy,
                report.totalError(),
                report.totalExponents(),
                quantizeSeconds,
                evaluateSeconds,
                List.copyOf(report.rows()));
    }

    /** Returns whether this is the float32 baseline. */
    public boolean isBaseline() {
        return StudySchemes.BASELINE.equals(spec);
    }

    /** Returns the accuracy in percent. */
    public double accuracyPercent() {
        return 100 * accuracy.fraction();
    }

    /** Returns the bytes of the quantized weights alone: codes, scales and index. */
    public long quantizedWeightBytes() {
        return codeBytes + scaleBytes + indexBytes;
    }

    /** Returns the study's estimate for the quantized weights alone. */
    public double studyEstimateWeightBytes() {
        return studyEstimateBytes - 4.0 * (totalParameters - quantizedWeights);
    }

    /** Returns the real bits per quantized weight: codes, scales and index, exactly. */
    public double realBitsPerWeight() {
        return 8.0 * quantizedWeightBytes() / quantizedWeights;
    }

    /** Returns the bits per quantized weight by the study's estimate. */
    public double studyBitsPerWeight() {
        return 8.0 * studyEstimateWeightBytes() / quantizedWeights;
    }

    /** Returns the float32 checkpoint size divided by this one, given the baseline's. */
    public double compressionAgainst(SchemeResult baseline) {
        return (double) baseline.checkpointBytes / checkpointBytes;
    }

    /**
     * Returns the share of exponent {@code k} among the quantized weights (0 when absent).
     *
     * @param k the decimal exponent
     * @return the fraction in [0, 1]
     */
    public double exponentShare(int k) {
        if (exponents == null || k >= exponents.counts().length) {
            return 0;
        }
        return (double) exponents.counts()[k] / quantizedWeights;
    }
}
