package dev.djlquant.examples.cli;

import dev.djlquant.data.ImageNormalization;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --normalize} values, so a bad one is a usage error (exit code 2). */
final class NormalizationConverter implements ITypeConverter<ImageNormalization> {

    /** The option's description, shared by the commands that take it. */
    static final String VALUES =
            "cifar (DJL's Cifar10 mean/std: the shared AlexNet and VGG16), imagenet (the shared"
                    + " ResNet20), or m,m,m/s,s,s (RGB means, a slash, RGB standard deviations,"
                    + " for pixels scaled to [0, 1])";

    @Override
    public ImageNormalization convert(String value) {
        try {
            return ImageNormalization.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
