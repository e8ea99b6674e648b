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
        List<String> names = List.of("a", "b", "c", "d", "e");
        List<Callable<Timing.Run>> ops = new ArrayList<>();
        for (String name : names) {
            ops.add(recording(name, events, 0));
        }
        List<Timing> timings = Timing.interleaved(1, 3, ops);
        assertThat(timings).hasSize(5);
        assertThat(timings.get(0).repetitions()).isEqualTo(3);
        assertThat(timings.get(0).bestMs()).isLessThanOrEqualTo(timings.get(0).medianMs());
        // 1 warm-up round + 3 timed rounds: each operation prepared, run and closed in a row,
        // every operation once a round, not all rounds in the same order.
        assertThat(events).hasSize(4 * 5 * 3);
        List<List<String>> orders = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            List<String> order = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                int at = (round * 5 + k) * 3;
                String name = events.get(at).substring("prepare ".length());
                assertThat(events.subList(at, at + 3))
                        .containsExactly("prepare " + name, "run " + name, "close " + name);
                order.add(name);
            }
            assertThat(order).containsExactlyInAnyOrderElementsOf(names);
            orders.add(order);
        }
        assertThat(orders.stream().distinct().count()).isGreaterThan(1);
    }

    @Test
    void eachTimingBelongsToItsOperationWhateverTheOrder() throws Exception {
        List<String> events = new ArrayList<>();
        List<Timing> timings =
                Timing.interleaved(
                        0,
                        3,
                        List.of(
                                recording("quick", events, 0),
                                recording("slow", events, 30),
                                recording("quick too", events, 0)));
        assertThat(timings.get(1).bestMs()).isGreaterThanOrEqualTo(30);
        assertThat(timings.get(0).medianMs()).isLessThan(30);
        assertThat(timings.get(2).medianMs()).isLessThan(30);
    }

    @Test
    void refusesZeroRepetitions() {
        assertThatThrownBy(() -> Timing.interleaved(0, 0, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** An operation that logs its steps to {@code events} and sleeps {@code ms} when run. */
    private static Callable<Timing.Run> recording(String name, List<String> events, long ms) {
        return () -> {
            events.add("prepare " + name);
            return new Timing.Run() {
                @Override
                public void run() throws InterruptedException {
                    events.add("run " + name);
                    Thread.sleep(ms);
                }

                @Override
                public void close() {
                    events.add("close " + name);
                }
            };
        };
    }
}
