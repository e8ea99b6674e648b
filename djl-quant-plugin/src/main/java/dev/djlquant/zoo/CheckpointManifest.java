package dev.djlquant.zoo;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.annotations.SerializedName;
import dev.djlquant.QuantizationReport;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizer;
import dev.djlquant.files.Digests;
import dev.djlquant.format.Formats;
import dev.djlquant.metrics.ExponentHistogram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code manifest.json} of a quantized checkpoint: format version, source model and its
 * SHA-256, every file with its size and SHA-256, and per parameter its spec, shape, packed bytes,
 * error metrics and CRC-32. The manifest carries a SHA-256 of itself, so a changed byte anywhere in
 * it is detected; {@link #read(Path)} checks that and the version before anything else. Immutable.
 */
public final class CheckpointManifest {

    /** The manifest's file name inside a checkpoint directory. */
    public static final String FILE_NAME = "manifest.json";

    /** The value of the {@code format} field. */
    public static final String FORMAT = "djlq-checkpoint";

    /** The checkpoint format version this library writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private static final String CHECKSUM_KEY = "\"manifest_sha256\": \"";
    private static final String PLACEHOLDER = "0".repeat(64);

    static final Gson GSON =
            new GsonBuilder()
                    .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                    .setPrettyPrinting()
                    .disableHtmlEscaping()
                    .create();

    /** How the model is rebuilt on load. */
    public enum Kind {
        /** A DJL-native block rebuilt from its architecture name, weights from the .params file. */
        @SerializedName("djl-native")
        DJL_NATIVE,
        /** A TorchScript module whose weights are replaced by the dequantized values on load. */
        @SerializedName("torchscript")
        TORCHSCRIPT
    }

    /**
     * Where the float weights came from.
     *
     * @param path the file as given when the checkpoint was written
     * @param sha256 its SHA-256
     * @param bytes its size
     * @param description how it was turned into the quantized model
     */
    public record Source(String path, String sha256, long bytes, String description) {}

    /**
     * One file of the checkpoint.
     *
     * @param name the file name inside the checkpoint directory
     * @param role what it holds ({@code parameters}, {@code quantized-weights}, {@code
     *     torchscript}, {@code serving})
     * @param bytes its exact size
     * @param sha256 its SHA-256
     */
    public record FileEntry(String name, String role, long bytes, String sha256) {}

    /**
     * One quantized parameter.
     *
     * @param name the parameter name in the model's block
     * @param shape its shape
     * @param spec the quantizer spec
     * @param values the number of values
     * @param groups the number of scales
     * @param codeBits bits per stored code
     * @param nominalBits bits per weight the scheme claims
     * @param storageBytes the exact packed size ({@link QuantizedTensor#storageBytes()})
     * @param studyEstimateBytes the study's size estimate
     * @param crc32 CRC-32 of the serialized tensor ({@link QuantizedTensor#toBytes()})
     * @param mae mean absolute error against the float weights
     * @param mse mean squared error
     * @param maxError maximum absolute error
     * @param sqnrDb signal-to-quantization-noise ratio in dB (null if infinite)
     * @param entropyBits the entropy of the code histogram
     * @param exponents the decimal-exponent histogram for dynamic trees, else null
     * @param zeros the values encoded as zero for dynamic trees, else null
     */
    public record TensorEntry(
            String name,
            long[] shape,
            String spec,
            long values,
            int groups,
            int codeBits,
            int nominalBits,
            long storageBytes,
            double studyEstimateBytes,
            String crc32,
            Double mae,
            Double mse,
            Double maxError,
            Double sqnrDb,
            Double entropyBits,
            long[] exponents,
            Long zeros) {

        /** Builds the entry of a tensor from its report row. */
        static TensorEntry of(QuantizationReport.Row row, QuantizedTensor tensor) {
            ExponentHistogram e = row.exponents();
            return new TensorEntry(
                    row.name(),
                    row.shape(),
                    row.spec(),
                    row.count(),
                    row.groups(),
                    row.codeBits(),
                    row.nominalBits(),
                    row.storageBytes(),
                    row.studyEstimateBytes(),
                    Digests.crc32(tensor.toBytes()),
                    finite(row.error().mae()),
                    finite(row.error().mse()),
                    finite(row.error().maxAbsError()),
                    finite(row.error().sqnrDb()),
                    finite(row.entropyBits()),
                    e == null ? null : e.counts(),
                    e == null ? null : e.zeros());
        }

        /**
         * Throws unless {@code tensor}, read from {@code file}, is the one this entry lists: the
         * same spec and shape, and bytes with this CRC-32.
         */
        void check(QuantizedTensor tensor, Path file) throws CheckpointException {
            if (!Arrays.equals(tensor.shape(), shape) || !tensor.quantizer().spec().equals(spec)) {
                throw new CheckpointException(
                        file,
                        "tensor "
                                + name
                                + " is "
                                + tensor.quantizer().spec()
                                + " "
                                + Arrays.toString(tensor.shape())
                                + " but manifest.json lists "
                                + spec
                                + " "
                                + Arrays.toString(shape));
            }
            if (!Digests.crc32(tensor.toBytes()).equals(crc32)) {
                throw new CheckpointException(
                        file, "tensor " + name + " does not match its CRC-32 in manifest.json");
            }
        }
    }

    /**
     * One parameter kept as it was (biases, norms, excluded weights).
     *
     * @param name the parameter name
     * @param shape its shape
     * @param dtype its data type
     * @param bytes its size in that data type
     * @param crc32 CRC-32 of its raw bytes, or null where the engine holds them (TorchScript)
     */
    public record ParameterEntry(
            String name, long[] shape, String dtype, long bytes, String crc32) {}

    /**
     * The TorchScript module a checkpoint of kind {@link Kind#TORCHSCRIPT} runs.
     *
     * @param embedded whether the file travels inside the checkpoint
     * @param file the file name inside the checkpoint if embedded, else its absolute path
     * @param sha256 its SHA-256, checked on every load
     * @param bytes its size
     * @param floatBytes the bytes its parameters take in memory once loaded (all of them, in their
     *     own data type): what loading the checkpoint costs
     */
    public record TorchScript(
            boolean embedded, String file, String sha256, long bytes, long floatBytes) {}

    private String format = FORMAT;
    private int formatVersion = FORMAT_VERSION;
    private Kind kind;
    private String architecture;
    private String mode;
    private String spec;
    private String config;
    private String dataset;
    private String application;
    private List<long[]> inputShapes;
    private Source source;
    private TorchScript torchscript;
    private String created;
    private String library;
    private List<FileEntry> files;
    private List<TensorEntry> tensors;
    private List<ParameterEntry> unquantized;
    private String manifestSha256;

    private CheckpointManifest() {}

    static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the checkpoint format version this manifest declares.
     *
     * @return the format version
     */
    public int formatVersion() {
        return formatVersion;
    }

    /**
     * Returns how the model is rebuilt on load.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the architecture of a DJL-native checkpoint: a name of {@link
     * CifarArchitectures#names()} or the class name of a {@code BlockFactory}; null for
     * TorchScript.
     *
     * @return the architecture
     */
    public String architecture() {
        return architecture;
    }

    /**
     * Returns how the loaded model holds the quantized weights: {@code COMPRESSED} (packed codes,
     * dequantized per forward) or {@code SIMULATE} (dequantized once into float weights).
     *
     * @return the load mode
     */
    public String mode() {
        return mode;
    }

    /**
     * Returns the default quantizer spec.
     *
     * @return the spec, e.g. {@code dt4@row}
     */
    public String spec() {
        return spec;
    }

    /**
     * Returns a description of the full quantization config (selection and overrides).
     *
     * @return the config
     */
    public String config() {
        return config;
    }

    /**
     * Returns the dataset the model was trained for, or null.
     *
     * @return the dataset name
     */
    public String dataset() {
        return dataset;
    }

    /**
     * Returns the DJL application path, e.g. {@code cv/image_classification}.
     *
     * @return the application path
     */
    public String application() {
        return application;
    }

    /**
     * Returns the input shapes the block was built for.
     *
     * @return the input shapes
     */
    public List<long[]> inputShapes() {
        return inputShapes == null ? List.of() : Collections.unmodifiableList(inputShapes);
    }

    /**
     * Returns where the float weights came from, or null.
     *
     * @return the source
     */
    public Source source() {
        return source;
    }

    /**
     * Returns the TorchScript module of a TorchScript checkpoint, else null.
     *
     * @return the TorchScript description
     */
    public TorchScript torchscript() {
        return torchscript;
    }

    /**
     * Returns when the checkpoint was written (ISO-8601).
     *
     * @return the creation time
     */
    public String created() {
        return created;
    }

    /**
     * Returns the files of the checkpoint besides the manifest.
     *
     * @return the files
     */
    public List<FileEntry> files() {
        return files == null ? List.of() : Collections.unmodifiableList(files);
    }

    /**
     * Returns the quantized parameters.
     *
     * @return one entry per quantized parameter, in parameter order
     */
    public List<TensorEntry> tensors() {
        return tensors == null ? List.of() : Collections.unmodifiableList(tensors);
    }

    /**
     * Returns the parameters kept unquantized.
     *
     * @return one entry per other parameter
     */
    public List<ParameterEntry> unquantized() {
        return unquantized == null ? List.of() : Collections.unmodifiableList(unquantized);
    }

    /**
     * Returns the SHA-256 of this manifest as written (with this field zeroed while hashing).
     *
     * @return the manifest's own checksum
     */
    public String manifestSha256() {
        return manifestSha256;
    }

    /**
     * Returns the sum of {@code storageBytes} over the quantized parameters.
     *
     * @return the packed bytes
     */
    public long packedBytes() {
        return tensors().stream().mapToLong(TensorEntry::storageBytes).sum();
    }

    /**
     * Returns the bytes of the parameters kept unquantized, in their data types.
     *
     * @return the unquantized bytes
     */
    public long unquantizedBytes() {
        return unquantized().stream().mapToLong(ParameterEntry::bytes).sum();
    }

    /**
     * Returns the bytes of every file of the checkpoint besides the manifest.
     *
     * @return the file bytes
     */
    public long fileBytes() {
        return files().stream().mapToLong(FileEntry::bytes).sum();
    }

    /**
     * Returns the properties a model zoo filters on: {@code scheme} (e.g. {@code dt}, {@code
     * fp8e4m3}), {@code bits}, {@code granularity}, {@code spec}, {@code kind}, {@code mode}, and
     * when known {@code dataset} and {@code architecture}.
     *
     * @return the properties, all strings
     */
    public Map<String, String> properties() {
        Quantizer q = Quantizer.parse(spec);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("scheme", Formats.family(q.format().specName()));
        p.put("bits", Integer.toString(q.format().nominalBits()));
        p.put("granularity", q.granularity().spec());
        p.put("spec", q.spec());
        if (dataset != null) {
            p.put("dataset", dataset);
        }
        if (architecture != null) {
            p.put("architecture", architecture);
        }
        p.put("kind", kind == Kind.DJL_NATIVE ? "djl-native" : "torchscript");
        p.put("mode", mode.toLowerCase(Locale.ROOT));
        p.put("format", FORMAT + "-" + formatVersion);
        return p;
    }

    /**
     * Renders the per-layer table (spec, bytes, errors, exponent histogram) with totals, the files
     * and what loading costs.
     *
     * @return Markdown text
     */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "Checkpoint format %s version %d, %s, written %s.%n",
                        format,
                        formatVersion,
                        kind == Kind.DJL_NATIVE
                                ? "DJL-native architecture " + architecture
                                : "TorchScript module",
                        created));
        if (source != null) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "Source: %s (%s bytes, sha256 %s)%s.%n",
                            source.path(),
                            source.bytes(),
                            source.sha256(),
                            source.description() == null ? "" : ", " + source.description()));
        }
        md.append("Config: ").append(config).append(". Loads in ").append(mode).append(" mode");
        md.append(dataset == null ? "" : ", dataset " + dataset).append(".\n\n");
        md.append("| parameter | shape | spec | values | groups | bits (code/nominal) | bytes |")
                .append(" study estimate | MAE | MSE | max error | SQNR dB | entropy bits |")
                .append(" exponents (0..K-1, zeros) | crc32 |\n");
        md.append("|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (TensorEntry t : tensors()) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %d | %d | %d/%d | %d | %.1f | %s | %s | %s | %s | %s"
                                    + " | %s | %s |%n",
                            t.name(),
                            Arrays.toString(t.shape()),
                            t.spec(),
                            t.values(),
                            t.groups(),
                            t.codeBits(),
                            t.nominalBits(),
                            t.storageBytes(),
                            t.studyEstimateBytes(),
                            sci(t.mae()),
                            sci(t.mse()),
                            sci(t.maxError()),
                            t.sqnrDb() == null
                                    ? "inf"
                                    : String.format(Locale.ROOT, "%.2f", t.sqnrDb()),
                            t.entropyBits() == null
                                    ? "-"
                                    : String.format(Locale.ROOT, "%.2f", t.entropyBits()),
                            t.exponents() == null
                                    ? ""
                                    : Arrays.toString(t.exponents()) + ", " + t.zeros(),
                            t.crc32()));
        }
        md.append('\n');
        if (!unquantized().isEmpty()) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%d parameters kept unquantized: %d bytes (%s).%n",
                            unquantized().size(),
                            unquantizedBytes(),
                            summarize(unquantized())));
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "Packed %d bytes + unquantized %d bytes = %d bytes; files on disk %d bytes"
                                + " besides the manifest.%n",
                        packedBytes(),
                        unquantizedBytes(),
                        packedBytes() + unquantizedBytes(),
                        fileBytes()));
        md.append("\n| file | role | bytes | sha256 |\n|---|---|---:|---|\n");
        for (FileEntry f : files()) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %d | %s |%n",
                            f.name(),
                            f.role(),
                            f.bytes(),
                            f.sha256()));
        }
        md.append('\n').append(loadingCost()).append('\n');
        return md.toString();
    }

    /**
     * Says what loading this checkpoint costs in memory and on disk.
     *
     * @return one or two sentences
     */
    public String loadingCost() {
        if (kind == Kind.TORCHSCRIPT) {
            return String.format(
                    Locale.ROOT,
                    "Loading costs the float weights: the TorchScript module is loaded with"
                            + " trainParam=true and the dequantized values are written into its"
                            + " parameters in place, so it holds %d bytes of weights in memory,"
                            + " not the %d packed bytes. The TorchScript file (%d bytes) is %s.",
                    torchscript.floatBytes(),
                    packedBytes(),
                    torchscript.bytes(),
                    torchscript.embedded()
                            ? "embedded as " + torchscript.file()
                            : "referenced at "
                                    + torchscript.file()
                                    + " and must still have sha256 "
                                    + torchscript.sha256());
        }
        if ("SIMULATE".equals(mode)) {
            return String.format(
                    Locale.ROOT,
                    "Loading dequantizes every weight once into float32 parameters: %d bytes of"
                            + " weights in memory.",
                    4 * tensors().stream().mapToLong(TensorEntry::values).sum()
                            + unquantizedBytes());
        }
        return String.format(
                Locale.ROOT,
                "Loading keeps the packed codes (%d bytes) and the unquantized parameters (%d"
                        + " bytes) in memory; each weight is dequantized when a forward needs it.",
                packedBytes(),
                unquantizedBytes());
    }

    private static String summarize(List<ParameterEntry> entries) {
        Map<String, Long> byType = new LinkedHashMap<>();
        for (ParameterEntry e : entries) {
            byType.merge(e.dtype(), e.bytes(), Long::sum);
        }
        List<String> parts = new ArrayList<>();
        byType.forEach((type, bytes) -> parts.add(type + " " + bytes));
        return String.join(", ", parts);
    }

    private static String sci(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3e", v);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /**
     * Returns this manifest as JSON (with its own checksum).
     *
     * @return the JSON text
     */
    public String toJson() {
        return new String(toBytes(), StandardCharsets.UTF_8);
    }

    /** Serializes with {@code manifest_sha256} set to the SHA-256 of the bytes it zeroes. */
    byte[] toBytes() {
        JsonObject json = GSON.toJsonTree(this).getAsJsonObject();
        json.addProperty("manifest_sha256", PLACEHOLDER);
        String text = GSON.toJson(json) + "\n";
        int at = text.lastIndexOf(CHECKSUM_KEY) + CHECKSUM_KEY.length();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String sha = Digests.sha256(bytes);
        String signed = text.substring(0, at) + sha + text.substring(at + PLACEHOLDER.length());
        manifestSha256 = sha;
        return signed.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@link #FILE_NAME} into {@code directory}. */
    void writeTo(Path directory) throws IOException {
        Files.write(directory.resolve(FILE_NAME), toBytes());
    }

    /**
     * Reads {@code manifest.json} from a checkpoint directory and checks its own SHA-256, its
     * format and its version; it does not look at the other files (see {@link
     * CheckpointReader#verify(Path)}).
     *
     * @param directory the checkpoint directory
     * @return the manifest
     * @throws CheckpointException naming the manifest and the problem
     */
    public static CheckpointManifest read(Path directory) throws CheckpointException {
        Path file = directory.resolve(FILE_NAME);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(
                    file, "missing: " + directory + " is not a djlq checkpoint directory", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "unreadable (" + e.getMessage() + ")", e);
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int key = text.lastIndexOf(CHECKSUM_KEY);
        int at = key + CHECKSUM_KEY.length();
        if (key < 0 || at + 64 > text.length()) {
            throw new CheckpointException(
                    file,
                    "has no manifest_sha256 field: truncated, damaged or not a djlq manifest ("
                            + bytes.length
                            + " bytes)");
        }
        String recorded = text.substring(at, at + 64);
        String zeroed = text.substring(0, at) + PLACEHOLDER + text.substring(at + 64);
        String actual = Digests.sha256(zeroed.getBytes(StandardCharsets.ISO_8859_1));
        JsonObject json = null;
        try {
            JsonElement parsed = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
            json = parsed.isJsonObject() ? parsed.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            // Reported below as damage (the checksum cannot match) or as unreadable JSON.
        }
        String declared = declaredVersion(json);
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
        CheckpointManifest manifest;
        try {
            manifest = GSON.fromJson(json, CheckpointManifest.class);
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new CheckpointException(file, "has malformed fields: " + e.getMessage(), e);
        }
        manifest.manifestSha256 = recorded;
        manifest.checkComplete(file);
        return manifest;
    }

    /** Larger files are not taken for a manifest: a VGG-16 manifest is about 20 KB. */
    private static final long MAX_RECOGNIZED_BYTES = 16L << 20;

    /**
     * Tells whether {@code file} is a djlq checkpoint manifest, cheaply and leniently: a JSON
     * object whose {@code format} is {@value #FORMAT}. Neither its checksum nor its version is
     * checked, so a damaged checkpoint or one of another version is still recognized (and can be
     * replaced by {@link CheckpointWriter.Builder#optReplaceExisting}).
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

    private void checkComplete(Path file) throws CheckpointException {
        List<String> missing = new ArrayList<>();
        if (kind == null) {
            missing.add("kind");
        }
        if (mode == null) {
            missing.add("mode");
        }
        if (spec == null) {
            missing.add("spec");
        }
        if (files == null) {
            missing.add("files");
        }
        if (tensors == null || tensors.isEmpty()) {
            missing.add("tensors");
        }
        if (kind == Kind.DJL_NATIVE && architecture == null) {
            missing.add("architecture");
        }
        if (kind == Kind.TORCHSCRIPT && torchscript == null) {
            missing.add("torchscript");
        }
        missing.addAll(missingEntryFields());
        if (!missing.isEmpty()) {
            throw new CheckpointException(file, "lacks the fields " + missing);
        }
        if (!mode.equals("SIMULATE") && !mode.equals("COMPRESSED")) {
            // The loaders take anything but SIMULATE for COMPRESSED, and the zoo publishes it.
            throw new CheckpointException(
                    file, "has the mode '" + mode + "'; expected SIMULATE or COMPRESSED");
        }
        try {
            Quantizer.parse(spec);
            for (TensorEntry t : tensors) {
                Quantizer.parse(t.spec());
            }
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "has an unknown spec: " + e.getMessage(), e);
        }
    }

    /**
     * The fields of file, tensor, parameter and TorchScript entries that the readers use without a
     * null check, where they are absent (or null), as {@code tensors[3].spec}.
     */
    private List<String> missingEntryFields() {
        List<String> missing = new ArrayList<>();
        for (int i = 0; files != null && i < files.size(); i++) {
            FileEntry f = files.get(i);
            requireAll(missing, "files[" + i + "]", "name", f.name(), "role", f.role());
            requireAll(missing, "files[" + i + "]", "sha256", f.sha256());
        }
        for (int i = 0; tensors != null && i < tensors.size(); i++) {
            TensorEntry t = tensors.get(i);
            requireAll(missing, "tensors[" + i + "]", "name", t.name(), "shape", t.shape());
            requireAll(missing, "tensors[" + i + "]", "spec", t.spec(), "crc32", t.crc32());
        }
        for (int i = 0; unquantized != null && i < unquantized.size(); i++) {
            ParameterEntry p = unquantized.get(i);
            requireAll(missing, "unquantized[" + i + "]", "name", p.name(), "shape", p.shape());
            requireAll(missing, "unquantized[" + i + "]", "dtype", p.dtype());
        }
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

    /**
     * Returns the entry of a file, or null.
     *
     * @param role the role, e.g. {@code parameters}
     * @return the first file with that role, or null
     */
    public FileEntry file(String role) {
        return files().stream().filter(f -> f.role().equals(role)).findFirst().orElse(null);
    }

    /** Collects the fields of a new manifest. */
    static final class Builder {
        private final CheckpointManifest m = new CheckpointManifest();

        Builder kind(Kind kind) {
            m.kind = kind;
            return this;
        }

        Builder architecture(String architecture) {
            m.architecture = architecture;
            return this;
        }

        Builder mode(String mode) {
            m.mode = mode;
            return this;
        }

        Builder spec(String spec) {
            m.spec = spec;
            return this;
        }

        Builder config(String config) {
            m.config = config;
            return this;
        }

        Builder dataset(String dataset) {
            m.dataset = dataset;
            return this;
        }

        Builder application(String application) {
            m.application = application;
            return this;
        }

        Builder inputShapes(List<long[]> shapes) {
            m.inputShapes = new ArrayList<>(shapes);
            return this;
        }

        Builder source(Source source) {
            m.source = source;
            return this;
        }

        Builder torchscript(TorchScript torchscript) {
            m.torchscript = torchscript;
            return this;
        }

        Builder created(String created) {
            m.created = created;
            return this;
        }

        Builder library(String library) {
            m.library = library;
            return this;
        }

        Builder files(List<FileEntry> files) {
            m.files = new ArrayList<>(files);
            return this;
        }

        Builder tensors(List<TensorEntry> tensors) {
            m.tensors = new ArrayList<>(tensors);
            return this;
        }

        Builder unquantized(List<ParameterEntry> unquantized) {
            m.unquantized = new ArrayList<>(unquantized);
            return this;
        }

        Builder formatVersion(int version) {
            m.formatVersion = version;
            return this;
        }

        CheckpointManifest build() {
            return m;
        }
    }

    /** Returns a builder preset with every field of this manifest (for tests and rewrites). */
    Builder toBuilder() {
        Builder b = new Builder();
        b.m.format = format;
        b.m.formatVersion = formatVersion;
        b.m.kind = kind;
        b.m.architecture = architecture;
        b.m.mode = mode;
        b.m.spec = spec;
        b.m.config = config;
        b.m.dataset = dataset;
        b.m.application = application;
        b.m.inputShapes = inputShapes == null ? null : new ArrayList<>(inputShapes);
        b.m.source = source;
        b.m.torchscript = torchscript;
        b.m.created = created;
        b.m.library = library;
        b.m.files = files == null ? null : new ArrayList<>(files);
        b.m.tensors = tensors == null ? null : new ArrayList<>(tensors);
        b.m.unquantized = unquantized == null ? null : new ArrayList<>(unquantized);
        return b;
    }
}
