package dev.djlquant.zoo;

import static dev.djlquant.zoo.CheckpointManifest.FORMAT;
import static dev.djlquant.zoo.CheckpointManifest.FORMAT_VERSION;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.djlquant.Quantizer;
import dev.djlquant.files.Digests;
import dev.djlquant.zoo.CheckpointManifest.FileEntry;
import dev.djlquant.zoo.CheckpointManifest.Kind;
import dev.djlquant.zoo.CheckpointManifest.ParameterEntry;
import dev.djlquant.zoo.CheckpointManifest.TensorEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code manifest.json} back into a {@link CheckpointManifest}, refusing one that is damaged,
 * of another format or version, or incomplete; also recognizes a manifest leniently. Every refusal
 * is a {@link CheckpointException} naming the file and the problem.
 */
final class ManifestReader {

    /** Larger files are not taken for a manifest: a VGG-16 manifest is about 20 KB. */
    private static final long MAX_RECOGNIZED_BYTES = 16L << 20;

    private ManifestReader() {}

    /** The implementation of {@link CheckpointManifest#read(Path)}. */
    static CheckpointManifest read(Path directory) throws CheckpointException {
        Path file = directory.resolve(CheckpointManifest.FILE_NAME);
        byte[] bytes = readBytes(directory, file);
        // Parsing first only to name the declared version in a checksum mismatch; a file that
        // does not parse is reported by the checksum check.
        JsonObject json = parseObject(bytes);
        String recorded = checksum(file, bytes, declaredVersion(json));
        checkHeader(file, json);
        CheckpointManifest manifest;
        try {
            manifest = CheckpointManifest.GSON.fromJson(json, CheckpointManifest.class);
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new CheckpointException(file, "has malformed fields: " + e.getMessage(), e);
        }
        manifest.setManifestSha256(recorded);
        checkComplete(manifest, file);
        return manifest;
    }

