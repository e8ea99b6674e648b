package dev.djlquant;

import dev.djlquant.format.Argmin;
import dev.djlquant.format.DynamicTree;
import dev.djlquant.format.Fp8Format;
import dev.djlquant.format.NormalFloat;
import dev.djlquant.format.SeedArithmetic;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * A deliberately naive transcription of DESIGN.md section 3, written apart from the library: groups
 * built from the shape by index arithmetic, brute-force codebook search, boxed stable sort.
 */
final class ReferenceQuantizer {

    private ReferenceQuantizer() {}

    static float[] roundTrip(String spec, float[] x, long[] shape) {
        String[] parts = spec.split("@");
        String format = parts[0];
        String granularity = parts.length > 1 ? parts[1] : "row";
        Integer[] order = IntStream.range(0, x.length).boxed().toArray(Integer[]::new);
        int groupLength;
        if (granularity.startsWith("sorted")) {
            Arrays.sort(order, Comparator.comparingDouble(i -> Math.abs(x[i]))); // stable
            groupLength = Integer.parseInt(granularity.substring(6));
        } else if (granularity.startsWith("block")) {
            groupLength = Integer.parseInt(granularity.substring(5));
        } else if (granularity.equals("tensor")) {
            groupLength = x.length;
        } else if (granularity.equals("row")) {
            groupLength = shape.length < 2 ? x.length : (int) (x.length / shape[0]);
        } else {
            groupLength = (int) shape[shape.length - 1];
        }
        float[] out = new float[x.length];
        for (int start = 0; start < x.length; start += groupLength) {
            int end = Math.min(x.length, start + groupLength);
            if (format.equals("seedlinear8")) {
                seedLinear8(x, order, start, end, out);
                continue;
            }
            float a = 0;
            for (int j = start; j < end; j++) {
                a = Math.max(a, Math.abs(x[order[j]]));
            }
            for (int j = start; j < end; j++) {
                out[order[j]] = value(format, x[order[j]], a);
            }
        }
        return out;
    }

    /**
     * The study's {@code S = 255 / (x.max() - x.min())}, {@code q = (x * S).to(torch.int8)}, {@code
     * q.float() / S}, in float32. PyTorch converts on x86 by truncating to a 32-bit integer (NaN
     * and anything outside it give 0x80000000) and keeping the low byte.
     */
    private static void seedLinear8(float[] x, Integer[] order, int start, int end, float[] out) {
        float max = x[order[start]];
        float min = x[order[start]];
        for (int j = start; j < end; j++) {
            max = Math.max(max, x[order[j]]);
            min = Math.min(min, x[order[j]]);
        }
        float s = 255f / (max - min);
        for (int j = start; j < end; j++) {
            float y = x[order[j]] * s;
            int int32 =
                    Float.isNaN(y) || y >= 2147483648f || y < -2147483648f
                            ? Integer.MIN_VALUE
                            : (int) y;
            byte q = (byte) int32;
            out[order[j]] = q / s;
        }
    }

    private static float value(String format, float x, float a) {
        if (a == 0f) {
            return 0f;
        }
        if (format.startsWith("int")) {
            int bits = Integer.parseInt(format.substring(3));
            float qmax = (1 << (bits - 1)) - 1;
            float s = a / qmax;
            int q = (int) Math.max(-qmax, Math.min(qmax, Math.rint(x / s)));
            return q * s;
        }
        if (format.startsWith("fp8")) {
            Fp8Format f = format.equals("fp8e4m3") ? Fp8Format.E4M3 : Fp8Format.E5M2;
            float s = a / f.max();
            return f.round(x / s) * s;
        }
        if (format.startsWith("dt") || format.startsWith("nf")) {
            int bits = Integer.parseInt(format.substring(2));
            float[] c =
                    format.startsWith("dt")
                            ? DynamicTree.codebook(bits)
                            : NormalFloat.codebook(bits);
            return c[Argmin.of(c, x / a)] * a;
        }
        if (format.startsWith("seedfp8")) {
            return SeedArithmetic.roundFp8(x / a, format.equals("seedfp8") ? 4 : 5) * a;
        }
        return SeedArithmetic.roundDt(x / a, Integer.parseInt(format.substring(6))) * a;
    }
}
