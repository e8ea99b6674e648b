package dev.djlquant;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a tensor is cut into groups that share one scale. Every granularity yields consecutive groups
 * of one fixed length (the last may be short), over the row-major values or, for {@code sortedN},
 * over the values stable-sorted by magnitude.
 */
public final class Granularity {

    /** The largest group length {@code blockN} and {@code sortedN} accept. */
    public static final int MAX_GROUP = 1 << 30;

    private static final Pattern SIZED = Pattern.compile("(block|sorted)(-?\\d+)");

    /** The kinds of grouping. */
    public enum Kind {
        /** One group for the whole tensor. */
        TENSOR,
        /**
         * One group per index of dimension 0 (a tensor of fewer than two dimensions: one group).
         */
        ROW,
        /** One group per run of the last dimension. */
        LASTAXIS,
        /** Consecutive runs of N flattened values. */
        BLOCK,
        /** Runs of N values after a stable sort by magnitude ("stable embedding"). */
        SORTED
    }

    private static final Granularity TENSOR = new Granularity(Kind.TENSOR, 0);
    private static final Granularity ROW = new Granularity(Kind.ROW, 0);
    private static final Granularity LASTAXIS = new Granularity(Kind.LASTAXIS, 0);

    private final Kind kind;
    private final int size;

    private Granularity(Kind kind, int size) {
        this.kind = kind;
        this.size = size;
    }

    /**
     * One scale for the whole tensor.
     *
     * @return {@code tensor}
     */
    public static Granularity tensor() {
        return TENSOR;
    }

    /**
     * One scale per output channel (index of dimension 0).
     *
     * @return {@code row}; a tensor of fewer than two dimensions is one group
     */
    public static Granularity row() {
        return ROW;
    }

    /**
     * One scale per run of the last dimension, the study's choice for conv kernels.
     *
     * @return {@code lastaxis}
     */
    public static Granularity lastAxis() {
        return LASTAXIS;
    }

    /**
     * One scale per block of {@code n} consecutive flattened values.
     *
     * @param n the values per block, 1 to {@link #MAX_GROUP}
     * @return {@code blockN}
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public static Granularity block(int n) {
        return new Granularity(Kind.BLOCK, checkSize(n, "block"));
    }

    /**
     * Stable embedding: one scale per {@code n} values in order of increasing magnitude.
     *
     * @param n the values per group, 1 to {@link #MAX_GROUP}
     * @return {@code sortedN}
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public static Granularity sorted(int n) {
        return new Granularity(Kind.SORTED, checkSize(n, "sorted"));
    }

    /**
     * Parses {@code tensor}, {@code row}, {@code lastaxis}, {@code blockN} or {@code sortedN}.
     *
     * @param token the token; case and surrounding blanks are ignored
     * @return the granularity
     * @throws IllegalArgumentException if the token is none of these, or N is not 1 to {@link
     *     #MAX_GROUP}
     */
    public static Granularity parse(String token) {
        if (token == null) {
            throw new IllegalArgumentException(
                    "No granularity (null); expected tensor, row, lastaxis, blockN or sortedN");
        }
        String t = token.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "tensor":
                return TENSOR;
            case "row":
                return ROW;
            case "lastaxis":
                return LASTAXIS;
            default:
                break;
        }
        Matcher m = SIZED.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "Unknown granularity '"
                            + token
                            + "'; expected tensor, row, lastaxis, blockN or sortedN (N = 1.."
                            + MAX_GROUP
                            + ")");
        }
        String digits = m.group(2);
        // Leading zeros are read as a number's; so many digits that a long overflows are out of
        // range too, and said so with the digits.
        String significant = digits.replaceFirst("^(-?)0+(?=\\d)", "$1");
        long n = significant.length() > 12 ? Long.MAX_VALUE : Long.parseLong(significant);
        if (n < 1 || n > MAX_GROUP) {
            throw new IllegalArgumentException(
                    "Group size in '" + token + "' must be 1.." + MAX_GROUP + ", got " + digits);
        }
        return m.group(1).equals("block") ? block((int) n) : sorted((int) n);
    }

    private static int checkSize(int n, String name) {
        if (n < 1 || n > MAX_GROUP) {
            throw new IllegalArgumentException(
                    name + " group size must be 1.." + MAX_GROUP + ", got " + n);
        }
        return n;
    }

    /**
     * Returns the kind of grouping.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns N for {@code blockN} and {@code sortedN}, 0 otherwise.
     *
     * @return N, or 0
     */
    public int size() {
        return size;
    }

    /**
     * Returns whether values are reordered (stable-sorted by magnitude) before grouping.
     *
     * @return true for {@code sortedN}
     */
    public boolean permutes() {
        return kind == Kind.SORTED;
    }

    /**
     * Returns the length of each group (the last may be shorter) for a tensor of this shape.
     *
     * @param shape the tensor's shape
     * @return the values per group: all of them for {@code tensor} (and for {@code row} below two
     *     dimensions), the last dimension for {@code lastaxis}, N (at most the size) for {@code
     *     blockN} and {@code sortedN}
     * @throws IllegalArgumentException if the shape holds no values, has a negative dimension, or
     *     gives groups longer than {@code Integer.MAX_VALUE}
     */
    public int groupLength(long[] shape) {
        long n = Shapes.size(shape);
        if (n == 0) {
            throw new IllegalArgumentException(
                    "Cannot group an empty tensor of shape " + Arrays.toString(shape));
        }
        long length;
        switch (kind) {
            case TENSOR:
                length = n;
                break;
            case ROW:
                length = shape.length < 2 ? n : n / shape[0];
                break;
            case LASTAXIS:
                length = shape.length == 0 ? 1 : shape[shape.length - 1];
                break;
            default:
                length = Math.min(size, n);
                break;
        }
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "Groups of "
                            + length
                            + " values are too long for "
                            + spec()
                            + " on shape "
                            + Arrays.toString(shape));
        }
        return (int) length;
    }

    /**
     * Returns the canonical spec token.
     *
     * @return {@code tensor}, {@code row}, {@code lastaxis}, or the kind followed by N, such as
     *     {@code block64}
     */
    public String spec() {
        return size == 0
                ? kind.name().toLowerCase(Locale.ROOT)
                : kind.name().toLowerCase(Locale.ROOT) + size;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Granularity && ((Granularity) o).spec().equals(spec());
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }

    @Override
    public String toString() {
        return spec();
    }
}
