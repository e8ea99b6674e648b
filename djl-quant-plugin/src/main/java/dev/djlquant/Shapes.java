package dev.djlquant;

import java.util.Arrays;

/** Shape arithmetic and validation shared by quantizers and packed tensors. */
final class Shapes {

    private Shapes() {}

    /** Returns the number of values of a shape; rejects negative dimensions and overflow. */
    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "Negative dimension in shape " + Arrays.toString(shape));
            }
            if (d != 0 && n > Long.MAX_VALUE / d) {
                throw new IllegalArgumentException(
                        "Shape " + Arrays.toString(shape) + " holds more than 2^63 - 1 values");
            }
            n *= d;
        }
        return n;
    }

    /** Checks that a shape describes {@code length} values and that there is at least one. */
    static void checkMatches(long[] shape, int length, String name) {
        long n = size(shape);
        if (n != length) {
            throw new IllegalArgumentException(
                    name
                            + ": shape "
                            + Arrays.toString(shape)
                            + " holds "
                            + n
                            + " values but "
                            + length
                            + " were given");
        }
        if (n == 0) {
            throw new IllegalArgumentException(
                    name
                            + ": cannot quantize an empty tensor (shape "
                            + Arrays.toString(shape)
                            + ")");
        }
    }
}
