package dev.djlquant.format;

/**
 * Implemented by the dynamic-tree formats, whose codes carry a decimal exponent: the number of
 * decades a value lies below the group maximum, which the reports' exponent histograms count.
 */
public interface DecimalExponents {

    /** Value returned by {@link #exponentOf(int)} for codes of exact zero. */
    int ZERO = -1;

    /**
     * Returns the largest exponent a code can carry; exponents run from 0 to this value.
     *
     * @return the largest decimal exponent
     */
    int maxExponent();

    /**
     * Returns the decimal exponent of a code, or {@link #ZERO} for an exact zero.
     *
     * @param code the code
     * @return the exponent, 0 to {@link #maxExponent()}, or {@link #ZERO}
     */
    int exponentOf(int code);
}
