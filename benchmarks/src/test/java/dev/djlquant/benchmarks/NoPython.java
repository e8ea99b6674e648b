package dev.djlquant.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;

/** Runs a comparison with {@code -Ddjlq.python} pointing nowhere, for the tests of both. */
final class NoPython {

    /** The interpreter path that does not exist. */
    static final String PATH = "/nonexistent/python3";

    /** The rows and the log of one run. */
    record Outcome(List<RatioRow> rows, String log) {}

    private NoPython() {}

    /**
     * Runs {@code comparison(reps, log)} with the property set to {@link #PATH}, then restores it.
     */
    static Outcome run(BiFunction<Integer, PrintStream, List<RatioRow>> comparison) {
        String previous = System.getProperty("djlq.python");
        System.setProperty("djlq.python", PATH);
        try {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            List<RatioRow> rows =
                    comparison.apply(1, new PrintStream(log, true, StandardCharsets.UTF_8));
            return new Outcome(rows, log.toString(StandardCharsets.UTF_8));
        } finally {
            if (previous == null) {
                System.clearProperty("djlq.python");
            } else {
                System.setProperty("djlq.python", previous);
            }
        }
    }
}
