package dev.djlquant.metrics;

import dev.djlquant.format.DecimalExponents;
import java.util.Arrays;

/**
 * Counts of weights per decimal exponent (0 = top decade, up to the format's maximum) and of exact
 * zeros: the "exponent count" the study kept in a global dictionary, here a returned value.
 *
 * @param counts the weights per exponent, index 0 the top decade
 * @param zeros the weights whose code is exact zero, counted apart from any exponent
 */
public record ExponentHistogram(long[] counts, long zeros) {

    /** Keeps a copy of the counts: a histogram does not change after it is made. */
    public ExponentHistogram {
        counts = counts.clone();
    }

    /**
     * Returns the counts per exponent.
     *
     * @return a copy of the counts
     */
    @Override
    public long[] counts() {
        return counts.clone();
    }

    /**
     * Folds a code histogram into exponents through the format's code-to-exponent map.
     *
     * @param codeHistogram how often each code occurs, indexed by code
     * @param format the format whose codes they are
     * @return the counts per exponent ({@code format.maxExponent() + 1} of them) and of zeros
     */
    public static ExponentHistogram of(long[] codeHistogram, DecimalExponents format) {
        long[] counts = new long[format.maxExponent() + 1];
        long zeros = 0;
        for (int code = 0; code < codeHistogram.length; code++) {
            if (codeHistogram[code] == 0) {
                continue;
            }
            int e = format.exponentOf(code);
            if (e == DecimalExponents.ZERO) {
                zeros += codeHistogram[code];
            } else {
                counts[e] += codeHistogram[code];
            }
        }
        return new ExponentHistogram(counts, zeros);
    }

    /**
     * Adds another histogram of the same format.
     *
     * @param other a histogram of the same format
     * @return a new histogram of the sums; as long as the longer of the two
     */
    public ExponentHistogram plus(ExponentHistogram other) {
        long[] sum = Arrays.copyOf(counts, Math.max(counts.length, other.counts.length));
        for (int i = 0; i < other.counts.length; i++) {
            sum[i] += other.counts[i];
        }
        return new ExponentHistogram(sum, zeros + other.zeros);
    }

    /** Compares the counts element by element (a record compares arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ExponentHistogram h
                && zeros == h.zeros
                && Arrays.equals(counts, h.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(counts) + Long.hashCode(zeros);
    }

    /** Shows the counts, e.g. {@code ExponentHistogram[counts=[5, 2, 0], zeros=1]}. */
    @Override
    public String toString() {
        return "ExponentHistogram[counts=" + Arrays.toString(counts) + ", zeros=" + zeros + "]";
    }
}
