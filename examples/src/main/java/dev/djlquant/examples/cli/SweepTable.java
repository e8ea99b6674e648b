package dev.djlquant.examples.cli;

import dev.djlquant.QuantizationReport;
import dev.djlquant.data.Evaluation;
import dev.djlquant.metrics.ErrorMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of {@code eval} over several quantized copies of one model (several schemes, or one
 * scheme on one weight at a time): the float model's accuracy first, then each copy's, with what
 * its quantized weights take (bits a weight, packed and as the study estimated them) and their
 * error over all of them. Renders as Markdown or as JSON-ready maps.
 */
final class SweepTable {

    /**
     * One evaluated copy, named by {@code label} (a spec or a weight): the float model has no label
     * and no report; a copy whose scheme could not be applied has only the reason.
     */
    record Row(
            String label, Evaluation.Accuracy accuracy, QuantizationReport report, String error) {

        Row(String label, Evaluation.Accuracy accuracy, QuantizationReport report) {
            this(label, accuracy, report, null);
        }

        static Row failed(String label, String error) {
            return new Row(label, null, null, error);
        }

        Row labelled(String newLabel) {
            return new Row(newLabel, accuracy, report, error);
        }
    }

    /** What the labels are: the first column's header and the rows' JSON key. */
    private final String column;

    private final List<Row> rows = new ArrayList<>();

    /**
     * An empty table.
     *
     * @param column what the rows' labels are, e.g. {@code scheme} or {@code weight}
     */
    SweepTable(String column) {
        this.column = column;
    }

    void add(Row row) {
        rows.add(row);
    }

    /** Whether a copy's scheme could not be applied. */
    boolean hasFailures() {
        return rows.stream().anyMatch(r -> r.error() != null);
    }

    /** A Markdown table, the float model's row first and the others against it. */
    String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("| ")
                .append(column)
                .append(
                        " | accuracy | vs float | bits/weight | study's estimate | SQNR dB | MAE |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        double base = rows.get(0).accuracy().fraction();
        StringBuilder failures = new StringBuilder();
        for (Row r : rows) {
            if (r.error() != null) {
                md.append("| `").append(r.label()).append("` | not applied |  |  |  |  |  |\n");
                failures.append("\n").append(r.label()).append(": ").append(r.error()).append('\n');
            } else if (r.report() == null) {
                md.append(
                        String.format(
                                Locale.ROOT,
                                "| float | %.2f%% |  |  |  |  |  |%n",
                                100 * r.accuracy().fraction()));
            } else {
                ErrorMetrics e = r.report().totalError();
                md.append(
                        String.format(
                                Locale.ROOT,
                                "| `%s` | %.2f%% | %+.2f pp | %.2f | %.2f | %.1f | %.2e |%n",
                                r.label(),
                                100 * r.accuracy().fraction(),
                                100 * (r.accuracy().fraction() - base),
                                r.report().bitsPerWeight(),
                                r.report().studyEstimateBitsPerWeight(),
                                e.sqnrDb(),
                                e.mae()));
            }
        }
        return md.append(failures).toString();
    }

    /** One map a row, for JSON: the float model's with its accuracy only. */
    List<Map<String, Object>> toMaps() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put(column, r.label());
            if (r.error() != null) {
                o.put("error", r.error());
            } else {
                o.put("accuracy", r.accuracy().fraction());
                o.put("correct", r.accuracy().correct());
            }
            if (r.report() != null) {
                ErrorMetrics e = r.report().totalError();
                o.put("bits_per_weight", r.report().bitsPerWeight());
                o.put("study_estimate_bits_per_weight", r.report().studyEstimateBitsPerWeight());
                o.put("sqnr_db", Double.isFinite(e.sqnrDb()) ? e.sqnrDb() : null);
                o.put("mae", e.mae());
            }
            out.add(o);
        }
        return out;
    }
}
