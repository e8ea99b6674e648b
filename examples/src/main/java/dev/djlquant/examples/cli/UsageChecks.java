package dev.djlquant.examples.cli;

import dev.djlquant.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Usage checks that every command shares, run on the parsed command line before the command: a path
 * given as an empty string (an unset shell variable; Java reads it as the working directory) and an
 * empty item in a comma-separated list (picocli drops trailing ones, so {@code --spec ','} would
 * silently mean no scheme at all).
 */
final class UsageChecks {

    private UsageChecks() {}

    /** Runs the checks, then the command as picocli's default strategy does. */
    static int execute(ParseResult parsed) {
        ParseResult command = parsed;
        while (command.hasSubcommand()) {
            command = command.subcommand();
        }
        for (ArgSpec arg : command.matchedArgs()) {
            check(command.commandSpec().commandLine(), arg);
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    private static void check(CommandLine cli, ArgSpec arg) {
        for (String value : arg.originalStringValues()) {
            if (Arrays.asList(arg.auxiliaryTypes()).contains(Path.class) && value.isBlank()) {
                throw new ParameterException(
                        cli, name(arg) + " is empty (an unset variable?): give a path");
            }
            if (!arg.splitRegex().isEmpty()) {
                for (String item : value.split(arg.splitRegex(), -1)) {
                    if (item.isBlank()) {
                        throw new ParameterException(
                                cli,
                                "Empty item in "
                                        + name(arg)
                                        + " '"
                                        + value
                                        + "': give one or more values separated by commas");
                    }
                }
            }
        }
    }

    /**
     * Refuses an {@code --out} that cannot be written, before the command's work: {@code out} is
     * created under {@code under} (itself, or the folder of a file), which must be {@link
     * #canCreateUnder creatable}.
     */
    static void requireWritableUnder(CommandLine cli, Path out, Path under) {
        if (!canCreateUnder(under)) {
            throw new ParameterException(
                    cli,
                    "--out "
                            + out
                            + " cannot be written: "
                            + AtomicFiles.nearestExisting(under.toAbsolutePath().normalize())
                            + " is not a writable folder");
        }
    }

    /**
     * Whether this process can create {@code path}, or entries in it: its nearest existing ancestor
     * (or itself) is a directory that an entry can be created in.
     */
    private static boolean canCreateUnder(Path path) {
        Path existing = AtomicFiles.nearestExisting(path.toAbsolutePath().normalize());
        if (existing == null || !Files.isDirectory(existing)) {
            return false;
        }
        try {
            AtomicFiles.probeCreate(existing);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String name(ArgSpec arg) {
        if (arg instanceof OptionSpec option) {
            return option.longestName();
        }
        return ((PositionalParamSpec) arg).paramLabel();
    }
}
