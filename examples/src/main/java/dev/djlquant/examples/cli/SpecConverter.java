package dev.djlquant.examples.cli;

import dev.djlquant.Quantizer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --spec} values, so a bad spec is a usage error (exit code 2). */
final class SpecConverter implements ITypeConverter<Quantizer> {

    @Override
    public Quantizer convert(String value) {
        if (value.contains(",")) {
            // Lists are split before they get here: this option takes one scheme.
            throw new TypeConversionException(
                    "One scheme here, not a list: '" + value + "' (eval --spec takes several)");
        }
        try {
            return Quantizer.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
