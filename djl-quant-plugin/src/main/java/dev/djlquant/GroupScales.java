package dev.djlquant;

import static dev.djlquant.GroupTasks.CHUNK;
import static dev.djlquant.GroupTasks.TASK;
import static dev.djlquant.GroupTasks.forEachGroupRun;
import static dev.djlquant.GroupTasks.forEachTask;
import static dev.djlquant.GroupTasks.groupCount;

import dev.djlquant.format.ScalarFormat.Scaling;
import dev.djlquant.simd.ParallelBlocks;
import dev.djlquant.simd.VectorApi;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The scale of every group of a tensor: {@code absmax / range}, or for the study's linear int8
 * {@code range / (max - min)} ({@link Scaling#SPAN}). Rejects NaN and infinities with the flat
 * index of the first, and values whose largest code would restore to infinity.
 */
final class GroupScales {

    /** Whether absolute maxima are found with {@link VectorMaxima}. */
    static final boolean VECTOR_MAXIMA = VectorApi.passes(GroupScales::vectorMaximaWork);

    private GroupScales() {}

    /**
     * Returns the scale of every group of {@code groupLength} values of {@code x} for a format
     * whose largest code value is {@code range}, reading {@code x} from index 0 to its capacity.
     */
    static float[] of(FloatBuffer x, int groupLength, float range, Scaling scaling, String name) {
        return scaling == Scaling.SPAN
                ? spanScales(x, groupLength, range, name)
                : absMaxScales(x, groupLength, range, name);
    }

    /** Returns {@code absmax / range} per group; rejects NaN and infinities with their index. */
    private static float[] absMaxScales(FloatBuffer x, int groupLength, float range, String name) {
        int n = x.capacity();
        int groups = groupCount(n, groupLength);
        float[] scales = new float[groups];
        if (groupLength >= TASK) {
            // Few long groups: each group's maximum over parallel pieces.
            for (int g = 0; g < groups; g++) {
                int from = g * groupLength;
                int length = (int) Math.min(n - from, groupLength);
                float[] max = {0f};
                forEachTask(
                        from,
                        length,
                        (a, b) -> {
                            float pieceMax = absMax(x, a, b, new float[CHUNK]);
                            synchronized (max) {
                                max[0] = Math.max(max[0], pieceMax);
                            }
                        });
                scales[g] = max[0] / range;
            }
        } else {
            // Many groups: whole groups per task.
            ParallelBlocks.forEach(
                    groups,
                    TASK / groupLength,
                    n,
                    (t, first, last) -> {
                        float[] scratch = new float[CHUNK];
                        for (int g = first; g < last; g++) {
                            scales[g] = groupScale(x, g, groupLength, range, scratch);
                        }
                    });
        }
        for (int g = 0; g < groups; g++) {
            checkScale(scales[g], range, g, x, name);
        }
        return scales;
    }

    /**
     * Returns {@code range / (max - min)} per group ({@link Scaling#SPAN}): each task's run of a
     * group is scanned in parallel and merged under a lock, so one long group uses every core;
     * rejects NaN and infinities with their index, and groups whose span exceeds float32.
     */
    private static float[] spanScales(FloatBuffer x, int groupLength, float range, String name) {
        int n = x.capacity();
        int groups = groupCount(n, groupLength);
        float[] max = new float[groups];
        float[] min = new float[groups];
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        forEachTask(
                n,
                (from, to) ->
                        forEachGroupRun(
                                from,
                                to,
                                groupLength,
                                (i, end, g) -> {
                                    float hi = Float.NEGATIVE_INFINITY;
                                    float lo = Float.POSITIVE_INFINITY;
                                    for (int k = i; k < end; k++) {
                                        float v = x.get(k);
                                        hi = Math.max(hi, v);
                                        lo = Math.min(lo, v);
                                    }
                                    synchronized (max) {
                                        max[g] = Math.max(max[g], hi);
                                        min[g] = Math.min(min[g], lo);
                                    }
                                }));
        float[] scales = new float[groups];
        for (int g = 0; g < groups; g++) {
            if (!Float.isFinite(max[g]) || !Float.isFinite(min[g])) {
                throw nonFinite(x, name);
            }
            if (Float.isInfinite(max[g] - min[g])) {
                throw new IllegalArgumentException(
                        name
                                + ": group "
                                + g
                                + " spans "
                                + min[g]
                                + " to "
                                + max[g]
                                + ", more than float32 holds; scale the values down first");
            }
            scales[g] = range / (max[g] - min[g]);
        }
        return scales;
    }

    /** Returns {@code absmax / range} of group {@code g} (NaN or infinite for non-finite input). */
    static float groupScale(FloatBuffer x, int g, int groupLength, float range, float[] scratch) {
        int from = g * groupLength;
        int to = (int) Math.min(x.capacity(), (long) from + groupLength);
        return absMax(x, from, to, scratch) / range;
    }

    /**
     * Returns the largest {@code |x[i]|} over {@code [from, to)}: over a heap buffer's array in
     * place, over a direct buffer piece by piece copied into {@code scratch}, since the vectorized
     * reduction below needs an array.
     */
    private static float absMax(FloatBuffer x, int from, int to, float[] scratch) {
        if (x.hasArray()) {
            return absMax(x.array(), x.arrayOffset() + from, x.arrayOffset() + to);
        }
        float max = 0f;
        for (int i = from; i < to; i += scratch.length) {
            int count = Math.min(scratch.length, to - i);
            x.get(i, scratch, 0, count);
            max = Math.max(max, absMax(scratch, 0, count));
        }
        return max;
    }

    /**
     * Returns the largest {@code |x[i]|}, NaN if any value is NaN ({@code Math.max} propagates it):
     * whole SIMD steps with {@link VectorMaxima} where it passed its check, the rest one by one.
     */
    private static float absMax(float[] x, int from, int to) {
        float max = 0f;
        int i = from;
        if (VECTOR_MAXIMA) {
            i += VectorMaxima.wholeSteps(to - from);
            max = VectorMaxima.absMax(x, from, i);
        }
        return Math.max(max, scalarAbsMax(x, i, to));
    }

    private static float scalarAbsMax(float[] x, int from, int to) {
        float max = 0f;
        for (int i = from; i < to; i++) {
            max = Math.max(max, Math.abs(x[i]));
        }
        return max;
    }

    /**
     * Whether {@link VectorMaxima} runs here and finds the scalar loop's maxima on a sample with
     * signed zeros, subnormals, infinities and the largest value in every lane of a step; with a
     * NaN, a NaN.
     */
    private static boolean vectorMaximaWork() {
        if (!VectorMaxima.supported()) {
            return false;
        }
        int n = VectorMaxima.wholeSteps(1 << 10);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.scalb(Math.sin(i), i % 240 - 130);
        }
        x[1] = -0f;
        x[2] = Float.MIN_VALUE;
        boolean ok = n > 0;
        for (int lane = 0; ok && lane < n; lane += 37) {
            float[] y = x.clone();
            y[lane] = lane % 2 == 0 ? Float.NEGATIVE_INFINITY : -Float.MAX_VALUE;
            ok = Float.compare(VectorMaxima.absMax(y, 0, n), Math.abs(y[lane])) == 0;
            y[lane] = Float.NaN;
            ok &= Float.isNaN(VectorMaxima.absMax(y, 0, n));
        }
        return ok && Float.compare(VectorMaxima.absMax(x, 0, n), scalarAbsMax(x, 0, n)) == 0;
    }

    /**
     * Rejects group {@code g}'s scale if its values are not all finite, or if they lie so close to
     * float32's largest value that the largest code, {@code range * scale}, would restore to
     * infinity.
     */
    static void checkScale(float scale, float range, int g, FloatBuffer x, String name) {
        if (!Float.isFinite(scale)) {
            throw nonFinite(x, name);
        }
        if (!Float.isFinite(scale * range)) {
            throw new IllegalArgumentException(
                    name
                            + ": group "
                            + g
                            + " holds values so close to float32's largest ("
                            + Float.MAX_VALUE
                            + ") that its largest code would restore to infinity; scale the"
                            + " values down first");
        }
    }

    /** Returns the error for the first value of {@code x} that is NaN or infinite. */
    static IllegalArgumentException nonFinite(FloatBuffer x, String name) {
        for (int i = 0; i < x.capacity(); i++) {
            if (!Float.isFinite(x.get(i))) {
                return new IllegalArgumentException(
                        name + ": value " + x.get(i) + " at flat index " + i + " is not finite");
            }
        }
        throw new IllegalStateException(name + " has no non-finite value");
    }
}
