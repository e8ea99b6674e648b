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

    private static final Pattern SIZED = Pattern.compile("(block|sorted)(\\d{1,10})");

    /** The kinds of grouping. */
    public enum Kind {
        /** One group for the whole tensor. */
        TENSOR,
        /** One group per index of dimension 0. */
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

    /** One scale for the whole tensor. */
    public static Granularity tensor() {
        return TENSOR;
    }

    /** One scale per output channel (index of dimension 0). */
    public static Granularity row() {
        return ROW;
    }

    /** One scale per run of the last dimension, the study's choice for conv kernels. */
    public static Granularity lastAxis() {
        return LASTAXIS;
    }

    /** One scale per block of {@code n} consecutive flattened values. */
    public static Granularity block(int n) {
        return new Granularity(Kind.BLOCK, checkSize(n, "block"));
    }

    /** Stable embedding: one scale per {@code n} values in order of increasing magnitude. */
    public static Granularity sorted(int n) {
        return new Granularity(Kind.SORTED, checkSize(n, "sorted"));
    }

    /** Parses {@code tensor}, {@code row}, {@code lastaxis}, {@code blockN} or {@code sortedN}. */
    public static Granularity parse(String token) {
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
        long n = Long.parseLong(m.group(2));
        if (n < 1 || n > MAX_GROUP) {
            throw new IllegalArgumentException(
                    "Group size in '" + token + "' must be 1.." + MAX_GROUP + ", got " + n);
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

    /** Returns the kind of grouping. */
    public Kind kind() {
        return kind;
    }

    /** Returns N for {@code blockN} and {@code sortedN}, 0 otherwise. */
    public int size() {
        return size;
    }

    /** Returns whether values are reordered (stable-sorted by magnitude) before grouping. */
    public boolean permutes() {
        return kind == Kind.SORTED;
    }

    /** Returns the length of each group (the last may be shorter) for a tensor of this shape. */
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

    /** Returns the canonical spec token. */
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
