package dev.djlquant;

import dev.djlquant.format.DynamicTree;
import dev.djlquant.format.ScalarFormat;
import dev.djlquant.pack.PackedValues;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * A tensor's float32 scales stored at 8 bits each, QLoRA's double quantization: the scales minus
 * their mean {@code m}, as {@code dt8@block256} codes (bitsandbytes' 8-bit dynamic map, one float32
 * scale per 256 scales). A restored scale is {@code value(code) * blockScale + m} in float32, or +0
 * where that is below 0 (only a group of zeros can have one: the values of its group then restore
 * as +0, not -0). A group's scale then costs 8.125 bits instead of 32 (plus 32 bits for {@code m}
 * per tensor).
 */
final class DoubleQuantizedScales {

    /** Scales that share one float32 block scale. */
    static final int BLOCK = 256;

    private static final ScalarFormat FORMAT = DynamicTree.of(8);

    /**
     * Restored scales further than this factor from their float32 value, either way, are worth a
     * warning: every value of the group restores that much too large or too small.
     */
    static final float WARNED_FACTOR = 2f;

    private final float offset;
    private final float[] blockScales;
    private final PackedValues codes;

    /**
     * The positive scale restored furthest from its float32 value, by factor; null if none is
     * positive, or the scales were read from a stream (which stores only the 8-bit ones).
     */
    private final Distortion worst;

    /** Whether the scales were quantized here, with their float32 values at hand. */
    private final boolean measured;

    /**
     * A group's float32 scale and its restored one.
     *
     * @param group the group's index
     * @param exact the scale computed from the group's values
     * @param restored the scale restored from 8 bits
     */
    private record Distortion(int group, float exact, float restored) {
        /** How many times one scale is the other: at least 1. */
        double factor() {
            return factor(exact, restored);
        }

        static double factor(float exact, float restored) {
            double r = (double) restored / exact;
            return Math.max(r, 1 / r);
        }
    }

    private DoubleQuantizedScales(
            float offset,
            float[] blockScales,
            PackedValues codes,
            Distortion worst,
            boolean measured) {
        this.offset = offset;
        this.blockScales = blockScales;
        this.codes = codes;
        this.worst = worst;
        this.measured = measured;
    }

    /**
     * Quantizes {@code scales}: {@code m} is their mean, summed in double and rounded to float32;
     * each {@code scales[g] - m} (float32) is encoded as {@code dt8} in blocks of {@link #BLOCK}.
     * Rejects, naming the tensor and the group, scales near float32's largest that would restore to
     * infinity, and positive scales that would restore to zero or less (the sign of every value in
     * the group flipped or lost): the error of a restored scale follows the largest distance from
     * the mean in its block, so one outlier group leaves no precision for small scales.
     */
    static DoubleQuantizedScales of(float[] scales, String name) {
        double sum = 0;
        for (float s : scales) {
            sum += s;
        }
        float offset = (float) (sum / scales.length);
        float[] centered = new float[scales.length];
        for (int g = 0; g < scales.length; g++) {
            centered[g] = scales[g] - offset;
        }
        GroupKernel.Encoded e =
                GroupKernel.quantize(
                        FloatBuffer.wrap(centered), BLOCK, FORMAT, "scales", false, false);
        float[] restored = restore(offset, e.scales(), e.codes());
        Distortion worst = null;
        for (int g = 0; g < restored.length; g++) {
            if (!Float.isFinite(restored[g])) {
                throw unrestorable(
                        name,
                        g,
                        scales[g],
                        "infinity at 8 bits (+dq); its values are too close to float32's largest");
            }
            if (scales[g] > 0f && !(restored[g] > 0f)) {
                throw unrestorable(
                        name,
                        g,
                        scales[g],
                        restored[g]
                                + " at 8 bits (+dq): the scales span too wide a range (mean "
                                + offset
                                + ") to be stored at 8 bits; quantize this tensor without +dq");
            }
            if (scales[g] > 0f
                    && (worst == null
                            || Distortion.factor(scales[g], restored[g]) > worst.factor())) {
                worst = new Distortion(g, scales[g], restored[g]);
            }
        }
        return new DoubleQuantizedScales(offset, e.scales(), e.codes(), worst, true);
    }

