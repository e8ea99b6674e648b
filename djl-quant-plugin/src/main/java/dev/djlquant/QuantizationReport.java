package dev.djlquant;

import ai.djl.nn.Block;
import com.google.gson.GsonBuilder;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.metrics.ExponentHistogram;
import dev.djlquant.pack.BitPacker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What quantizing a model did: one row per quantized parameter (shape, scheme, exact and
 * study-estimated bytes, errors, code entropy, exponent histogram), totals against float32, and
 * warnings such as regexes that matched nothing. Renders as Markdown, CSV and JSON. With {@link
 * QuantConfig.Builder#optStatistics} off, the rows keep their sizes and the statistics are absent.
 */
public final class QuantizationReport {

    /**
     * One quantized parameter. Without statistics ({@link QuantConfig#statistics()} false), {@code
     * error} is null, {@code entropyBits} NaN and {@code exponents} null.
     *
     * @param name the parameter's name in the block
     * @param shape the parameter's shape
     * @param spec the canonical spec it was quantized with
     * @param count the number of values
     * @param groups the number of groups (scales)
     * @param codeBits the bits each code is packed in
     * @param nominalBits the bits the format is named for
     * @param storageBytes the exact packed size ({@link QuantizedTensor#storageBytes()})
     * @param studyEstimateBytes the study's size estimate, {@code (n*K + 32*groups)/8}
     * @param error the error of the values it holds against the originals, or null
     * @param entropyBits the entropy of the code histogram in bits, or NaN
     * @param exponents the decimal-exponent histogram of dynamic trees, else null
     */
    public record Row(
            String name,
            long[] shape,
            String spec,
            long count,
            int groups,
            int codeBits,
            int nominalBits,
            long storageBytes,
            double studyEstimateBytes,
            ErrorMetrics error,
            double entropyBits,
            ExponentHistogram exponents) {

        /** Keeps a copy of the shape: a row does not change after it is made. */
        public Row {
            shape = shape.clone();
        }

        /**
         * Returns the tensor's shape.
         *
         * @return a copy of the shape
         */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /**
         * Returns the bytes of the packed codes, {@code ceil(count * codeBits / 8)}.
         *
         * @return the codes' share of {@link #storageBytes()}
         */
        public long codeBytes() {
            return BitPacker.packedBytes(count, codeBits);
        }

        /**
         * Returns the bytes of the stored permutation: {@code ceil(count * ceil(log2 count) / 8)}
         * for {@code sortedN}, else 0.
         *
         * @return the permutation's share of {@link #storageBytes()}
         */
        public long permutationBytes() {
            return Quantizer.parse(spec).granularity().permutes()
                    ? BitPacker.packedBytes(count, BitPacker.indexBits(count))
                    : 0;
        }

        /**
         * Returns the bytes of the scales: 4 a group, or the 8-bit scales and their own scales of
         * {@code +dq}.
         *
         * @return what {@link #storageBytes()} holds besides the codes and the permutation
         */
        public long scaleBytes() {
            return storageBytes - codeBytes() - permutationBytes();
        }

        /** Builds the row of a quantized tensor and the error it made. */
        static Row of(String name, QuantizedTensor t, ErrorMetrics error) {
            var usage = t.codeUsage();
            return of(name, t, error, usage.entropyBits(), usage.exponents());
        }

        /** Builds the row of a quantized tensor whose statistics were not measured. */
        static Row withoutStatistics(String name, QuantizedTensor t) {
            return of(name, t, null, Double.NaN, null);
        }

        private static Row of(
                String name,
                QuantizedTensor t,
                ErrorMetrics error,
                double entropyBits,
                ExponentHistogram exponents) {
            return new Row(
                    name,
                    t.shape(),
                    t.quantizer().spec(),
                    t.size(),
                    t.groups(),
                    t.quantizer().format().codeBits(),
                    t.quantizer().format().nominalBits(),
                    t.storageBytes(),
                    t.studyEstimateBytes(),
                    error,
                    entropyBits,
                    exponents);
        }

        /** Compares the shapes element by element (a record compares arrays by identity). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Row r
                    && name.equals(r.name)
                    && Arrays.equals(shape, r.shape)
                    && spec.equals(r.spec)
                    && count == r.count
                    && groups == r.groups
                    && codeBits == r.codeBits
                    && nominalBits == r.nominalBits
                    && storageBytes == r.storageBytes
                    && Double.compare(studyEstimateBytes, r.studyEstimateBytes) == 0
                    && Objects.equals(error, r.error)
                    && Double.compare(entropyBits, r.entropyBits) == 0
                    && Objects.equals(exponents, r.exponents);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, Arrays.hashCode(shape), spec, count, storageBytes);
        }

        /** Shows the shape as its dimensions, e.g. {@code shape=[64, 3, 3, 3]}. */
        @Override
        public String toString() {
            return "Row[name="
                    + name
                    + ", shape="
                    + Arrays.toString(shape)
                    + ", spec="
                    + spec
                    + ", count="
                    + count
                    + ", groups="
                    + groups
                    + ", codeBits="
                    + codeBits
                    + ", nominalBits="
                    + nominalBits
                    + ", storageBytes="
                    + storageBytes
                    + ", studyEstimateBytes="
                    + studyEstimateBytes
                    + ", error="
                    + error
                    + ", entropyBits="
                    + entropyBits
                    + ", exponents="
                    + exponents
                    + "]";
        }
    }

    private final QuantConfig.Mode mode;
    private final List<Row> rows;
    private final List<String> warnings;
    private final long totalParameters;
    private final Block block;

    QuantizationReport(
            QuantConfig.Mode mode,
            List<Row> rows,
            List<String> warnings,
            long totalParameters,
            Block block) {
        this.mode = mode;
        this.rows = Collections.unmodifiableList(new ArrayList<>(rows));
        this.warnings = Collections.unmodifiableList(new ArrayList<>(warnings));
        this.totalParameters = totalParameters;
        this.block = block;
    }

    /**
     * Returns how the weights are held.
     *
     * @return the config's mode
     */
    public QuantConfig.Mode mode() {
        return mode;
    }

    /**
     * Returns one row per quantized parameter, in parameter order.
     *
     * @return the rows, unmodifiable
     */
    public List<Row> rows() {
        return rows;
    }

    /**
     * Returns warnings, e.g. regexes that matched no parameter.
     *
     * @return the warnings, unmodifiable; empty if there were none
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Returns the block to run: the same block for SIMULATE, the {@link QuantizedBlock} wrapping it
     * for COMPRESSED and QAT; for a report of {@link Quantizers#pack}, which changes nothing, the
     * block as it was, whatever the config's mode.
     *
     * @return the block to run
     */
    public Block block() {
        return block;
    }

    /**
     * Returns the number of values of all parameters of the model.
     *
     * @return the number of values, each shared parameter counted once
     */
    public long totalParameters() {
        return totalParameters;
    }

    /**
     * Returns the number of values that were quantized.
     *
     * @return the sum of the rows' value counts
     */
    public long quantizedParameters() {
        return rows.stream().mapToLong(Row::count).sum();
    }

    /**
     * Returns the size of all parameters as float32.
     *
     * @return 4 bytes per value of {@link #totalParameters()}
     */
    public long float32Bytes() {
        return 4 * totalParameters;
    }

    /**
     * Returns the packed size of the quantized parameters plus float32 for all others.
     *
     * @return the size in bytes
     */
    public long quantizedBytes() {
        return packedBytes() + 4 * (totalParameters - quantizedParameters());
    }

    /**
     * Returns the packed size of the quantized parameters alone.
     *
     * @return the sum of the rows' {@link Row#storageBytes()}
     */
    public long packedBytes() {
        return rows.stream().mapToLong(Row::storageBytes).sum();
    }

    /**
     * Returns the bits a quantized weight takes, codes, scales and permutations together.
     *
     * @return {@code 8 * packedBytes() / quantizedParameters()}; NaN if nothing was quantized
     */
    public double bitsPerWeight() {
        return 8.0 * packedBytes() / quantizedParameters();
    }

    /**
     * Returns the bits a quantized weight takes by the study's estimate.
     *
     * @return {@code 8 * sum of the rows' studyEstimateBytes / quantizedParameters()}; NaN if
     *     nothing was quantized
     */
    public double studyEstimateBitsPerWeight() {
        return 8.0
                * rows.stream().mapToDouble(Row::studyEstimateBytes).sum()
                / quantizedParameters();
    }

    /**
     * Returns the study's estimate for the quantized parameters plus float32 for all others.
     *
     * @return the estimate in bytes, possibly fractional
     */
    public double studyEstimateBytes() {
        double estimate = rows.stream().mapToDouble(Row::studyEstimateBytes).sum();
        return estimate + 4.0 * (totalParameters - quantizedParameters());
    }

    /**
     * Returns {@code float32Bytes / quantizedBytes}.
     *
     * @return the ratio of {@link #float32Bytes()} to {@link #quantizedBytes()}
     */
    public double compressionRatio() {
        return (double) float32Bytes() / quantizedBytes();
    }

    /**
     * Returns the error over all quantized values together.
     *
     * @return the rows' errors combined as if measured over all their values at once, or null if
     *     the statistics were not measured
     */
    public ErrorMetrics totalError() {
        if (rows.stream().anyMatch(r -> r.error() == null)) {
            return null;
        }
        return rows.stream()
                .map(Row::error)
                .reduce(ErrorMetrics::plus)
                .orElse(new ErrorMetrics(0, 0, 0, 0, 0));
    }

    /**
     * Returns the exponent histogram summed over all rows that have one, or null.
     *
     * @return the summed histogram, or null if no row has one
     */
    public ExponentHistogram totalExponents() {
        return rows.stream()
                .map(Row::exponents)
                .filter(e -> e != null)
                .reduce(ExponentHistogram::plus)
                .orElse(null);
    }

    /**
     * Renders a Markdown table with totals and warnings.
     *
     * @return the table, one line per row, then the totals and one line per warning
     */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("| parameter | shape | spec | values | groups | bits (code/nominal) | bytes |")
                .append(" study estimate | MAE | MSE | max error | SQNR dB | entropy bits |")
                .append(" exponents (0..K-1, zeros) |\n");
        md.append("|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %d | %d | %d/%d | %d | %.1f | %s | %s | %s | %s | %s |"
                                    + " %s |\n",
                            cells(
                                    r,
                                    Arrays.toString(r.shape()),
                                    statistics(r, "-", "%.3e", "%.3e", "%.3e", "%.2f", "%.2f"),
                                    exponents(r.exponents()))));
        }
        ErrorMetrics e = totalError();
        md.append(
                String.format(
                        Locale.ROOT,
                        "\nMode %s. %d of %d parameter values quantized, %.2f bits each (the"
                                + " study's estimate: %.2f). float32 %d bytes -> quantized %d"
                                + " bytes (ratio %.2fx; the study's estimate: %.0f bytes). %s\n",
                        mode,
                        quantizedParameters(),
                        totalParameters,
                        bitsPerWeight(),
                        studyEstimateBitsPerWeight(),
                        float32Bytes(),
                        quantizedBytes(),
                        compressionRatio(),
                        studyEstimateBytes(),
                        e == null
                                ? "Error not measured (statistics off)."
                                : String.format(
                                        Locale.ROOT,
                                        "MAE %.3e, MSE %.3e, SQNR %.2f dB.",
                                        e.mae(),
                                        e.mse(),
                                        e.sqnrDb())));
        for (String w : warnings) {
            md.append("\nWarning: ").append(w).append('\n');
        }
        return md.toString();
    }

    /**
     * Renders one CSV line per row with a header.
     *
     * @return the header line and one line per row; no totals or warnings
     */
    public String toCsv() {
        StringBuilder csv =
                new StringBuilder(
                        "parameter,shape,spec,values,groups,code_bits,nominal_bits,storage_bytes,"
                                + "study_estimate_bytes,mae,mse,max_error,sqnr_db,entropy_bits,"
                                + "exponents\n");
        for (Row r : rows) {
            String shape = Arrays.toString(r.shape()).replace(", ", "x").replaceAll("[\\[\\]]", "");
            csv.append(
                    String.format(
                            Locale.ROOT,
                            "%s,%s,%s,%d,%d,%d,%d,%d,%.3f,%s,%s,%s,%s,%s,%s\n",
                            cells(
                                    r,
                                    shape,
                                    statistics(r, "", "%.6e", "%.6e", "%.6e", "%.4f", "%.4f"),
                                    exponents(r.exponents()).replace(", ", " "))));
        }
        return csv.toString();
    }

    /**
     * Renders the rows, totals and warnings as JSON.
     *
     * @return a JSON object with the mode, totals, rows and warnings
     */
    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", mode.name());
        json.put("total_parameters", totalParameters);
        json.put("quantized_parameters", quantizedParameters());
        json.put("float32_bytes", float32Bytes());
        json.put("quantized_bytes", quantizedBytes());
        json.put("study_estimate_bytes", studyEstimateBytes());
        json.put("compression_ratio", compressionRatio());
        json.put("bits_per_weight", finiteOrNull(bitsPerWeight()));
        json.put("study_estimate_bits_per_weight", finiteOrNull(studyEstimateBitsPerWeight()));
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", r.name());
            row.put("shape", r.shape());
            row.put("spec", r.spec());
            row.put("values", r.count());
            row.put("groups", r.groups());
            row.put("code_bits", r.codeBits());
            row.put("nominal_bits", r.nominalBits());
            row.put("storage_bytes", r.storageBytes());
            row.put("study_estimate_bytes", r.studyEstimateBytes());
            if (r.error() != null) {
                row.put("mae", r.error().mae());
                row.put("mse", r.error().mse());
                row.put("max_error", r.error().maxAbsError());
                row.put("sqnr_db", finiteOrNull(r.error().sqnrDb()));
                row.put("entropy_bits", r.entropyBits());
            }
            if (r.exponents() != null) {
                row.put("exponents", r.exponents().counts());
                row.put("zeros", r.exponents().zeros());
            }
            list.add(row);
        }
        json.put("parameters", list);
        json.put("warnings", warnings);
        return new GsonBuilder().setPrettyPrinting().create().toJson(json);
    }

    /**
     * The values of one row in table order; shape, statistics and exponents as each format renders
     * them.
     */
    private static Object[] cells(Row r, String shape, String[] statistics, String exponents) {
        return new Object[] {
            r.name(),
            shape,
            r.spec(),
            r.count(),
            r.groups(),
            r.codeBits(),
            r.nominalBits(),
            r.storageBytes(),
            r.studyEstimateBytes(),
            statistics[0],
            statistics[1],
            statistics[2],
            statistics[3],
            statistics[4],
            exponents
        };
    }

    /**
     * The row's MAE, MSE, max error, SQNR and entropy, each in its format of {@code formats}; each
     * {@code absent} for a row without statistics.
     */
    private static String[] statistics(Row r, String absent, String... formats) {
        if (r.error() == null) {
            String[] none = new String[formats.length];
            Arrays.fill(none, absent);
            return none;
        }
        double[] values = {
            r.error().mae(),
            r.error().mse(),
            r.error().maxAbsError(),
            r.error().sqnrDb(),
            r.entropyBits()
        };
        String[] cells = new String[formats.length];
        for (int k = 0; k < cells.length; k++) {
            cells[k] = String.format(Locale.ROOT, formats[k], values[k]);
        }
        return cells;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String exponents(ExponentHistogram h) {
        return h == null ? "" : Arrays.toString(h.counts()) + ", " + h.zeros();
    }

    @Override
    public String toString() {
        return toMarkdown();
    }
}
