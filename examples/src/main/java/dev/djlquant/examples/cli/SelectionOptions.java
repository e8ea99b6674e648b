package dev.djlquant.examples.cli;

import dev.djlquant.QuantConfig;
import dev.djlquant.Quantizer;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Which weights a command quantizes, and with which scheme each: {@link QuantConfig}'s selection as
 * options shared by {@code quantize} and {@code eval}.
 */
final class SelectionOptions {

    @Option(
            names = "--include",
            paramLabel = "<regex>",
            description =
                    "Quantize the parameters whose name matches one of these regexes, biases and"
                            + " norm parameters too, instead of the default selection (every"
                            + " weight of 2 or more dimensions).")
    List<String> includes = new ArrayList<>();

    @Option(
            names = "--exclude",
            paramLabel = "<regex>",
            description = "Leave parameters whose name matches this regex unquantized.")
    List<String> excludes = new ArrayList<>();

    @Option(
            names = "--override",
            paramLabel = "<regex>=<spec>",
            description =
                    "Quantize the selected weights whose name matches <regex> with <spec> instead"
                            + " of --spec, e.g. Conv2d=int8@row; the first matching override wins.")
    List<String> overrides = new ArrayList<>();

    /** Whether any option was given. */
    boolean isSet() {
        return !includes.isEmpty() || !excludes.isEmpty() || !overrides.isEmpty();
    }

    /**
     * The config for {@code scheme} and these options; a bad regex or override spec is a usage
     * error of {@code command}, reported before any model loads.
     */
    QuantConfig.Builder config(Quantizer scheme, CommandSpec command) {
        QuantConfig.Builder config = QuantConfig.builder().setScheme(scheme);
        try {
            includes.forEach(config::addInclude);
            excludes.forEach(config::addExclude);
            for (String override : overrides) {
                // Split at the last '=': a spec never holds one, a regex may.
                int eq = override.lastIndexOf('=');
                if (eq <= 0 || eq == override.length() - 1) {
                    throw new IllegalArgumentException(
                            "--override takes <regex>=<spec>, e.g. Conv2d=int8@row; got '"
                                    + override
                                    + "'");
                }
                try {
                    config.addOverride(override.substring(0, eq), override.substring(eq + 1));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "--override '" + override + "': " + e.getMessage(), e);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
        return config;
    }
}
