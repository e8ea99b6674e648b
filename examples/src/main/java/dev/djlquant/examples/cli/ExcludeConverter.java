package dev.djlquant.examples.cli;

import dev.djlquant.QuantConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks {@code --exclude} values as {@link QuantConfig.Builder#exclude} will, so a bad regex is a
 * usage error (exit code 2) reported before any model is loaded.
 */
final class ExcludeConverter implements ITypeConverter<String> {

    @Override
    public String convert(String value) {
        try {
            QuantConfig.builder().exclude(value);
            return value;
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