    private static byte[] readBytes(Path directory, Path file) throws CheckpointException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // A pipe or device would be read until it ends, if ever.
            throw new CheckpointException(file, "is not a regular file");
        }
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            refuseLostManifest(directory);
            throw new CheckpointException(
                    file,
                    "missing: "
                            + directory
                            + (Files.exists(directory)
                                    ? " is not a djlq checkpoint directory"
                                    : " does not exist"),
                    e);
        } catch (IOException e) {
            if (Files.isRegularFile(directory)) {
                // The JDK's "Not a directory" names the manifest path, not the file given.
                throw new CheckpointException(
                        directory, "is a file, not a djlq checkpoint directory", e);
            }
            throw new CheckpointException(file, "unreadable (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Refuses a directory without a manifest whose {@code serving.properties} names the checkpoint
     * block factory: a checkpoint that lost its manifest, which nothing can verify, and whose files
     * alone would load as a plain model, wrongly (a TorchScript checkpoint's module holds NaN for
     * the quantized weights).
     */
    static void refuseLostManifest(Path dir) throws CheckpointException {
        Path serving = dir.resolve(CheckpointWriter.SERVING_FILE);
        try {
            if (!Files.isRegularFile(serving)
                    || !Files.readString(serving, StandardCharsets.ISO_8859_1)
                            .contains(CheckpointBlockFactory.class.getName())) {
                return;
            }
        } catch (IOException e) {
            return; // not readable: nothing says it is a checkpoint
        }
        throw new CheckpointException(
                dir.resolve(CheckpointManifest.FILE_NAME),
                "is missing: "
                        + dir
                        + " is a djlq checkpoint (its "
                        + CheckpointWriter.SERVING_FILE
                        + " says so), which cannot be verified or loaded without it; write"
                        + " the checkpoint again");
    }

    /**
     * Returns the SHA-256 the manifest records for itself after checking that the bytes, with it
     * zeroed, hash to it. Works on the raw bytes (ISO-8859-1 maps each byte to one char) so that a
     * file damaged past parsing still gets a checksum message; the declared version is named
     * because a manifest of another version is likely to be why it does not match.
     */
    private static String checksum(Path file, byte[] bytes, String declared)
            throws CheckpointException {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int key = text.lastIndexOf(CheckpointManifest.CHECKSUM_KEY);
        int at = key + CheckpointManifest.CHECKSUM_KEY.length();
        if (key < 0 || at + 64 > text.length()) {
            throw new CheckpointException(
                    file,
                    "has no manifest_sha256 field: truncated, damaged or not a djlq manifest ("
                            + bytes.length
                            + " bytes)");
        }
        String recorded = text.substring(at, at + 64);
        String zeroed =
                text.substring(0, at) + CheckpointManifest.PLACEHOLDER + text.substring(at + 64);
        String actual = Digests.sha256(zeroed.getBytes(StandardCharsets.ISO_8859_1));
        if (!actual.equals(recorded)) {
            throw new CheckpointException(
                    file,
                    "checksum mismatch (recorded sha256 "
                            + recorded
                            + ", actual "
                            + actual
                            + "): the manifest was damaged or edited after it was written"
                            + (declared != null && !declared.equals("" + FORMAT_VERSION)
                                    ? "; it declares format version " + declared
                                    : ""));
        }
        return recorded;
    }

    /** The manifest as a JSON object, or null if it is not one. */
    private static JsonObject parseObject(byte[] bytes) {
        try {
            JsonElement parsed = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
            return parsed.isJsonObject() ? parsed.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            // Reported by the checksum (which cannot match) or as not a JSON object.
            return null;
        }
    }

    /** Throws unless {@code json} is an object of this format and version with typed fields. */
    private static void checkHeader(Path file, JsonObject json) throws CheckpointException {
        if (json == null) {
            throw new CheckpointException(file, "is not a JSON object");
        }
        if (!FORMAT.equals(string(json, "format"))) {
            throw new CheckpointException(
                    file,
                    "is not a "
                            + FORMAT
                            + " manifest: field format is "
                            + (json.has("format") ? json.get("format") : "missing"));
        }
        String declared = declaredVersion(json);
        if (!("" + FORMAT_VERSION).equals(declared)) {
            throw new CheckpointException(
                    file,
                    "format version "
                            + declared
                            + " is not supported: this library reads version "
                            + FORMAT_VERSION
                            + (isNewer(declared) ? "; upgrade djl-quant to read it" : ""));
        }
        String wrongType = ManifestFields.problem(json);
        if (wrongType != null) {
            throw new CheckpointException(file, "has a field of the wrong type: " + wrongType);
        }
    }

    /**
     * Tells whether {@code file} is a djlq checkpoint manifest, cheaply and leniently: a JSON
     * object whose {@code format} is {@value CheckpointManifest#FORMAT}. Neither its checksum nor
     * its version is checked, so a damaged checkpoint or one of another version is still recognized
     * (and can be replaced by {@link CheckpointWriter.Builder#optReplaceExisting}).
     *
     * @return the file names the manifest lists (those that are strings), or null if it is not a
     *     djlq manifest or cannot be read
     */
    static Set<String> recognize(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_RECOGNIZED_BYTES) {
                return null;
            }
            JsonElement parsed =
                    JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()
                    || !FORMAT.equals(string(parsed.getAsJsonObject(), "format"))) {
                return null;
            }
            Set<String> names = new HashSet<>();
            JsonElement listed = parsed.getAsJsonObject().get("files");
            if (listed != null && listed.isJsonArray()) {
                for (JsonElement f : listed.getAsJsonArray()) {
                    if (f.isJsonObject() && string(f.getAsJsonObject(), "name") != null) {
                        names.add(string(f.getAsJsonObject(), "name"));
                    }
                }
            }
            return names;
        } catch (IOException | JsonParseException e) {
            return null;
        }
    }

    /** The value of a string field, or null if it is absent or not a string. */
    private static String string(JsonObject json, String field) {
        JsonElement e = json.get(field);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
                ? e.getAsString()
                : null;
    }

    private static boolean isNewer(String declared) {
        try {
            return declared != null && Integer.parseInt(declared) > FORMAT_VERSION;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String declaredVersion(JsonObject json) {
        if (json == null || !json.has("format_version")) {
            return null;
        }
        JsonElement v = json.get("format_version");
        return v.isJsonPrimitive() ? v.getAsString() : v.toString();
    }

    private static void checkComplete(CheckpointManifest m, Path file) throws CheckpointException {
        List<String> missing = new ArrayList<>();
        if (m.kind() == null) {
            missing.add("kind");
        }
        if (m.mode() == null) {
            missing.add("mode");
        }
        if (m.spec() == null) {
            missing.add("spec");
        }
        if (!m.listsFiles()) {
            missing.add("files");
        }
        if (m.kind() == Kind.DJL_NATIVE && m.architecture() == null) {
            missing.add("architecture");
        }
        if (m.kind() == Kind.TORCHSCRIPT && m.torchscript() == null) {
            missing.add("torchscript");
        }
        missing.addAll(missingEntryFields(m));
        if (!missing.isEmpty()) {
            throw new CheckpointException(file, "lacks the fields " + missing);
        }
        if (m.tensors().isEmpty()) {
            // An absent list reads as an empty one.
            throw new CheckpointException(file, "lists no quantized tensors");
        }
        if (!m.mode().equals("SIMULATE") && !m.mode().equals("COMPRESSED")) {
            // The loaders take anything but SIMULATE for COMPRESSED, and the zoo publishes it.
            throw new CheckpointException(
                    file, "has the mode '" + m.mode() + "'; expected SIMULATE or COMPRESSED");
        }
        try {
            m.normalization();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "has a bad normalization: " + e.getMessage(), e);
        }
        try {
            Quantizer.parse(m.spec());
            for (TensorEntry t : m.tensors()) {
                Quantizer.parse(t.spec());
            }
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "has an unknown spec: " + e.getMessage(), e);
        }
        for (TensorEntry t : m.tensors()) {
            checkShape(file, t);
        }
        String mostCommon = CheckpointManifest.mostCommonSpec(m.tensors());
        if (!m.spec().equals(mostCommon)) {
            // The model zoo files the checkpoint under this spec.
            throw new CheckpointException(
                    file,
                    "has the spec "
                            + m.spec()
                            + ", but most of its quantized values are "
                            + mostCommon);
        }
        if (m.kind() == Kind.TORCHSCRIPT && m.mode().equals("COMPRESSED")) {
            throw new CheckpointException(
                    file, "has the mode COMPRESSED, which TorchScript checkpoints do not have");
        }
    }

    /** Refuses a tensor entry whose shape has a dimension below 1 or is not its value count. */
    private static void checkShape(Path file, TensorEntry t) throws CheckpointException {
        long product = 1;
        try {
            for (long d : t.shape()) {
                product = d < 1 ? -1 : Math.multiplyExact(product, d);
                if (product < 0) {
                    break;
                }
            }
        } catch (ArithmeticException e) {
            product = -1;
        }
        if (product != t.values()) {
            throw new CheckpointException(
                    file,
                    "lists the tensor "
                            + t.name()
                            + " with the shape "
                            + Arrays.toString(t.shape())
                            + " and "
                            + t.values()
                            + " values");
        }
    }

    /**
     * The fields of file, tensor, parameter and TorchScript entries that the readers use without a
     * null check, where they are absent (or null), as {@code tensors[3].spec}.
     */
    private static List<String> missingEntryFields(CheckpointManifest m) {
        List<String> missing = new ArrayList<>();
        List<FileEntry> files = m.files();
        for (int i = 0; i < files.size(); i++) {
            FileEntry f = files.get(i);
            requireAll(missing, "files[" + i + "]", "name", f.name(), "role", f.role());
            requireAll(missing, "files[" + i + "]", "sha256", f.sha256());
        }
        List<TensorEntry> tensors = m.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            TensorEntry t = tensors.get(i);
            requireAll(missing, "tensors[" + i + "]", "name", t.name(), "shape", t.shape());
            requireAll(missing, "tensors[" + i + "]", "spec", t.spec(), "crc32", t.crc32());
        }
        List<ParameterEntry> unquantized = m.unquantized();
        for (int i = 0; i < unquantized.size(); i++) {
            ParameterEntry p = unquantized.get(i);
            requireAll(missing, "unquantized[" + i + "]", "name", p.name(), "shape", p.shape());
            requireAll(missing, "unquantized[" + i + "]", "dtype", p.dtype());
        }
        CheckpointManifest.TorchScript torchscript = m.torchscript();
        if (torchscript != null) {
            requireAll(
                    missing,
                    "torchscript",
                    "file",
                    torchscript.file(),
                    "sha256",
                    torchscript.sha256());
        }
        return missing;
    }

    /**
     * Adds {@code prefix.name} to {@code missing} for each (name, value) pair whose value is null.
     */
    private static void requireAll(List<String> missing, String prefix, Object... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] == null) {
                missing.add(prefix + "." + namesAndValues[i]);
            }
        }
    }
}
