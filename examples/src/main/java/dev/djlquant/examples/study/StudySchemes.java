package dev.djlquant.examples.study;

import dev.djlquant.Quantizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The schemes the study sweeps, and how they group into families for tables and charts.
 *
 * <p>The default list: linear per-tensor int8, correct ({@code int8@tensor}) and the study's
 * ({@code seedlinear8@tensor}); row-wise OCP FP8 and the study's FP8 ({@code seedfp8@lastaxis});
 * true dynamic tree at 8..3 bits per row ({@code dtK@row}) and the study's ({@code
 * seeddtK@lastaxis}); stable embedding ({@code seeddt8}, {@code dt8} and {@code dt4} over
 * magnitude-sorted groups of 256, 4096 and 65536); and, beyond the study, {@code int8@row}, {@code
 * int4@row} and {@code dt4@block64}. The study's own arithmetic also runs at row groups ({@code
 * seedfp8@row}, {@code seeddtK@row}), so that each shortcut has a correct counterpart that differs
 * from it in the arithmetic alone ({@link #correctCounterpart}).
 */
public final class StudySchemes {

    /** The float32 baseline's name in results; not a quantizer spec. */
    public static final String BASELINE = "float32";

    /** Group sizes of the stable-embedding schemes. */
    public static final List<Integer> SORTED_GROUPS = List.of(256, 4096, 65536);

    /** The correct format that each of the study's formats shortcuts, where the name differs. */
    private static final Map<String, String> CORRECT_FORMATS =
            Map.of("seedlinear8", "int8", "seedfp8", "fp8e4m3", "seedfp8e5", "fp8e5m2");

    private static final Pattern SIZED_FORMAT = Pattern.compile("(int|dt|seeddt)(\\d+)");
    private static final Pattern SIZED_GRANULARITY = Pattern.compile("(block|sorted)(\\d+)");

    private StudySchemes() {}

    /** Returns the default sweep, baseline excluded (it always runs first). */
    public static List<String> defaults() {
        List<String> specs = new ArrayList<>();
        specs.add("int8@tensor");
        specs.add("seedlinear8@tensor");
        specs.add("int8@row");
        specs.add("int4@row");
        specs.add("fp8e4m3@row");
        specs.add("seedfp8@lastaxis");
        specs.add("seedfp8@row");
        for (int bits = 8; bits >= 3; bits--) {
            specs.add("dt" + bits + "@row");
        }
        for (String groups : List.of("lastaxis", "row")) {
            for (int bits = 8; bits >= 3; bits--) {
                specs.add("seeddt" + bits + "@" + groups);
            }
        }
        for (String format : List.of("seeddt8", "dt8", "dt4")) {
            for (int n : SORTED_GROUPS) {
                specs.add(format + "@sorted" + n);
            }
        }
        specs.add("dt4@block64");
        return Collections.unmodifiableList(specs);
    }

    /**
     * Validates a spec and returns it in canonical form.
     *
     * @param spec a quantizer spec such as {@code dt4@row}
     * @return the canonical spec
     * @throws IllegalArgumentException naming the bad part
     */
    public static String check(String spec) {
        if (BASELINE.equals(spec)) {
            throw new IllegalArgumentException(
                    "'" + BASELINE + "' is the baseline, which always runs; list only schemes");
        }
        return Quantizer.parse(spec).spec();
    }

    /**
     * Returns the family a scheme belongs to: the format without its bit count and the granularity,
     * keeping the bits for stable embedding (whose family varies the group size instead), e.g.
     * {@code dt@row}, {@code seeddt@lastaxis}, {@code dt8@sortedN}, {@code fp8e4m3@row}.
     *
     * @param spec a quantizer spec, or {@link #BASELINE}
     * @return the family name
     */
    public static String family(String spec) {
        if (BASELINE.equals(spec)) {
            return BASELINE;
        }
        Quantizer q = Quantizer.parse(spec);
        String format = q.format().specName();
        String granularity = q.granularity().spec();
        Matcher sized = SIZED_GRANULARITY.matcher(granularity);
        if (sized.matches() && sized.group(1).equals("sorted")) {
            return format + "@sortedN";
        }
        Matcher f = SIZED_FORMAT.matcher(format);
        String formatFamily = f.matches() ? f.group(1) : format;
        return formatFamily + "@" + granularity;
    }

    /**
     * Returns the correct scheme that one with the study's arithmetic shortcuts, at the same
     * groups: {@code seedlinear8} becomes {@code int8}, {@code seedfp8} {@code fp8e4m3}, {@code
     * seedfp8e5} {@code fp8e5m2} and {@code seeddtK} {@code dtK}, e.g. {@code seeddt3@row} gives
     * {@code dt3@row}.
     *
     * @param spec a quantizer spec, or {@link #BASELINE}
     * @return the counterpart's canonical spec, or empty if the scheme uses no study arithmetic
     */
    public static Optional<String> correctCounterpart(String spec) {
        if (BASELINE.equals(spec)) {
            return Optional.empty();
        }
        Quantizer q = Quantizer.parse(spec);
        String format = q.format().specName();
        Matcher sized = SIZED_FORMAT.matcher(format);
        String correct =
                sized.matches() && sized.group(1).equals("seeddt")
                        ? "dt" + sized.group(2)
                        : CORRECT_FORMATS.get(format);
        // The spec goes on as it is after its format: the same groups, and options such as +dq.
        return Optional.ofNullable(correct)
                .map(c -> Quantizer.parse(c + q.spec().substring(format.length())).spec());
    }

    /**
     * Returns the correct schemes of every width at the same groups as one with the study's
     * arithmetic: {@code dt2..dt8} for {@code seeddtK} (whose codes take 8 or 9 bits whatever K is,
     * so a fair comparison may need another width), else the counterpart alone.
     *
     * @param spec a quantizer spec, or {@link #BASELINE}
     * @return canonical specs, narrowest first; empty if the scheme uses no study arithmetic
     */
    public static List<String> correctAtSameGroups(String spec) {
        Optional<String> counterpart = correctCounterpart(spec);
        if (counterpart.isEmpty()) {
            return List.of();
        }
        String c = counterpart.get();
        String format = Quantizer.parse(c).format().specName();
        Matcher sized = SIZED_FORMAT.matcher(format);
        if (!sized.matches() || !sized.group(1).equals("dt")) {
            return List.of(c);
        }
        List<String> widths = new ArrayList<>();
        for (int bits = 2; bits <= 8; bits++) { // the widths DynamicTree.of takes
            widths.add("dt" + bits + c.substring(format.length()));
        }
        return widths;
    }

    /**
     * Returns the group size of a {@code sortedN} or {@code blockN} spec, or 0.
     *
     * @param spec a quantizer spec, or {@link #BASELINE}
     * @return N, or 0 for other granularities
     */
    public static int groupSize(String spec) {
        if (BASELINE.equals(spec)) {
            return 0;
        }
        Matcher sized = SIZED_GRANULARITY.matcher(Quantizer.parse(spec).granularity().spec());
        return sized.matches() ? Integer.parseInt(sized.group(2)) : 0;
    }
}
