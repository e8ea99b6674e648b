package dev.djlquant.examples.cli;

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
        subcommands = {DemoCommand.class, StudyCommand.class, CommandLine.HelpCommand.class})
public final class Djlq {

    private Djlq() {}

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Djlq());
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    commandLine.getErr().println("djlq: " + e.getMessage());
                    return 1;
                });
        return cli.execute(args);
    }
}
