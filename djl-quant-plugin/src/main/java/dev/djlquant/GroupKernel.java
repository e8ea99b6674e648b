package dev.djlquant;

import dev.djlquant.format.ScalarFormat;
import dev.djlquant.pack.BitPacker;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The one quantize/dequantize kernel behind every scheme: per-group absolute maxima, then codes
 * packed chunk by chunk. Chunks hold a multiple of 8 values so each starts on a byte boundary and
 * runs in parallel; small tensors stay on the calling thread.
 */
final class GroupKernel {

    /** Values per parallel task; a multiple of 8 so packed chunks start on byte boundaries. */
    static final int CHUNK = 1 << 14;

    private static final int SEQUENTIAL_BELOW = 1 << 16;

    private GroupKernel() {}

    /** Work on the values {@code [from, to)}. */
    private interface Range {
        void run(int from, int to);
    }

    /** Work on the values {@code [from, to)}, all in group {@code group}. */
    private interface Segment {
        void run(int from, int to, int group);
    }

    /** Returns {@code absmax / range} per group; rejects NaN and infinities with their index. */
    static float[] scales(float[] x, int groupLength, float range, String name) {
        int groups = groupCount(x.length, groupLength);
        float[] scales = new float[groups];
        if (groups >= 4 * Runtime.getRuntime().availableProcessors()) {
            tasks(groups, x.length).forEach(g -> scales[g] = scale(x, g, groupLength, range));
        } else {
            for (int g = 0; g < groups; g++) {
                scales[g] = scale(x, g, groupLength, range);
            }
        }
        for (float s : scales) {
            if (!Float.isFinite(s)) {
                throw nonFinite(x, name);
            }
        }
        return scales;
    }

    private static float scale(float[] x, int g, int groupLength, float range) {
        int from = g * groupLength;
        int to = (int) Math.min(x.length, (long) from + groupLength);
        int maxBits =
                tasks(chunkCount(to - from), to - from)
                        .map(
                                c ->
                                        absMaxBits(
                                                x,
                                                from + c * CHUNK,
                                                Math.min(to, from + (c + 1) * CHUNK)))
                        .max()
                        .getAsInt();
        // Bits of non-negative floats order like the floats; NaN and infinity sort above all.
        return maxBits >= 0x7F800000 ? Float.NaN : Float.intBitsToFloat(maxBits) / range;
    }

    private static int absMaxBits(float[] x, int from, int to) {
        int max = 0;
        for (int i = from; i < to; i++) {
            max = Math.max(max, Float.floatToRawIntBits(x[i]) & 0x7FFFFFFF);
        }
        return max;
    }

    /** Returns the error for the first value of {@code x} that is NaN or infinite. */
    static IllegalArgumentException nonFinite(float[] x, String name) {
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                return new IllegalArgumentException(
                        name + ": value " + x[i] + " at flat index " + i + " is not finite");
            }
        }
        throw new IllegalStateException(name + " has no non-finite value");
    }

    /** Encodes {@code x} group by group into packed codes. */
    static byte[] encode(float[] x, float[] scales, int groupLength, ScalarFormat format) {
        int bits = format.codeBits();
        byte[] packed = new byte[checkedBytes(x.length, bits)];
        int zeroCode = format.code(0f);
        forEachChunk(
                x.length,
                (from, to) -> {
                    int[] codes = new int[to - from];
                    forEachSegment(
                            from,
                            to,
                            groupLength,
                            (i, end, g) -> {
                                if (scales[g] == 0f) {
                                    Arrays.fill(codes, i - from, end - from, zeroCode);
                                } else {
                                    format.codes(x, i, end, scales[g], codes, i - from);
                                }
                            });
                    BitPacker.pack(codes, 0, codes.length, bits, packed, byteOffset(from, bits));
                });
        return packed;
    }

    /** Decodes packed codes to {@code value(code) * scale}, in group order. */
    static float[] decode(
            byte[] packed, int n, float[] scales, int groupLength, ScalarFormat format) {
        int bits = format.codeBits();
        float[] table = format.valueTable();
        float[] out = new float[n];
        forEachChunk(
                n,
                (from, to) -> {
                    int[] codes = new int[to - from];
                    BitPacker.unpack(packed, byteOffset(from, bits), bits, codes, 0, codes.length);
                    forEachSegment(
                            from,
                            to,
                            groupLength,
                            (i, end, g) -> {
                                float s = scales[g];
                                for (int j = i; j < end; j++) {
                                    out[j] = table[codes[j - from]] * s;
                                }
                            });
                });
        return out;
    }

    /** Packs positions at {@code bits} bits each. */
    static byte[] packIndices(int[] indices, int bits) {
        byte[] packed = new byte[checkedBytes(indices.length, bits)];
        forEachChunk(
                indices.length,
                (from, to) ->
                        BitPacker.pack(
                                indices, from, to - from, bits, packed, byteOffset(from, bits)));
        return packed;
    }

    /** Unpacks {@code n} positions of {@code bits} bits each. */
    static int[] unpackIndices(byte[] packed, int n, int bits) {
        int[] out = new int[n];
        forEachChunk(
                n,
                (from, to) ->
                        BitPacker.unpack(
                                packed, byteOffset(from, bits), bits, out, from, to - from));
        return out;
    }

    /** Counts how often each code occurs. */
    static long[] histogram(byte[] packed, int n, int bits) {
        long[] counts = new long[1 << bits];
        forEachChunk(
                n,
                (from, to) -> {
                    int[] codes = new int[to - from];
                    BitPacker.unpack(packed, byteOffset(from, bits), bits, codes, 0, codes.length);
                    long[] local = new long[counts.length];
                    for (int c : codes) {
                        local[c]++;
                    }
                    synchronized (counts) {
                        for (int c = 0; c < counts.length; c++) {
                            counts[c] += local[c];
                        }
                    }
                });
        return counts;
    }

    static int groupCount(long n, int groupLength) {
        return (int) ((n + groupLength - 1) / groupLength);
    }

    static int checkedBytes(long n, int bits) {
        long bytes = BitPacker.packedBytes(n, bits);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    n + " values at " + bits + " bits exceed the largest byte array");
        }
        return (int) bytes;
    }

    private static void forEachChunk(int n, Range work) {
        tasks(chunkCount(n), n)
                .forEach(c -> work.run(c * CHUNK, (int) Math.min(n, (long) (c + 1) * CHUNK)));
    }

    private static void forEachSegment(int from, int to, int groupLength, Segment work) {
        for (int i = from; i < to; ) {
            int g = i / groupLength;
            int end = (int) Math.min(to, (long) (g + 1) * groupLength);
            work.run(i, end, g);
            i = end;
        }
    }

    private static int chunkCount(int n) {
        return (n + CHUNK - 1) / CHUNK;
    }

    private static int byteOffset(int valueIndex, int bits) {
        return (int) ((long) valueIndex * bits / 8);
    }

    /** A stream over task indices, parallel only when the work is worth it. */
    private static IntStream tasks(int count, long values) {
        IntStream s = IntStream.range(0, count);
        return values < SEQUENTIAL_BELOW ? s : s.parallel();
    }
}
