package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the read-only shared models and data that tests use, and the build's cache folder. */
public final class SharedFiles {

    private SharedFiles() {}

    /**
     * Resolves a file under the shared directory (system property {@code djlq.shared}).
     *
     * @param relative path inside the shared directory
     * @return the existing file; the calling test fails if it is absent
     */
    public static Path require(String relative) {
        Path path = Path.of(System.getProperty("djlq.shared", "../shared")).resolve(relative);
        assertThat(Files.exists(path)).as("shared file %s exists", path).isTrue();
        return path;
    }

    /**
     * Returns the folder where tests keep extracted archives across runs ({@code target/}).
     *
     * @return the cache folder
     */
    public static Path cacheDir() {
        return Path.of("target", "cifar10-cache").toAbsolutePath();
    }
}
