package dev.djlquant;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates ../shared (models, data, fixtures) the way the build passes it to tests. */
public final class SharedFiles {

    private SharedFiles() {}

    /**
     * Returns the shared directory: system property {@code djlq.shared}, else {@code ../shared}.
     */
    public static Path root() {
        Path root = Paths.get(System.getProperty("djlq.shared", "../shared")).toAbsolutePath();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("shared directory not found at " + root);
        }
        return root.normalize();
    }

    /** Returns a file below the shared directory. */
    public static Path resolve(String relative) {
        return root().resolve(relative);
    }

    /** Reads a JSON fixture from {@code shared/fixtures}. */
    public static JsonObject fixture(String name) throws IOException {
        return JsonParser.parseString(Files.readString(resolve("fixtures/" + name)))
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
