package dev.djlquant.benchmarks;

import java.util.Locale;

/**
 * One measured ratio with its target: what was measured against what, both values as text, the
 * ratio, and the limit it should stay under ({@code atMost}) or reach (otherwise); a NaN limit
 * means the row is informational.
 *
 * @param level "kernel" or "model"
 * @param subject what was measured, e.g. {@code vgg16-cifar10 dt4@row COMPRESSED forward, batch
 *     100}
 * @param ratioOf the quotient, e.g. {@code COMPRESSED / float32}
 * @param ours the measured value of the subject
 * @param baseline the value it is divided by (or that is divided by it)
 * @param ratio the ratio
 * @param limit the target ratio, NaN if none
 * @param atMost whether the ratio must be at most the limit (else at least)
 */
public record RatioRow(
        String level,
        String subject,
        String ratioOf,
        String ours,
        String baseline,
        double ratio,
        double limit,
        boolean atMost) {

    /** The target as text ({@code ≤ 2x}, {@code ≥ 5x}), empty if none. */
    public String targetText() {
        if (Double.isNaN(limit)) {
            return "";
        }
        return (atMost ? "≤ " : "≥ ") + CompareRunner.ratio(limit) + "x";
    }

    /** Whether the target is met; true for informational rows. */
    public boolean met() {
        return meets(ratio, limit, atMost);
    }

    /** {@code met}, {@code MISSED}, or empty for informational rows. */
    public String verdict() {
        return verdict(ratio, limit, atMost);
    }

    /**
     * The verdict of a ratio against a limit, as {@link #verdict()} gives it for a row.
     *
     * @param ratio the ratio
     * @param limit the target ratio, NaN if none
     * @param atMost whether the ratio must be at most the limit (else at least)
     * @return {@code met}, {@code MISSED}, or empty if there is no limit
     */
    public static String verdict(double ratio, double limit, boolean atMost) {
        return Double.isNaN(limit) ? "" : meets(ratio, limit, atMost) ? "met" : "MISSED";
    }

    private static boolean meets(double ratio, double limit, boolean atMost) {
        return Double.isNaN(limit) || (atMost ? ratio <= limit : ratio >= limit);
    }

    /**
     * The ratio as printed: to two decimals (fewer above 10), but to four or more where it would
     * print as the limit, as many as it takes to differ from it, so that a verdict is never judged
     * on digits the table does not show.
     */
    public String ratioText() {
        return ratioText(ratio, limit);
    }

    /**
     * {@code ratio} as {@link #ratioText()} prints it against {@code limit} (NaN: no limit).
     *
     * @param ratio the ratio
     * @param limit the target ratio, NaN if none
     * @return the ratio's digits
     */
    public static String ratioText(double ratio, double limit) {
        String text = CompareRunner.ratio(ratio);
        if (Double.isNaN(limit) || ratio == limit || !text.equals(CompareRunner.ratio(limit))) {
            return text;
        }
        for (int digits = 4; ; digits++) {
            String fine = String.format(Locale.ROOT, "%." + digits + "f", ratio);
            if (!fine.equals(String.format(Locale.ROOT, "%." + digits + "f", limit))
                    || digits >= 17) {
                return fine;
            }
        }
    }

    /** The cells of this row in {@link #HEADER} order. */
    public String[] cells() {
        return new String[] {
            level, subject, ratioOf, ours, baseline, ratioText(), targetText(), verdict()
        };
    }

    /** Column names of {@link #cells()}. */
    public static final String[] HEADER = {
        "level", "measured", "ratio of", "value", "baseline", "ratio", "target", "verdict"
    };
}
