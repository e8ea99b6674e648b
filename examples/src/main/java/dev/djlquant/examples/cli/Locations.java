package dev.djlquant.examples.cli;

import java.nio.file.Path;

/**
 * Default places of the shared models and data, and of extracted CIFAR-10 archives. The {@code
 * djlq} script sets them to absolute paths beside and inside the repository (system properties
 * {@code djlq.shared} and {@code djlq.cache}), so that the command line works from any directory;
 * without them they are relative to the repository root, where Maven runs.
 */
final class Locations {

    private Locations() {}

    /** The shared models, data and fixtures. */
    static Path shared() {
        return Path.of(System.getProperty("djlq.shared", "../shared"));
    }

    /** Where the study extracts the CIFAR-10 archives once. */
    static Path cifarCache() {
        return Path.of(System.getProperty("djlq.cache", "target/cifar10-cache"));
    }
}
