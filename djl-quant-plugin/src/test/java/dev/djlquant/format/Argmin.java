package dev.djlquant.format;

/**
 * The reference the codebook formats are tested against: the entry nearest to {@code y} by {@code
 * |y - c|} in float32, the lowest index on exact ties, found by looking at every entry.
 */
public final class Argmin {

    private Argmin() {}

    /** Returns the index of the entry of {@code codebook} nearest to {@code y}. */
    public static int of(float[] codebook, float y) {
        int best = 0;
        for (int i = 1; i < codebook.length; i++) {
            if (Math.abs(y - codebook[i]) < Math.abs(y - codebook[best])) {
                best = i;
            }
        }
        return best;
    }
}