    /**
     * How many times the positive scale restored furthest from its float32 value is from it, either
     * way: at least 1 (1 without a positive scale), NaN for scales read from a stream.
     */
    double distortion() {
        if (worst != null) {
            return worst.factor();
        }
        return measured ? 1 : Double.NaN;
    }

    /**
     * Returns a warning for tensor {@code name} when a restored scale is more than {@link
     * #WARNED_FACTOR} times from its float32 value, either way, else null.
     */
    String warning(String name) {
        if (worst == null || !(worst.factor() > WARNED_FACTOR)) {
            return null;
        }
        return String.format(
                Locale.ROOT,
                "%s: +dq restores the scale of group %d as %s, %.3gx %s its float32 value %s (the"
                        + " scales of its block of %d span a wide range), and every value of the"
                        + " group with it; quantize %s without +dq (an override) to keep its scales"
                        + " exact",
                name,
                worst.group(),
                worst.restored(),
                worst.factor(),
                worst.restored() > worst.exact() ? "above" : "below",
                worst.exact(),
                BLOCK,
                name);
    }

    private static IllegalArgumentException unrestorable(
            String name, int group, float scale, String outcome) {
        return new IllegalArgumentException(
                name
                        + ": the scale of group "
                        + group
                        + " ("
                        + scale
                        + ") would restore to "
                        + outcome);
    }

    /** Returns the number of scales. */
    int count() {
        return (int) codes.count();
    }

    /** Returns the restored scales, {@code value(code) * blockScale + m} each, at least +0. */
    float[] restore() {
        return restore(offset, blockScales, codes);
    }

    private static float[] restore(float offset, float[] blockScales, PackedValues codes) {
        float[] scales =
                GroupKernel.decode(
                        new GroupKernel.Grouped(
                                codes, blockScales, BLOCK, FORMAT.valueTable(), FORMAT.scaling()));
        for (int g = 0; g < scales.length; g++) {
            // Positive scales that would restore to 0 or less are refused when quantizing; a
            // group of zeros whose 0 restores a little below 0 would restore its values as -0.
            scales[g] = Math.max(0f, scales[g] + offset);
        }
        return scales;
    }

    /** Returns the stored bytes: the mean, one float32 per block, one byte per scale. */
    long storageBytes() {
        return Float.BYTES * (1L + blockScales.length) + codes.byteLength();
    }

    /** Writes the mean, the block scales and the codes, adding every byte to {@code crc}. */
    void writeTo(DataOutputStream out, CRC32 crc) throws IOException {
        ByteBuffer floats = ByteBuffer.allocate(Float.BYTES * (1 + blockScales.length));
        floats.putFloat(offset).asFloatBuffer().put(blockScales);
        crc.update(floats.array());
        out.write(floats.array());
        codes.writeTo(out, crc);
    }

    /**
     * Reads {@code count} scales written by {@link #writeTo}, adding every byte to {@code crc};
     * {@link #check} them once the checksum has matched.
     */
    static DoubleQuantizedScales readFrom(DataInputStream in, int count, CRC32 crc)
            throws IOException {
        byte[] floats = new byte[Float.BYTES * (1 + GroupTasks.groupCount(count, BLOCK))];
        in.readFully(floats);
        crc.update(floats);
        FloatBuffer read = ByteBuffer.wrap(floats).asFloatBuffer();
        float offset = read.get();
        float[] blockScales = new float[read.remaining()];
        read.get(blockScales);
        PackedValues codes = PackedValues.readFrom(in, count, FORMAT.codeBits(), crc);
        return new DoubleQuantizedScales(offset, blockScales, codes, null, false);
    }

    /** Rejects a mean or block scale that no finite scales could have produced. */
    void check() throws CorruptTensorException {
        if (!Float.isFinite(offset)) {
            throw new CorruptTensorException("mean of the quantized scales is " + offset);
        }
        for (int b = 0; b < blockScales.length; b++) {
            if (!(blockScales[b] >= 0f) || Float.isInfinite(blockScales[b])) {
                throw new CorruptTensorException("scale block " + b + " is " + blockScales[b]);
            }
        }
    }
}
