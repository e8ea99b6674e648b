package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class TimingTest {

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Timing.median(new double[] {5, 1, 3})).isEqualTo(3.0);
        assertThat(Timing.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(Timing.median(new double[] {7})).isEqualTo(7.0);
    }

    @Test
    void interleavedRunsEveryOperationOncePerRoundAndClosesEach() throws Exception {
        List<String> events = new ArrayList<>();
        List<Callable<Timing.Run>> ops = List.of(recording("a", events), recording("b", events));
        List<Timing> timings = Timing.interleaved(1, 2, ops);
        assertThat(timings).hasSize(2);
        assertThat(timings.get(0).repetitions()).isEqualTo(2);
        assertThat(timings.get(0).bestMs()).isLessThanOrEqualTo(timings.get(0).medianMs());
        // 1 warm-up round + 2 timed rounds, a before b in each, prepared/run/closed in order.
        List<String> round =
                List.of("prepare a", "run a", "close a", "prepare b", "run b", "close b");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.addAll(round);
        }
        assertThat(events).isEqualTo(expected);
    }

    @Test
    void refusesZeroRepetitions() {
        assertThatThrownBy(() -> Timing.interleaved(0, 0, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Callable<Timing.Run> recording(String name, List<String> events) {
        return () -> {
            events.add("prepare " + name);
            return new Timing.Run() {
                @Override
                public void run() {
                    events.add("run " + name);
                }

                @Override
                public void close() {
                    events.add("close " + name);
                }
            };
        };
    }
}
