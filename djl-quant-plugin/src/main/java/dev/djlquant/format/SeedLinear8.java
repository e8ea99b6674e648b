package dev.djlquant.format;

/**
 * The study's per-tensor linear int8, {@code seedlinear8}, bit for bit as PyTorch computes it: a
 * group's scale is {@code S = 255 / (max - min)} (float32), a value's code is {@code (x *
 * S).to(torch.int8)} and its restored value {@code code / S}.
 *
 * <p>The conversion truncates toward zero and keeps the low byte of the 32-bit integer, as PyTorch
 * does on x86: products beyond 127 wrap to the other sign (130.7 becomes -126), and NaN or products
 * beyond the 32-bit range become 0. For a group that is not symmetric about zero the largest values
 * wrap; {@code int8@tensor} is the correct per-tensor scheme.
 */
public final class SeedLinear8 implements ScalarFormat {

    /** The only instance: the study's arithmetic has 8 bits. */
    public static final SeedLinear8 INSTANCE = new SeedLinear8();

    private static final float INT32_LIMIT = 0x1p31f;

    private SeedLinear8() {}

    @Override
    public String specName() {
        return "seedlinear8";
    }

    @Override
    public int codeBits() {
        return 8;
    }

    /** Returns 255, the number of steps {@code max - min} is divided into. */
    @Override
    public float range() {
        return 255f;
    }

    @Override
    public Scaling scaling() {
        return Scaling.SPAN;
    }

    /** Returns the low byte of {@code y} truncated to a 32-bit integer, as an unsigned code. */
    @Override
    public int code(float y) {
        int truncated = Float.isNaN(y) || Math.abs(y) >= INT32_LIMIT ? 0 : (int) y;
        return truncated & 0xFF;
    }

    /** Returns the signed byte that {@code code} holds. */
    @Override
    public float value(int code) {
        return (byte) code;
    }
}
