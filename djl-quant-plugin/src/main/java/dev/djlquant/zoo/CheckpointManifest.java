package dev.djlquant.zoo;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.annotations.SerializedName;
import dev.djlquant.QuantizationReport;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizer;
import dev.djlquant.data.ImageNormalization;
import dev.djlquant.files.Digests;
import dev.djlquant.format.Formats;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.metrics.ExponentHistogram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    // Shared with ManifestReader, which zeroes the recorded checksum the same way to verify it.
    static final String CHECKSUM_KEY = "\"manifest_sha256\": \"";
    static final String PLACEHOLDER = "0".repeat(64);

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
     * @param mae mean absolute error against the float weights (this and the next four are null
     *     when the quantization did not measure them, {@link
     *     dev.djlquant.QuantConfig#statistics()})
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
            ErrorMetrics error = row.error();
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
                    error == null ? null : finite(error.mae()),
                    error == null ? null : finite(error.mse()),
                    error == null ? null : finite(error.maxAbsError()),
                    error == null ? null : finite(error.sqnrDb()),
                    finite(row.entropyBits()),
                    e == null ? null : e.counts(),
                    e == null ? null : e.zeros());
        }

        /**
         * Throws unless {@code tensor}, read from {@code file}, is the one this entry lists: the
         * same spec and shape, bytes with this CRC-32, and as many groups and storage bytes.
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
            if (tensor.groups() != groups || tensor.storageBytes() != storageBytes) {
                throw new CheckpointException(
                        file,
                        "tensor "
                                + name
                                + " has "
                                + tensor.groups()
                                + " groups in "
                                + tensor.storageBytes()
                                + " bytes but manifest.json lists "
                                + groups
                                + " in "
                                + storageBytes);
            }
        }
    }

    /**
     * Throws unless {@code read}, the quantized tensors read from {@code file}, are the ones this
     * manifest lists: each listed tensor, with its spec, shape and CRC-32, and no other.
     */
    void checkTensors(Map<String, QuantizedTensor> read, Path file) throws CheckpointException {
        Set<String> listed = new HashSet<>();
        for (TensorEntry t : tensors()) {
            listed.add(t.name());
            QuantizedTensor tensor = read.get(t.name());
            if (tensor == null) {
                throw new CheckpointException(
                        file,
                        "quantized tensor "
                                + t.name()
                                + " listed in manifest.json is missing from this file");
            }
            t.check(tensor, file);
        }
        for (String name : read.keySet()) {
            if (!listed.contains(name)) {
                throw new CheckpointException(
                        file,
                        "holds quantized tensor " + name + " that manifest.json does not list");
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
            boolean embedded, String file, String sha256, long bytes, long floatBytes) {

        /** The module's file, for the checkpoint in {@code directory}. */
        Path path(Path directory) {
            return embedded ? directory.resolve(file) : Path.of(file);
        }
    }

    private String format = FORMAT;
    private int formatVersion = FORMAT_VERSION;
    private Kind kind;
    private String architecture;
    private String mode;
    private String spec;
    private String config;
    private String dataset;
    private String normalization;
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

    /**
     * The spec of the most quantized values (the first of equals), which a manifest records as its
     * own and the model zoo files the checkpoint under.
     */
    static String mostCommonSpec(List<TensorEntry> tensors) {
        Map<String, Long> bySpec = new LinkedHashMap<>();
        for (TensorEntry t : tensors) {
            bySpec.merge(t.spec(), t.values(), Long::sum);
        }
        return bySpec.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElseThrow();
    }

    static Builder builder() {
        return new Builder();
    }

    /** The {@code format} field; {@link ManifestMarkdown} prints it as the manifest has it. */
    String format() {
        return format;
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
     * Whether loading reads the weights in the block factory (a TorchScript checkpoint, or one that
     * loads as float weights), so that DJL must not look for a parameter file itself.
     */
    boolean loadsItself() {
        return kind == Kind.TORCHSCRIPT || "SIMULATE".equals(mode);
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
     * Returns how the model's input images are normalized, or null if the checkpoint does not say
     * (a checkpoint of another dataset, or one written before this was recorded: the translator
     * then uses {@link ImageNormalization#CIFAR10}).
     *
     * @return the normalization
     * @throws IllegalArgumentException if the recorded text is not one ({@link #read} checks it)
     */
    public ImageNormalization normalization() {
        return normalization == null ? null : ImageNormalization.parse(normalization);
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
     * Whether the {@code files} field is present: an empty list is a valid manifest, an absent one
     * is not, and {@link #files()} cannot tell them apart.
     */
    boolean listsFiles() {
        return files != null;
    }

    /** Sets the checksum {@link ManifestReader} found recorded in the file (it is not a field). */
    void setManifestSha256(String recorded) {
        manifestSha256 = recorded;
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
     * fp8e4m3}), {@code bits}, {@code granularity}, {@code spec}, {@code kind}, {@code mode},
     * {@code format} ({@code djlq-checkpoint-<version>}), and when known {@code dataset} and {@code
     * architecture}.
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
        return ManifestMarkdown.render(this);
    }

    /**
     * Says what loading this checkpoint costs in memory and on disk.
     *
     * @return one or two sentences
     */
    public String loadingCost() {
        return ManifestMarkdown.loadingCost(this);
    }

    /** Non-finite metrics are written as null: JSON has no NaN or Infinity. */
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
        return ManifestReader.read(directory);
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

        Builder normalization(ImageNormalization normalization) {
            m.normalization = normalization == null ? null : normalization.toString();
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
        b.m.normalization = normalization;
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
