package dev.djlquant.examples.cli;

import ai.djl.util.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on the error stream: on a terminal a one-line bar ({@code Evaluating [=====> ] 45%
 * 4500/10000}) redrawn at most once per percent; otherwise (a log file, a pipe) a line every ten
 * percent, since redrawing with carriage returns would pile a hundred bars onto one line there.
 * Silent when quiet.
 */
final class StderrProgress implements Progress {

    private static final int WIDTH = 30;

    /** Percent between two lines when the stream is not a terminal. */
    private static final int LINE_STEP = 10;

    private final PrintWriter err;
    private final boolean quiet;
    private final boolean terminal;
    private String message = "";
    private long max;
    private long current;
    private int shownPercent = -1;

    /** Reports to {@code err}, drawing a bar when this process has a console. */
    StderrProgress(PrintWriter err, boolean quiet) {
        this(err, quiet, System.console() != null);
    }

    /**
     * Reports to {@code err}, drawing a bar when {@code terminal} (the process has a console) and
     * printing lines otherwise.
     */
    StderrProgress(PrintWriter err, boolean quiet, boolean terminal) {
        this.err = err;
        this.quiet = quiet;
        this.terminal = terminal;
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
            if (terminal) {
                err.println();
            }
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
        if (terminal
                ? percent == shownPercent
                : Math.floorDiv(percent, LINE_STEP) == Math.floorDiv(shownPercent, LINE_STEP)) {
            return;
        }
        shownPercent = percent;
        long done = Math.min(current, max);
        if (!terminal) {
            err.println(String.format(Locale.ROOT, "%s %3d%% %d/%d", message, percent, done, max));
            err.flush();
            return;
        }
        int filled = percent * WIDTH / 100;
        String bar =
                "=".repeat(filled)
                        + (filled < WIDTH ? ">" : "")
                        + " ".repeat(Math.max(0, WIDTH - filled - 1));
        err.print(
                String.format(
                        Locale.ROOT, "\r%s [%s] %3d%% %d/%d", message, bar, percent, done, max));
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
