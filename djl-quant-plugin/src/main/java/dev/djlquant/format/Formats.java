package dev.djlquant.format;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses format tokens ({@code int8}, {@code fp8e4m3}, {@code dt4}, {@code nf4}, {@code seeddt3},
 * ...).
 */
public final class Formats {

    private static final Pattern WITH_BITS = Pattern.compile("(int|dt|nf|seeddt)(\\d+)");

    /** The accepted tokens, for error messages. */
    public static final String VALID =
            "int2..int8, fp8e4m3, fp8e5m2, dt2..dt8, nf2..nf8, seedfp8, seedfp8e5, seeddt3..seeddt8,"
                    + " seedlinear8";

    private Formats() {}

    /**
     * Returns the family of a format's spec name: {@code int}, {@code dt}, {@code nf} or {@code
     * seeddt} for the sized families ({@code nf4} is {@code nf}), else the name itself.
     *
     * @param specName a format's spec name, such as {@code nf4}
     * @return the family, or {@code specName} itself
     */
    public static String family(String specName) {
        Matcher m = WITH_BITS.matcher(specName);
        return m.matches() ? m.group(1) : specName;
    }

    /**
     * Returns the format a token names; throws with the valid tokens listed otherwise (or, for a
     * width a sized family does not have, with that family's range).
     *
     * @param token the token; case and surrounding blanks are ignored
     * @return the format, shared by every caller (the formats are immutable)
     * @throws IllegalArgumentException if the token names no format, or a sized family with a width
     *     it does not have (that message gives the family's range instead of the valid tokens)
     */
    public static ScalarFormat parse(String token) {
        if (token == null) {
            throw new IllegalArgumentException("No number format (null); expected one of " + VALID);
        }
        String t = token.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "fp8e4m3":
                return Fp8Format.E4M3;
            case "fp8e5m2":
                return Fp8Format.E5M2;
            case "seedfp8":
                return SeedFp8.of(4);
            case "seedfp8e5":
                return SeedFp8.of(5);
            case "seedlinear8":
                return SeedLinear8.INSTANCE;
            default:
                break;
        }
        Matcher m = WITH_BITS.matcher(t);
        // Leading zeros are read as a number's, as in a granularity's size.
        String bitsDigits = m.matches() ? m.group(2).replaceFirst("^0+(?=\\d)", "") : "";
        if (!m.matches() || bitsDigits.length() > 2) {
            throw new IllegalArgumentException(
                    "Unknown number format '" + token + "'; expected one of " + VALID);
        }
        int bits = Integer.parseInt(bitsDigits);
        switch (m.group(1)) {
            case "int":
                return IntFormat.of(bits);
            case "dt":
                return DynamicTree.of(bits);
            case "nf":
                return NormalFloat.of(bits);
            default:
                return SeedDynamicTree.of(bits);
        }
    }

    static void checkBits(String family, int bits, int min, int max) {
        if (bits < min || bits > max) {
            throw new IllegalArgumentException(
                    family + " takes " + min + " to " + max + " bits, got " + bits);
        }
    }
}
