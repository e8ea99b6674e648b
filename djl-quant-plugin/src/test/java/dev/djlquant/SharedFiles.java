package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.djlquant.data.CifarData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the read-only shared models, data and fixtures that tests use (system property {@code
 * djlq.shared}, set by the build), and the build's cache folder.
 */
public final class SharedFiles {

    private static CifarData cifar;

    private SharedFiles() {}

    /**
     * Returns one CIFAR-10 source over the shared archives for all tests in this JVM, so each split
     * is extracted (into {@link #cacheDir()}) and decoded once.
     */
    public static synchronized CifarData cifar() {
        if (cifar == null) {
            cifar = CifarData.fromArchives(require("data/cifar10"), cacheDir());
        }
        return cifar;
    }

    /** Resolves a file under the shared directory; the calling test fails if it is absent. */
    public static Path require(String relative) {
        Path path = Path.of(System.getProperty("djlq.shared", "../shared")).resolve(relative);
        assertThat(Files.exists(path)).as("shared file %s exists", path).isTrue();
        return path;
    }

    /** Returns the folder where tests keep extracted archives across runs ({@code target/}). */
    public static Path cacheDir() {
        return Path.of("target", "cifar10-cache").toAbsolutePath();
    }

    /** Reads a JSON fixture from {@code shared/fixtures}. */
    public static JsonObject fixture(String name) throws IOException {
        return JsonParser.parseString(Files.readString(require("fixtures/" + name)))
                .getAsJsonObject();
    }

    /** Reads a JSON array of numbers as float32 values. */
    public static float[] floats(JsonObject json, String key) {
        var array = json.getAsJsonArray(key);
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).getAsDouble();
        }
        return out;
    }
}
