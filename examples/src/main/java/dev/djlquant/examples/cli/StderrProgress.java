package dev.djlquant.examples.cli;

import ai.djl.util.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on the error stream ({@code Evaluating [=====> ] 45% 4500/10000}),
 * redrawn at most once per percent so that logs stay short; silent when quiet.
 */
final class StderrProgress implements Progress {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean quiet;
    private String message = "";
    private long max;
    private long current;
    private int shownPercent = -1;

    StderrProgress(PrintWriter err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
    }

    @Override
    public void reset(String message, long max, String trailingMessage) {
        this.message = message;
        this.max = max;
        this.current = 0;
        this.shownPercent = -1;
        draw();
    }

    @Override
    public void start(long initialProgress) {
        update(initialProgress);
    }

    @Override
    public void end() {
        if (!quiet && shownPercent >= 0) {
            if (shownPercent < 100) {
                current = max;
                draw();
            }
            err.println();
            err.flush();
        }
        shownPercent = -2;
    }

    @Override
    public void increment(long increment) {
        update(current + increment);
    }

    @Override
    public void update(long progress, String message) {
        current = progress;
        if (message != null) {
            this.message = message;
        }
        draw();
    }

    private void draw() {
        if (quiet || max <= 0 || shownPercent == -2) {
            return;
        }
        int percent = (int) Math.min(100, 100 * current / max);
        if (percent == shownPercent) {
            return;
        }
        shownPercent = percent;
        int filled = percent * WIDTH / 100;
        String bar =
                "=".repeat(filled)
                        + (filled < WIDTH ? ">" : "")
                        + " ".repeat(Math.max(0, WIDTH - filled - 1));
        err.print(
                String.format(
                        Locale.ROOT,
                        "\r%s [%s] %3d%% %d/%d",
                        message,
                        bar,
                        percent,
                        Math.min(current, max),
                        max));
        err.flush();
    }

    /** Prints a status line unless quiet. */
    void status(String line) {
        if (!quiet) {
            err.println(line);
            err.flush();
        }
    }
}
