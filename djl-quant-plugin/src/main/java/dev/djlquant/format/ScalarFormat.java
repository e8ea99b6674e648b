package dev.djlquant.format;

/**
 * A number format that maps a normalized value to a small integer code and back.
 *
 * <p>A quantizer divides each group by {@code s = absmax / range()}, encodes {@code x / s} with
 * {@link #code(float)} and restores {@code value(code) * s} (the study's linear int8 scales the
 * other way, see {@link Scaling}). Codes lie in {@code [0, 2^codeBits())}; {@link #nominalBits()}
 * is what the scheme claims per weight, which the study's own formats exceed.
 */
public interface ScalarFormat {

    /**
     * Returns the spec token of this format, such as {@code dt4} or {@code fp8e4m3}.
     *
     * @return the format's token in a spec
     */
    String specName();

    /**
     * Returns the number of bits each packed code occupies.
     *
     * @return the packed width of a code, in bits
     */
    int codeBits();

    /**
     * Returns the bits per value the scheme is named after (the study's size estimate uses it).
     *
     * @return the nominal bits per value; {@link #codeBits()} unless a format overrides it
     */
    default int nominalBits() {
        return codeBits();
    }

    /**
     * Returns the value a group's absolute maximum is mapped to: {@code s = absmax / range()}.
     *
     * @return the value that {@code absmax} maps to (for {@link Scaling#SPAN}, the span of the
     *     codes' values)
     */
    float range();

    /**
     * Returns how a group's scale is found and applied; {@link Scaling#ABSMAX} but for one.
     *
     * @return the scaling; {@link Scaling#ABSMAX} unless a format overrides it
     */
    default Scaling scaling() {
        return Scaling.ABSMAX;
    }

    /** How a quantizer finds a group's scale and applies it. */
    enum Scaling {
        /** {@code s = absmax / range()}; codes of {@code x / s}; values {@code value(code) * s}. */
        ABSMAX,
        /**
         * {@code S = range() / (max - min)}; codes of {@code x * S}; values {@code value(code) /
         * S}: the study's linear int8. A group of equal values has {@code S = +Infinity}, and every
         * value of it restores to 0.
         */
        SPAN
    }

    /**
     * Returns the code of a normalized value {@code y = x / s}.
     *
     * @param y the value divided by its group's scale
     * @return the code, in {@code [0, 2^codeBits())}
     */
    int code(float y);

    /**
     * Returns the normalized value of a code; undefined codes return NaN.
     *
     * @param code the code, in {@code [0, 2^codeBits())}
     * @return the normalized value, or NaN for an undefined code
     */
    float value(int code);

    /**
     * Encodes values already divided by their scale: {@code out[i] = code(y[i])} for {@code i} in
     * {@code [from, to)}. Both arrays share the index (the quantization kernel calls this on its
     * own per-thread buffers), which keeps the loop free of offset arithmetic; formats override it
     * with a table-driven form that gives the same codes as {@link #code(float)}.
     *
     * @param y the values divided by their scales
     * @param from the first index to encode
     * @param to the index after the last to encode
     * @param out receives the codes at the same indices
     */
    default void normalizedCodes(float[] y, int from, int to, int[] out) {
        for (int i = from; i < to; i++) {
            out[i] = code(y[i]);
        }
    }

    /**
     * Returns the values of all {@code 2^codeBits()} codes, indexed by code.
     *
     * @return a new array of {@code 2^codeBits()} values
     */
    default float[] valueTable() {
        float[] table = new float[1 << codeBits()];
        for (int c = 0; c < table.length; c++) {
            table[c] = value(c);
        }
        return table;
    }
}
