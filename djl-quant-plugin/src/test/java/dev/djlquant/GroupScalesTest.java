package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.djlquant.format.ScalarFormat.Scaling;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every group's scale against a plain loop over its values: groups longer than a task (each
 * measured by parallel pieces), short groups (whole groups per task), the span scaling, and a last
 * group cut short; from heap arrays and from direct buffers, as an engine's memory is read.
 */
class GroupScalesTest {

    private static final float RANGE = 127f;

    @ParameterizedTest
    @ValueSource(ints = {GroupTasks.TASK + 3, GroupTasks.TASK / 2 + 1, 4608, 7})
    void absMaxScalesAreEachGroupsLargestMagnitudeOverTheRange(int groupLength) {
        float[] x = values(groupLength * 3 - groupLength / 2, groupLength);
        for (FloatBuffer buffer : buffersOf(x)) {
            float[] scales = GroupScales.of(buffer, groupLength, RANGE, Scaling.ABSMAX, "w");
            assertThat(scales).hasSize(3);
            for (int g = 0; g < 3; g++) {
                float max = 0f;
                for (int i = g * groupLength; i < Math.min(x.length, (g + 1) * groupLength); i++) {
                    max = Math.max(max, Math.abs(x[i]));
                }
                assertThat(scales[g]).as("group %d", g).isEqualTo(max / RANGE);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {GroupTasks.TASK + 3, 4608, 7})
    void spanScalesAreTheRangeOverEachGroupsSpan(int groupLength) {
        float[] x = values(groupLength * 3 - groupLength / 2, groupLength);
        for (FloatBuffer buffer : buffersOf(x)) {
            float[] scales = GroupScales.of(buffer, groupLength, RANGE, Scaling.SPAN, "w");
            assertThat(scales).hasSize(3);
            for (int g = 0; g < 3; g++) {
                float max = Float.NEGATIVE_INFINITY;
                float min = Float.POSITIVE_INFINITY;
                for (int i = g * groupLength; i < Math.min(x.length, (g + 1) * groupLength); i++) {
                    max = Math.max(max, x[i]);
                    min = Math.min(min, x[i]);
                }
                assertThat(scales[g]).as("group %d", g).isEqualTo(RANGE / (max - min));
            }
        }
    }

    /**
     * Gaussian values whose groups differ by a factor of 4 in magnitude, the largest of each at a
     * random place, so that a scale taken from a neighbouring group's values is wrong.
     */
    private static float[] values(int n, int groupLength) {
        SplittableRandom random = new SplittableRandom(n);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * Math.pow(4, i / groupLength));
        }
        return x;
    }

    private static FloatBuffer[] buffersOf(float[] x) {
        FloatBuffer direct =
                ByteBuffer.allocateDirect(x.length * Float.BYTES)
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
        direct.put(x).rewind();
        return new FloatBuffer[] {FloatBuffer.wrap(x), direct};
    }
}
