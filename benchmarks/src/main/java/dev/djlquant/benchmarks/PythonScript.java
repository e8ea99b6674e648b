package dev.djlquant.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Python script that ships with these classes: the script goes to the interpreter's stdin,
 * its stdout comes back. The interpreter is {@code -Ddjlq.python}, else {@code /usr/bin/python3}.
 */
final class PythonScript {

    private PythonScript() {}

    /** The interpreter the comparisons run. */
    static String interpreter() {
        return System.getProperty("djlq.python", "/usr/bin/python3");
    }

    /** An exit status other than zero, with the interpreter it came from. */
    static final class ExitException extends IOException {
        final int status;

        ExitException(String python, int status) {
            super(python + " exited with " + status);
            this.status = status;
        }
    }

    /**
     * Runs resource {@code script} (next to this class) with {@code python} and {@code args};
     * returns its stdout. Stderr is discarded; more than 10 minutes or a non-zero exit status is an
     * IOException.
     */
    static String run(String python, String script, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python, "-"));
        command.addAll(args);
        ChildProcesses.stopOnExit();
        Process p =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (InputStream source = PythonScript.class.getResourceAsStream(script);
                OutputStream stdin = p.getOutputStream()) {
            source.transferTo(stdin);
        } catch (IOException e) {
            // An interpreter that exits at once closes the pipe: its status says more.
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() != 0) {
                throw new ExitException(python, p.exitValue());
            }
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(python + " did not finish in 10 minutes");
        }
        if (p.exitValue() != 0) {
            throw new ExitException(python, p.exitValue());
        }
        return out;
    }
}
