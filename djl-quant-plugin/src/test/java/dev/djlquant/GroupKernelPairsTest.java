package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.djlquant.format.ScalarFormat.Scaling;
import dev.djlquant.pack.BitPacker;
import dev.djlquant.pack.CodeKernel;
import dev.djlquant.pack.PackedValues;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The paired 4-bit decoder on ranges that do not start on a chunk of the packed stream. */
class GroupKernelPairsTest {

    /**
     * A range whose first value is not a multiple of {@link GroupTasks#CHUNK} makes chunks that
     * straddle a segment of the packed codes: what restoring a 4096 x 9216 {@code dt4@row} weight
     * by row blocks of 455 rows does without the SIMD kernel (scalar loops or 256-bit vectors).
     */
    @Test
    void decodesRangesAcrossPackedSegments() {
        int segment = PackedValues.SEGMENT_VALUES;
        int n = segment + 5 * GroupTasks.CHUNK + 3;
        int groupLength = 9216;
        SplittableRandom random = new SplittableRandom(5);
        int[] codes = new int[n];
        for (int i = 0; i < n; i++) {
            codes[i] = random.nextInt(16);
        }
        PackedValues packed = PackedValues.allocate(n, 4);
        for (int from = 0; from < n; from += segment) {
            int count = Math.min(segment, n - from);
            BitPacker.pack(codes, from, count, 4, packed.segmentOf(from), 0);
        }
        float[] table = new float[16];
        for (int c = 0; c < 16; c++) {
            table[c] = c - 7.5f;
        }
        float[] scales = new float[GroupTasks.groupCount(n, groupLength)];
        for (int g = 0; g < scales.length; g++) {
            scales[g] = 0.25f + g;
        }
        // The scalar kernel, whatever this JVM has: 4-bit codes in long groups take the pairs.
        GroupKernel.Grouped grouped =
                new GroupKernel.Grouped(
                        packed, scales, groupLength, table, Scaling.ABSMAX, CodeKernel.SCALAR);
        int first = segment - GroupTasks.CHUNK / 4;
        int count = n - first;
        float[] out = new float[count];
        GroupKernel.decode(grouped, first, count, FloatBuffer.wrap(out));
        float[] expected = new float[count];
        for (int i = 0; i < count; i++) {
            int at = first + i;
            expected[i] = table[codes[at]] * scales[at / groupLength];
        }
        assertThat(out).isEqualTo(expected);
    }
}
