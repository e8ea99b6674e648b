package dev.djlquant.metrics;

import dev.djlquant.format.DecimalExponents;
import dev.djlquant.format.ScalarFormat;

/**
 * Which codes a quantized tensor uses: the code histogram, its entropy in bits (the effective bits
 * per weight an entropy coder could reach) and, for dynamic-tree formats, the decimal-exponent
 * histogram the study reported.
 */
public record CodeUsage(long[] histogram, double entropyBits, ExponentHistogram exponents) {

    /**
     * Summarizes a code histogram of {@code format}; {@code exponents} is null for other formats.
     *
     * @param histogram how often each code occurs, indexed by code; kept, not copied
     * @param format the format whose codes they are
     * @return the usage; entropy 0 if only one code occurs
     */
    public static CodeUsage of(long[] histogram, ScalarFormat format) {
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        double entropy = 0;
        for (long c : histogram) {
            if (c > 0) {
                double p = (double) c / total;
                entropy -= p * Math.log(p) / Math.log(2);
            }
        }
        ExponentHistogram exponents =
                format instanceof DecimalExponents
                        ? ExponentHistogram.of(histogram, (DecimalExponents) format)
                        : null;
        return new CodeUsage(histogram, entropy, exponents);
    }

    /**
     * Returns the number of values counted.
     *
     * @return the sum of the histogram
     */
    public long total() {
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        return total;
    }
}
