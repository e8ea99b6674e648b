package dev.djlquant.format;

/**
 * Symmetric linear integers {@code intK}: {@code q = clamp(rint(y), -qmax, qmax)} with {@code qmax
 * = 2^(K-1) - 1}, rounding half to even. Codes are {@code q} in K-bit two's complement.
 */
public final class IntFormat implements ScalarFormat {

    private static final IntFormat[] CACHE = new IntFormat[9];

    private final int bits;
    private final int qmax;
    private final int mask;
    private final CodeTable table;

    private IntFormat(int bits) {
        this.bits = bits;
        this.qmax = (1 << (bits - 1)) - 1;
        this.mask = (1 << bits) - 1;
        this.table = new CodeTable(this::code);
    }

    /**
     * Returns the {@code intK} format for K in 2..8.
     *
     * @param bits the code width K, 2 to 8
     * @return the format, one shared instance per width
     * @throws IllegalArgumentException if {@code bits} is not 2 to 8
     */
    public static synchronized IntFormat of(int bits) {
        Formats.checkBits("int", bits, 2, 8);
        if (CACHE[bits] == null) {
            CACHE[bits] = new IntFormat(bits);
        }
        return CACHE[bits];
    }

    @Override
    public String specName() {
        return "int" + bits;
    }

    @Override
    public int codeBits() {
        return bits;
    }

    @Override
    public float range() {
        return qmax;
    }

    @Override
    public int code(float y) {
        int q = (int) Math.rint(y);
        return Math.max(-qmax, Math.min(qmax, q)) & mask;
    }

    @Override
    public float value(int code) {
        return (code << (32 - bits)) >> (32 - bits);
    }

    /** {@inheritDoc} SIMD where {@link SimdEncoding} allows it, the table for the rest. */
    @Override
    public void normalizedCodes(float[] y, int from, int to, int[] out) {
        int done = SimdEncoding.ENABLED ? simdCodes(y, from, to, out) : from;
        table.codes(y, done, to, out);
    }

    /** {@link VectorCodes#intCodes} for this format. */
    int simdCodes(float[] y, int from, int to, int[] out) {
        return VectorCodes.intCodes(y, from, to, qmax, mask, out);
    }
}
