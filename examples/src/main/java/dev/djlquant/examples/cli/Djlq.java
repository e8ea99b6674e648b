package dev.djlquant.examples.cli;

import dev.djlquant.files.FileErrors;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code djlq} command line. Exit codes: 0 success, 1 the job failed (bad input, corrupt file),
 * 2 the command line was wrong.
 */
@Command(
        name = "djlq",
        mixinStandardHelpOptions = true,
        version = "djlq 0.1.0",
        description = "Weight quantization for DJL models.",
        footer = {
            "",
            "DJL's own log messages are shown from errors up (and its epoch summaries while",
            "training); for more, run with",
            "JAVA_TOOL_OPTIONS=-Dorg.slf4j.simpleLogger.defaultLogLevel=info.",
            "",
            "Exit codes: 0 success, 1 the job failed, 2 the command line was wrong."
        },
        subcommands = {
            QuantizeCommand.class,
            InspectCommand.class,
            EvalCommand.class,
            DemoCommand.class,
            StudyCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Djlq {

    private Djlq() {}

    /**
     * The log level of DJL's own messages unless the user sets one: below errors they are start-up
     * notes (thread counts, no CUDA driver) that bury the command's progress on stderr.
     */
    static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    /** The log level of DJL's training listeners, whose epoch summaries are progress. */
    static final String TRAINING_LOG_PROPERTY =
            "org.slf4j.simpleLogger.log.ai.djl.training.listener";

    /** The environment variable that makes a failed command print its stack trace. */
    static final String DEBUG_ENV = "DJLQ_DEBUG";

    /** The system property that makes a failed command print its stack trace. */
    static final String DEBUG_PROPERTY = "djlq.debug";

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        quietDjlLogs();
        System.exit(run(args));
    }

    /**
     * Shows DJL's log messages from errors up, and its training listeners' epoch summaries, unless
     * the user chose a level.
     */
    static void quietDjlLogs() {
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, "error");
            if (System.getProperty(TRAINING_LOG_PROPERTY) == null) {
                System.setProperty(TRAINING_LOG_PROPERTY, "info");
            }
        }
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /**
     * Runs the command line with the given output and error writers (null: the standard streams)
     * and returns its exit code.
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        // One help width for every subcommand (setUsageHelpWidth reaches the registered ones).
        CommandLine cli = new CommandLine(new Djlq()).setUsageHelpWidth(100);
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        // Usage errors: the problem and where to read more, not the whole help text.
        cli.setParameterExceptionHandler(
                (ex, arguments) -> {
                    CommandLine c = ex.getCommandLine();
                    PrintWriter w = c.getErr();
                    w.println("djlq: " + ex.getMessage());
                    CommandLine.UnmatchedArgumentException.printSuggestions(ex, w);
                    w.println(
                            "Try '"
                                    + c.getCommandSpec().qualifiedName()
                                    + " --help' for more information.");
                    w.flush();
                    return c.getCommandSpec().exitCodeOnInvalidInput();
                });
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    commandLine.getErr().println("djlq: " + describe(e));
                    if (debug()) {
                        e.printStackTrace(commandLine.getErr());
                    }
                    commandLine.getErr().flush();
                    return 1;
                });
        cli.setExecutionStrategy(UsageChecks::execute);
        return cli.execute(args);
    }

    /**
     * Whether a failed command also prints its stack trace, for a report of an unexpected error:
     * {@code DJLQ_DEBUG=1} in the environment or {@code -Ddjlq.debug=true}.
     */
    static boolean debug() {
        String env = System.getenv(DEBUG_ENV);
        return Boolean.getBoolean(DEBUG_PROPERTY)
                || "1".equals(env)
                || "true".equalsIgnoreCase(env);
    }

    /**
     * Says what went wrong in one line. Most exceptions have a message that does; the JDK's file
     * system exceptions for the common errors have only the path as their message (their class is
     * the reason), and an exception that wraps one without a message of its own repeats that.
     */
    static String describe(Throwable e) {
        if (e instanceof FileSystemException fs) {
            return FileErrors.describe(fs);
        }
        if (e.getCause() instanceof FileSystemException fs
                && (e.getMessage() == null || e.getMessage().equals(fs.toString()))) {
            return FileErrors.describe(fs);
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
