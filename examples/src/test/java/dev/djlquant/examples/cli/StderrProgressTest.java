package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The eval progress: a redrawn bar on a terminal, whole lines in a log. */
class StderrProgressTest {

    @Test
    void aLogGetsALineEveryTenPercentAndNoCarriageReturn() {
        StringWriter text = new StringWriter();
        StderrProgress progress = new StderrProgress(new PrintWriter(text), false, false);

        run(progress, 1000);

        String log = text.toString();
        assertThat(log).doesNotContain("\r");
        assertThat(log.lines().toList())
                .hasSize(11)
                .startsWith("Evaluating   0% 0/1000", "Evaluating  10% 100/1000")
                .endsWith("Evaluating 100% 1000/1000");
    }

    @Test
    void aTerminalGetsOneBarRedrawnOncePerPercent() {
        StringWriter text = new StringWriter();
        StderrProgress progress = new StderrProgress(new PrintWriter(text), false, true);

        run(progress, 1000);

        String shown = text.toString();
        assertThat(shown.chars().filter(c -> c == '\n').count()).isEqualTo(1);
        assertThat(shown.chars().filter(c -> c == '\r').count()).isEqualTo(101);
        assertThat(shown).endsWith("Evaluating [==============================] 100% 1000/1000\n");
    }

    @Test
    void anEndBeforeTheLastStepStillShowsOneHundredPercent() {
        StringWriter text = new StringWriter();
        StderrProgress progress = new StderrProgress(new PrintWriter(text), false, false);
        progress.reset("Evaluating", 7, null);
        progress.increment(3);
        progress.end();

        assertThat(text.toString().lines().toList())
                .containsExactly(
                        "Evaluating   0% 0/7", "Evaluating  42% 3/7", "Evaluating 100% 7/7");
    }

    @Test
    void quietShowsNothing() {
        StringWriter text = new StringWriter();
        run(new StderrProgress(new PrintWriter(text), true, false), 100);

        assertThat(text.toString()).isEmpty();
    }

    private static void run(StderrProgress progress, int items) {
        progress.reset("Evaluating", items, null);
        for (int i = 0; i < items; i++) {
            progress.increment(1);
        }
        progress.end();
    }
}
