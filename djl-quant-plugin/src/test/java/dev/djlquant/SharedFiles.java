package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.djlquant.data.CifarData;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the read-only shared models and data that tests use, and the build's cache folder. */
public final class SharedFiles {

    private static CifarData cifar;

    private SharedFiles() {}

    /**
     * Returns one CIFAR-10 source over the shared archives for all tests in this JVM, so each split
     * is extracted (into {@link #cacheDir()}) and decoded once.
     *
     * @return the shared data source
     */
    public static synchronized CifarData cifar() {
        if (cifar == null) {
            cifar = CifarData.fromArchives(require("data/cifar10"), cacheDir());
        }
        return cifar;
    }

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
