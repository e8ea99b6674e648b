package dev.djlquant.format;

/**
 * A format whose codes index a sorted float32 codebook in {@code [-1, 1]}, applied to {@code y = x
 * / absmax}: encoding picks the nearest entry by {@code |y - c|}, the lower index on exact ties
 * (what a brute-force argmin returns), found once per table bucket by {@link NearestEntry} and then
 * looked up through a {@link CodeTable}; codes of up to 3 bits are counted with SIMD comparisons
 * against the entries' thresholds instead. The dynamic tree and normal-float formats differ only in
 * how they build the codebook.
 */
abstract class NearestCodebookFormat implements ScalarFormat {

    /**
     * Widest codes encoded by {@link VectorCodes#thresholdCodes}: 7 comparisons a value for 3 bits
     * beat the table (0.43 against 0.82 ns a value on one core); 15 for 4 bits do not (0.91).
     */
    private static final int COMPARED_BITS = 3;

    private final int bits;
    private final float[] codebook;
    private final float[] thresholds;
    private final CodeTable table;

    NearestCodebookFormat(int bits, float[] sortedCodebook) {
        if (sortedCodebook.length != 1 << bits) {
            throw new IllegalArgumentException(
                    "A " + bits + "-bit codebook needs " + (1 << bits) + " entries");
        }
        this.bits = bits;
        this.codebook = sortedCodebook;
        NearestEntry nearest = new NearestEntry(sortedCodebook);
        this.thresholds = nearest.thresholds();
        this.table = new CodeTable(nearest::nearest);
    }

    /** Returns a copy of the sorted codebook. */
    final float[] sortedCodebook() {
        return codebook.clone();
    }

    @Override
    public final int codeBits() {
        return bits;
    }

    @Override
    public final float range() {
        return 1f;
    }

    /**
     * {@inheritDoc} The nearest entry by {@code |y - c|}, the lower index on exact ties, for every
     * {@code |y| <= 1024} (the quantizer's {@code |y|} is at most 1); beyond about 2^16 float32
     * distances to the top entries round to ties, and the code is the end entry, the nearest in
     * exact arithmetic.
     */
    @Override
    public final int code(float y) {
        return table.code(y);
    }

    @Override
    public final float value(int code) {
        return codebook[code];
    }

    /**
     * {@inheritDoc} Codes of up to {@value #COMPARED_BITS} bits by SIMD comparisons where {@link
     * SimdEncoding} allows it, the table for the rest.
     */
    @Override
    public final void normalizedCodes(float[] y, int from, int to, int[] out) {
        int done =
                SimdEncoding.ENABLED && bits <= COMPARED_BITS ? simdCodes(y, from, to, out) : from;
        table.codes(y, done, to, out);
    }

    /** {@link VectorCodes#thresholdCodes} for this codebook. */
    final int simdCodes(float[] y, int from, int to, int[] out) {
        return VectorCodes.thresholdCodes(y, from, to, thresholds, out);
    }

    @Override
    public String toString() {
        return specName();
    }
}
