package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.util.Progress;
import dev.djlquant.QuantConfig.Mode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link QuantConfig.Builder#optProgress}: what apply reports, in order, on {@link #tinyConvNet},
 * whose weights hold 4 x 2 x 3 x 3 = 72 values (the convolution) and 5 x 36 = 180 (the linear
 * layer, on the 4 x 3 x 3 map a 3 x 3 kernel leaves of a 5 x 5 input).
 */
class ApplyProgressTest extends ManagerPerTest {

    private static final int CONV = 72;
    private static final int LINEAR = 180;

    /** Each call as a line, e.g. {@code increment 72}. */
    private static final class Recorded implements Progress {
        final List<String> calls = new ArrayList<>();

        @Override
        public void reset(String message, long max, String trailingMessage) {
            calls.add("reset " + message + " " + max);
        }

        @Override
        public void start(long initialProgress) {
            calls.add("start " + initialProgress);
        }

        @Override
        public void end() {
            calls.add("end");
        }

        @Override
        public void increment(long increment) {
            calls.add("increment " + increment);
        }

        @Override
        public void update(long progress, String message) {
            calls.add("update " + progress);
        }
    }

    private static QuantConfig config(Mode mode, boolean statistics, Progress progress) {
        return QuantConfig.builder()
                .setScheme("dt4@row")
                .optMode(mode)
                .optStatistics(statistics)
                .optProgress(progress)
                .build();
    }

    @Test
    void everyModeCountsEachWeightWhenQuantizedAndWhenHandedOnThenEnds() {
        for (Mode mode : Mode.values()) {
            for (boolean statistics : new boolean[] {true, false}) {
                Recorded progress = new Recorded();
                Quantizers.apply(tinyConvNet(1), config(mode, statistics, progress));
                assertThat(progress.calls)
                        .as(mode + ", statistics " + statistics)
                        .containsExactly(
                                "reset Quantizing 2 weights " + 2 * (CONV + LINEAR),
                                "increment " + CONV,
                                "increment " + LINEAR,
                                "increment " + CONV,
                                "increment " + LINEAR,
                                "end");
            }
        }
    }

    @Test
    void packingForACheckpointReportsTheSameWay() {
        Recorded progress = new Recorded();
        List<String> packed = new ArrayList<>();
        Quantizers.pack(
                tinyConvNet(2),
                config(Mode.SIMULATE, true, progress).toBuilder().addExclude("Conv2d").build(),
                (name, tensor) -> packed.add(name));
        assertThat(packed).containsExactly("04Linear_weight");
        assertThat(progress.calls)
                .containsExactly(
                        "reset Quantizing 1 weight " + 2 * LINEAR,
                        "increment " + LINEAR,
                        "increment " + LINEAR,
                        "end");
    }

    /** A NaN in the last weight: the progress stops after the weights quantized before it. */
    @Test
    void aFailedApplyStopsWhereItFailedWithoutEnding() {
        for (Mode mode : Mode.values()) {
            Block net = tinyConvNet(3);
            net.getParameters()
                    .get("04Linear_weight")
                    .getArray()
                    .set(new NDIndex("2, 7"), Float.NaN);
            Recorded progress = new Recorded();
            assertThatThrownBy(() -> Quantizers.apply(net, config(mode, true, progress)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("04Linear_weight");
            assertThat(progress.calls)
                    .as(mode.toString())
                    .containsExactly(
                            "reset Quantizing 2 weights " + 2 * (CONV + LINEAR),
                            "increment " + CONV);
        }
    }

    @Test
    void noProgressByDefaultAndToBuilderKeepsIt() {
        assertThat(QuantConfig.of("dt4").progress()).isEmpty();
        Recorded progress = new Recorded();
        QuantConfig config = config(Mode.COMPRESSED, true, progress);
        assertThat(config.progress()).containsSame(progress);
        assertThat(config.toBuilder().build().progress()).containsSame(progress);
        assertThat(config.toBuilder().optProgress(null).build().progress()).isEmpty();
    }
}
