package dev.djlquant;

import static dev.djlquant.GroupTasks.CHUNK;
import static dev.djlquant.GroupTasks.forEachGroupRun;
import static dev.djlquant.GroupTasks.forEachPackedSegment;
import static dev.djlquant.GroupTasks.forEachTask;
import static dev.djlquant.GroupTasks.groupCount;

import dev.djlquant.format.ScalarFormat;
import dev.djlquant.format.ScalarFormat.Scaling;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.metrics.ErrorSums;
import dev.djlquant.pack.BitPacker;
import dev.djlquant.pack.CodeKernel;
import dev.djlquant.pack.PackedDot;
import dev.djlquant.pack.PackedValues;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The one quantize/dequantize kernel behind every scheme: each group's scale ({@link GroupScales}),
 * then codes packed chunk by chunk, in parallel tasks of whole chunks ({@link GroupTasks});
 * decoding, the packed products and the error measurement read the same codes.
 *
 * <p>Values come from a {@link FloatBuffer}: a wrapped array, or a view of an engine's tensor
 * memory, which is then quantized without first being copied out whole. Encoding a chunk copies it
 * into a per-task float array, divides each group's values by its scale into a second one and lets
 * the format turn that into codes ({@link ScalarFormat#normalizedCodes}), then packs them. The
 * detour through the buffers is what makes the division fast: HotSpot C2 (JDK 17) vectorizes a loop
 * only when all its arrays share one index, and {@code n[i] = y[i] / s} does while {@code y[j] =
 * x[from + j] / s} runs one scalar division per value (measured 7.4 ms for copy plus division of
 * 37.7M values against 24 ms).
 */
final class GroupKernel {

    /**
     * Shortest group that {@link #decodePairs} takes: below it, filling each group's 256 pairs
     * costs more than it saves (dequantizing 4096 x 9216 in groups of 1024: 11.8 ms against 10.8 ms
     * one code at a time; in groups of 2048: 9.7 ms against 10.1 ms).
     */
    private static final int PAIRED_GROUP_MIN = 1 << 11;

    /** Longest group whose maximum is found during encoding: 256 KB, well inside a core's L2. */
    private static final int FUSED_GROUP_LIMIT = 1 << 16;

    private GroupKernel() {}

    /** Runs before a task first touches group {@code g}; {@code scratch} is the task's to use. */
    private interface GroupStart {
        void run(int g, float[] scratch);
    }

    /**
     * The scales and packed codes of a quantized tensor; how often each code occurs and how far the
     * restored values are from the originals, when they were asked for (else null).
     */
    record Encoded(float[] scales, PackedValues codes, long[] histogram, ErrorMetrics error) {}

    /**
     * Quantizes {@code x} group by group: scales {@code absmax / format.range()} and codes packed
     * at {@code format.codeBits()} bits; with {@code countCodes}, also counts the codes while they
     * are at hand (a report needs them; a separate pass costs 11-13 ms for AlexNet's weights); with
     * {@code measureError}, also decodes each chunk while its originals are in the core's cache and
     * measures it ({@link ErrorMetrics#between} the originals and the restored values, the same
     * doubles), instead of a second pass that reads every original again. Rejects NaN and
     * infinities, naming the first bad index. Reads {@code x} from index 0 to its capacity, without
     * moving its position.
     */
    static Encoded quantize(
            FloatBuffer x,
            int groupLength,
            ScalarFormat format,
            String name,
            boolean countCodes,
            boolean measureError) {
        float range = format.range();
        long[] histogram = countCodes ? new long[1 << format.codeBits()] : null;
        float[] scales;
        GroupStart beforeGroup;
        if (format.scaling() == Scaling.SPAN || groupLength > FUSED_GROUP_LIMIT) {
            scales = GroupScales.of(x, groupLength, range, format.scaling(), name);
            beforeGroup = (g, scratch) -> {};
        } else {
            // Short groups: a task finds a group's maximum just before encoding it, while the group
            // is still in the core's cache, so the values travel from memory once instead of twice
            // (measured 3.7 ms of 30 for dt8 on 4096x9216). A group that straddles two tasks is
            // measured by both; they write the same float, and the stream's join publishes it.
            scales = new float[groupCount(x.capacity(), groupLength)];
            beforeGroup =
                    (g, scratch) -> {
                        float scale = GroupScales.groupScale(x, g, groupLength, range, scratch);
                        GroupScales.checkScale(scale, range, g, x, name);
                        scales[g] = scale;
                    };
        }
        PackedValues codes = PackedValues.allocate(x.capacity(), format.codeBits());
        ErrorMetrics[] blocks =
                measureError
                        ? new ErrorMetrics[groupCount(x.capacity(), ErrorMetrics.BLOCK)]
                        : null;
        Grouped restoring =
                measureError
                        ? new Grouped(
                                codes, scales, groupLength, format.valueTable(), format.scaling())
                        : null;
        encode(x, scales, groupLength, format, beforeGroup, codes, histogram, restoring, blocks);
        return new Encoded(
                scales, codes, histogram, blocks == null ? null : ErrorMetrics.combine(blocks));
    }

    /**
     * Encodes {@code x} group by group into {@code packed}; {@code beforeGroup} runs once per task
     * for each group before its first value is divided by {@code scales[g]}. Adds the count of
     * every code to {@code histogram} unless it is null. Unless {@code blocks} is null, decodes
     * each chunk as {@code restoring} (these codes and scales) and measures it against its
     * originals into {@code blocks}, one per {@link ErrorMetrics#BLOCK} values: tasks start on
     * whole blocks ({@link #taskLength}), so each block is measured in order by one task.
     */
    private static void encode(
            FloatBuffer x,
            float[] scales,
            int groupLength,
            ScalarFormat format,
            GroupStart beforeGroup,
            PackedValues packed,
            long[] histogram,
            Grouped restoring,
            ErrorMetrics[] blocks) {
        int codeBits = format.codeBits();
        forEachTask(
                x.capacity(),
                (from, to) -> {
                    float[] y = new float[Math.min(CHUNK, to - from)];
                    float[] normalized = new float[y.length];
                    float[] scratch = new float[y.length];
                    int[] codes = new int[y.length];
                    CodeCounts counts =
                            histogram == null ? null : new CodeCounts(codeBits, y.length);
                    ChunkErrors errors =
                            blocks == null ? null : new ChunkErrors(restoring, blocks, y.length);
                    int[] prepared = {-1};
                    for (int chunk = from; chunk < to; chunk += CHUNK) {
                        int base = chunk;
                        int length = Math.min(CHUNK, to - chunk);
                        x.get(chunk, y, 0, length);
                        forEachGroupRun(
                                chunk,
                                chunk + length,
                                groupLength,
                                (i, end, g) -> {
                                    if (g != prepared[0]) {
                                        beforeGroup.run(g, scratch);
                                        prepared[0] = g;
                                    }
                                    normalize(
                                            y,
                                            normalized,
                                            i - base,
                                            end - base,
                                            scales[g],
                                            format.scaling());
                                });
                        format.normalizedCodes(normalized, 0, length, codes);
                        CodeKernel.pack(
                                codes,
                                0,
                                length,
                                codeBits,
                                packed.segmentOf(chunk),
                                packed.byteOffsetOf(chunk));
                        if (counts != null) {
                            counts.add(
                                    codes,
                                    length,
                                    packed.segmentOf(chunk),
                                    packed.byteOffsetOf(chunk));
                        }
                        if (errors != null) {
                            errors.measure(y, chunk, length, to);
                        }
                    }
                    if (counts != null) {
                        counts.addTo(histogram);
                    }
                });
    }

    /**
     * One task's error measurement during encoding: each chunk's packed codes are decoded back and
     * measured against its originals, added to the sums of its block.
     */
    private static final class ChunkErrors {
        private final Grouped restoring;
        private final ErrorMetrics[] blocks;
        private final float[] restored;
        private ErrorSums sums = new ErrorSums();

        ChunkErrors(Grouped restoring, ErrorMetrics[] blocks, int chunkLength) {
            this.restoring = restoring;
            this.blocks = blocks;
            this.restored = new float[chunkLength];
        }

        /**
         * Measures the chunk at {@code chunk} against its {@code originals}, closing its block at a
         * block's or the task's end.
         */
        void measure(float[] originals, int chunk, int length, int taskEnd) {
            decodeRange(restoring, chunk, length, restored, 0);
            sums.add(originals, 0, restored, 0, length);
            int end = chunk + length;
            if (end % ErrorMetrics.BLOCK == 0 || end == taskEnd) {
                blocks[(end - 1) / ErrorMetrics.BLOCK] = sums.toMetrics();
                sums = new ErrorSums();
            }
        }
    }

    /**
     * Writes {@code y[from..to)} divided by {@code scale} to {@code out} at the same indices, zeros
     * becoming +0 where the scale is 0; with {@link Scaling#SPAN}, multiplied by it, in the study's
     * order of operations. The originals stay in {@code y} for the error measurement.
     */
    private static void normalize(
            float[] y, float[] out, int from, int to, float scale, Scaling scaling) {
        if (scaling == Scaling.SPAN) {
            for (int i = from; i < to; i++) {
                out[i] = y[i] * scale;
            }
            return;
        }
        if (scale == 0f) {
            // An all-zero group, or one whose scale underflowed (a below range() x 2^-150):
            // x / 0 is +-infinity for the nonzero values, which the formats clamp to their
            // largest codes.
            for (int i = from; i < to; i++) {
                out[i] = y[i] == 0f ? 0f : Math.copySign(Float.POSITIVE_INFINITY, y[i]);
            }
            return;
        }
        for (int i = from; i < to; i++) {
            out[i] = y[i] / scale;
        }
    }

    /**
     * What decoding a tensor's values needs: its packed codes, one scale per group of {@code
     * groupLength} values, the value of every code ({@link ScalarFormat#valueTable()}) and how the
     * scales apply.
     */
    record Grouped(
            PackedValues codes,
            float[] scales,
            int groupLength,
            float[] table,
            Scaling scaling,
            CodeKernel kernel) {

        /** With the kernel this JVM has for the codes ({@link CodeKernel#of}). */
        Grouped(
                PackedValues codes,
                float[] scales,
                int groupLength,
                float[] table,
                Scaling scaling) {
            this(codes, scales, groupLength, table, scaling, CodeKernel.of(codes.bits(), table));
        }
    }

    /** Decodes packed codes to {@code value(code) * scale} ({@code / scale} for SPAN), in order. */
    static float[] decode(Grouped g) {
        float[] out = new float[(int) g.codes().count()];
        decode(g, FloatBuffer.wrap(out));
        return out;
    }

    /** Decodes packed codes to {@code value(code) * scale} into {@code out} (from index 0). */
    static void decode(Grouped g, FloatBuffer out) {
        decode(g, 0, (int) g.codes().count(), out);
    }

    /**
     * Decodes the values {@code [first, first + count)} into {@code out} from index 0; {@code
     * first} must start on a byte of the packed stream. 4-bit codes in long groups without a SIMD
     * kernel are decoded two at a time ({@link #decodePairs}); otherwise a heap buffer's array is
     * written in place, and a direct buffer, such as a view of an engine's tensor memory, is filled
     * chunk by chunk from a cache-resident array (for heap buffers that extra copy cost 10%).
     */
    static void decode(Grouped g, int first, int count, FloatBuffer out) {
        if (pairsApply(g)) {
            decodePairs(g, first, count, out);
            return;
        }
        if (!out.hasArray()) {
            forEachDecodedPiece(
                    g,
                    first,
                    count,
                    CHUNK,
                    (start, values, n) -> out.put(start - first, values, 0, n));
            return;
        }
        float[] dst = out.array();
        forEachTask(
                first,
                count,
                (from, to) -> {
                    for (int chunk = from; chunk < to; chunk += CHUNK) {
                        int length = Math.min(CHUNK, to - chunk);
                        decodeRange(g, chunk, length, dst, out.arrayOffset() + chunk - first);
                    }
                });
    }

    /**
     * Whether {@link #decodePairs} applies: 4-bit codes without a SIMD kernel, in groups that start
     * on whole bytes and are long enough that a group's 256 pairs cost little against its values.
     * The SIMD kernel decodes faster: VGG16's convolution weights (dt4) 3.4 ms against 4.6 ms, 4096
     * x 9216 10.3 ms against 13.3 ms.
     */
    private static boolean pairsApply(Grouped g) {
        return g.codes().bits() == 4
                && g.kernel() == CodeKernel.SCALAR
                && g.scaling() == Scaling.ABSMAX
                && g.groupLength() % 2 == 0
                && g.groupLength() >= PAIRED_GROUP_MIN;
    }

    /**
     * Decodes 4-bit codes two at a time ({@link BitPacker#unpackPairs}) into a cache-resident chunk
     * of float32 bytes per task, each group's scale folded into its pairs, and copies each chunk to
     * {@code out}. Measured against one code at a time: restoring VGG16's convolution weights (dt4,
     * 14.7M values) 2.6 ms against 4.1-4.4 ms; dequantizing 4096 x 9216 9.5-9.9 ms against
     * 10.9-11.2 ms, where writing the floats to memory bounds both.
     */
    private static void decodePairs(Grouped g, int first, int count, FloatBuffer out) {
        PackedValues packed = g.codes();
        forEachTask(
                first,
                count,
                (from, to) -> {
                    long[] pairs = new long[256];
                    int[] paired = {-1};
                    byte[] bytes = new byte[Math.min(CHUNK, to - from) * Float.BYTES];
                    FloatBuffer chunkValues =
                            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                    for (int chunk = from; chunk < to; chunk += CHUNK) {
                        int base = chunk;
                        int length = Math.min(CHUNK, to - chunk);
                        forEachGroupRun(
                                chunk,
                                chunk + length,
                                g.groupLength(),
                                (i, end, group) -> {
                                    if (group != paired[0]) {
                                        BitPacker.fillPairs(g.table(), g.scales()[group], pairs);
                                        paired[0] = group;
                                    }
                                    // A chunk starts on first's grid, not the chunks' own, so
                                    // it may straddle a segment of the packed codes.
                                    forEachPackedSegment(
                                            i,
                                            end,
                                            (run, stop) ->
                                                    BitPacker.unpackPairs(
                                                            packed.segmentOf(run),
                                                            packed.byteOffsetOf(run),
                                                            pairs,
                                                            bytes,
                                                            (run - base) * Float.BYTES,
                                                            stop - run));
                                });
                        out.put(chunk - first, chunkValues, 0, length);
                    }
                });
    }

    /**
     * Returns {@link ErrorMetrics#between} the original values and the decoded ones without holding
     * the decoded values: each block of {@link ErrorMetrics#BLOCK} values is decoded into a
     * cache-resident array and measured there, blocks in parallel, combined in order.
     */
    static ErrorMetrics error(FloatBuffer original, Grouped g) {
        ErrorMetrics[] blocks = new ErrorMetrics[groupCount(g.codes().count(), ErrorMetrics.BLOCK)];
        forEachDecodedPiece(
                g,
                0,
                (int) g.codes().count(),
                ErrorMetrics.BLOCK,
                (start, values, count) ->
                        blocks[start / ErrorMetrics.BLOCK] =
                                ErrorMetrics.ofBlock(original, start, values, 0, count));
        return ErrorMetrics.combine(blocks);
    }

    /** Receives the decoded values {@code values[0..count)} of positions {@code [start, ...)}. */
    private interface DecodedPiece {
        void accept(int start, float[] values, int count);
    }

    /**
     * Decodes the values {@code [first, first + count)} in pieces of {@code pieceLength} (a divisor
     * of a task's length, starting on bytes of the stream, as {@code first} must), tasks in
     * parallel, each piece into a cache-resident array that {@code consumer} reads before the next
     * piece overwrites it.
     */
    private static void forEachDecodedPiece(
            Grouped g, int first, int count, int pieceLength, DecodedPiece consumer) {
        forEachTask(
                first,
                count,
                (from, to) -> {
                    float[] values = new float[Math.min(pieceLength, to - from)];
                    for (int start = from; start < to; start += pieceLength) {
                        int length = Math.min(pieceLength, to - start);
                        decodeRange(g, start, length, values, 0);
                        consumer.accept(start, values, length);
                    }
                });
    }

    /**
     * Decodes the values {@code [from, from + count)} into {@code dst[at..at + count)}; {@code
     * from} must start on a byte of the packed stream ({@code from * bits} a multiple of 8).
     */
    static void decodeRange(Grouped g, int from, int count, float[] dst, int at) {
        PackedValues packed = g.codes();
        int bits = packed.bits();
        forEachPackedSegment(
                from,
                from + count,
                (run, end) ->
                        g.kernel()
                                .unpack(
                                        packed.segmentOf(run),
                                        packed.byteOffsetOf(run),
                                        bits,
                                        g.table(),
                                        dst,
                                        at + run - from,
                                        end - run));
        float[] scales = g.scales();
        forEachGroupRun(
                from,
                from + count,
                g.groupLength(),
                (i, end, group) ->
                        restore(dst, at + i - from, at + end - from, scales[group], g.scaling()));
    }

    /**
     * Writes {@code sum value(code_i) * scale * x_b[i - from]} over the values {@code [from, from +
     * count)} to {@code sums[b]} for every input row {@code b} of {@code x}, which was prepared for
     * these codes: a group's products are summed from the packed codes, then scaled once. {@code
     * partial} is scratch of the same length as {@code sums}. Every group that starts inside the
     * range must start on a byte of the packed stream.
     */
    static void dotRows(
            Grouped g, int from, int count, PackedDot x, float[] partial, float[] sums) {
        PackedValues packed = g.codes();
        int groupLength = g.groupLength();
        int end = from + count;
        Arrays.fill(sums, 0f);
        for (int i = from; i < end; ) {
            int group = i / groupLength;
            long groupEnd = (group + 1L) * groupLength;
            long segmentEnd = (i / PackedValues.SEGMENT_VALUES + 1L) * PackedValues.SEGMENT_VALUES;
            int stop = (int) Math.min(end, Math.min(groupEnd, segmentEnd));
            x.dotRows(packed.segmentOf(i), packed.byteOffsetOf(i), i - from, stop - i, partial);
            float scale = g.scales()[group];
            for (int b = 0; b < sums.length; b++) {
                sums[b] += g.scaling() == Scaling.SPAN ? partial[b] / scale : scale * partial[b];
            }
            i = stop;
        }
    }

    /** Multiplies {@code v[from..to)} by {@code scale} in place: a loop C2 vectorizes. */
    private static void scale(float[] v, int from, int to, float scale) {
        for (int i = from; i < to; i++) {
            v[i] = v[i] * scale;
        }
    }

    /** Turns code values into restored values: times the scale, or divided by it for SPAN. */
    private static void restore(float[] v, int from, int to, float scale, Scaling scaling) {
        if (scaling == Scaling.ABSMAX) {
            scale(v, from, to, scale);
            return;
        }
        for (int i = from; i < to; i++) {
            v[i] = v[i] / scale;
        }
    }

    /** Counts how often each code occurs. */
    static long[] histogram(PackedValues packed) {
        int n = (int) packed.count();
        int bits = packed.bits();
        long[] histogram = new long[1 << bits];
        forEachTask(
                n,
                (from, to) -> {
                    int chunkLength = Math.min(CHUNK, to - from);
                    int[] codes = CodeCounts.needsInts(bits) ? new int[chunkLength] : null;
                    CodeCounts counts = new CodeCounts(bits, chunkLength);
                    for (int chunk = from; chunk < to; chunk += CHUNK) {
                        int length = Math.min(CHUNK, to - chunk);
                        byte[] segment = packed.segmentOf(chunk);
                        int offset = packed.byteOffsetOf(chunk);
                        if (codes != null) {
                            BitPacker.unpack(segment, offset, bits, codes, 0, length);
                        }
                        counts.add(codes, length, segment, offset);
                    }
                    counts.addTo(histogram);
                });
        return histogram;
    }
}
