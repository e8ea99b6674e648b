package dev.djlquant.zoo;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizers;
import dev.djlquant.SharedParameters;
import dev.djlquant.data.ImageNormalization;
import dev.djlquant.files.AtomicFiles;
import dev.djlquant.files.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes quantized checkpoints: a directory that DJL loads with {@code Criteria.optModelPath} (for
 * image inputs naming {@link CifarTranslatorFactory}, or through {@link CheckpointReader#load}) or,
 * once published with {@link ModelRepository}, through the model zoo. A DJL-native checkpoint holds
 * {@code model-0000.params} (a COMPRESSED {@link QuantizedBlock} saved by {@code Model.save}:
 * packed codes, scales, and the unquantized parameters in their data type), {@code
 * serving.properties} and {@code manifest.json}; a TorchScript checkpoint holds {@code
 * weights.djlq} and a copy of the TorchScript file whose quantized weights hold NaN instead of
 * their values (or a reference to the file by path and SHA-256) instead of the parameters.
 * Everything is written into a temporary sibling directory and renamed into place, so a failed
 * write leaves nothing behind. Configure with {@link #builder()}, then call a {@code write} method.
 * Immutable and thread-safe (a warnings sink shared by concurrent writes must be thread-safe too).
 */
public final class CheckpointWriter {

    /** The model name, hence the parameter file prefix, of every checkpoint. */
    public static final String MODEL_NAME = "model";

    /** The DJL parameter file of a DJL-native checkpoint. */
    public static final String PARAMETERS_FILE = MODEL_NAME + "-0000.params";

    /** The embedded TorchScript file of a TorchScript checkpoint. */
    public static final String TORCHSCRIPT_FILE = "torchscript.pt";

    /** DJL's per-model configuration file, naming the block and translator factories. */
    public static final String SERVING_FILE = "serving.properties";

    static final String ROLE_PARAMETERS = "parameters";
    static final String ROLE_WEIGHTS = "quantized-weights";
    static final String ROLE_TORCHSCRIPT = "torchscript";
    static final String ROLE_SERVING = "serving";

    /** The dataset whose checkpoints name {@link CifarTranslatorFactory} for image inputs. */
    public static final String CIFAR10 = "cifar10";

    /** The DJL application of image classifiers. */
    public static final String IMAGE_CLASSIFICATION = "cv/image_classification";

    private static final String LIBRARY = "djl-quant 0.1.0";

    /** The names of the files a checkpoint of any kind may hold. */
    static final Set<String> CHECKPOINT_FILES =
            Set.of(
                    CheckpointManifest.FILE_NAME,
                    SERVING_FILE,
                    PARAMETERS_FILE,
                    TORCHSCRIPT_FILE,
                    WeightsFile.NAME);

    private static final Logger logger = LoggerFactory.getLogger(CheckpointWriter.class);

    private final String dataset;
    private final ImageNormalization normalization;
    private final String application;
    private final Path source;
    private final String sourceDescription;
    private final CheckpointTarget target;
    private final boolean embedTorchScript;
    private final QuantConfig.Mode loadMode;
    private final Consumer<String> warnings;

    private CheckpointWriter(Builder builder) {
        this.dataset = builder.dataset;
        this.normalization =
                builder.normalization == null && CIFAR10.equals(dataset)
                        ? ImageNormalization.CIFAR10
                        : builder.normalization;
        this.application = builder.application;
        this.source = builder.source;
        this.sourceDescription = builder.sourceDescription;
        this.target = new CheckpointTarget(builder.replace);
        this.embedTorchScript = builder.embedTorchScript;
        this.loadMode = builder.loadMode;
        this.warnings = builder.warnings;
    }

    /**
     * Returns a builder with the defaults: no dataset, image classification, nothing replaced.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes a DJL-native checkpoint from a model whose block was compressed by {@code
     * Quantizers.apply(model, config)} in {@code COMPRESSED} mode.
     *
     * @param model the model; its block must be a {@link QuantizedBlock} holding packed weights
     * @param report the report of that quantization (its rows become the manifest's metrics)
     * @param architecture the name that rebuilds the wrapped block: one of {@link
     *     CifarArchitectures#names()} or a {@code BlockFactory} class name
     * @param out the checkpoint directory to create
     * @return the manifest written
     * @throws IOException if writing fails; nothing is left at {@code out} then
     * @throws IllegalArgumentException if the model, report and architecture do not fit together
     */
    public CheckpointManifest writeNative(
            Model model, QuantizationReport report, String architecture, Path out)
            throws IOException {
        if (!(model.getBlock() instanceof QuantizedBlock qb) || qb.getCompressed().isEmpty()) {
            throw new IllegalArgumentException(
                    "The model's block holds no packed weights: quantize it with"
                            + " Quantizers.apply(model, config) in QuantConfig.Mode.COMPRESSED"
                            + " first");
        }
        checkArchitecture(model, qb.getInner(), architecture);
        List<CheckpointManifest.TensorEntry> tensors = new ArrayList<>();
        List<CheckpointManifest.ParameterEntry> kept = new ArrayList<>();
        collectNativeEntries(qb, rowsByName(report, qb.getCompressed()), tensors, kept);
        QuantConfig.Mode mode = loadMode == null ? QuantConfig.Mode.COMPRESSED : loadMode;
        List<long[]> inputs = qb.describeInput().values().stream().map(Shape::getShape).toList();
        CheckpointManifest.Builder manifest =
                base(
                                CheckpointManifest.Kind.DJL_NATIVE,
                                mode,
                                CheckpointManifest.mostCommonSpec(tensors))
                        .architecture(architecture)
                        .config(describe(tensors))
                        .inputShapes(inputs)
                        .tensors(tensors)
                        .unquantized(kept);
        return write(
                out,
                manifest,
                dir -> List.of(saveParameters(model, dir)),
                mode != QuantConfig.Mode.COMPRESSED);
    }

    /** The report's rows by name, which must be those of the packed weights. */
    private static Map<String, QuantizationReport.Row> rowsByName(
            QuantizationReport report, Map<String, QuantizedTensor> compressed) {
        Map<String, QuantizationReport.Row> rows = new LinkedHashMap<>();
        for (QuantizationReport.Row r : report.rows()) {
            rows.put(r.name(), r);
        }
        if (!rows.keySet().equals(compressed.keySet())) {
            throw new IllegalArgumentException(
                    "The report describes "
                            + rows.keySet()
                            + " but the block holds packed "
                            + compressed.keySet());
        }
        return rows;
    }

    /**
     * Adds a manifest entry for each parameter of the block: its packed weights to {@code tensors},
     * the others to {@code kept}; refuses packed weights whose float values are still held, and
     * parameters without values.
     */
    private static void collectNativeEntries(
            QuantizedBlock qb,
            Map<String, QuantizationReport.Row> rows,
            List<CheckpointManifest.TensorEntry> tensors,
            List<CheckpointManifest.ParameterEntry> kept) {
        Map<String, QuantizedTensor> compressed = qb.getCompressed();
        // A layer used twice lists its parameters under two names: one entry, the first.
        for (Pair<String, Parameter> p : SharedParameters.distinct(qb.getInner().getParameters())) {
            QuantizedTensor t = compressed.get(p.getKey());
            if (t != null) {
                if (p.getValue().isInitialized()) {
                    throw new IllegalArgumentException(
                            "Weight "
                                    + p.getKey()
                                    + " is packed but its float values are still held (a"
                                    + " QuantizedBlock.view?); write a block quantized in"
                                    + " COMPRESSED mode");
                }
                tensors.add(CheckpointManifest.TensorEntry.of(rows.get(p.getKey()), t));
            } else if (p.getValue().isInitialized()) {
                kept.add(parameterEntry(p.getKey(), p.getValue().getArray(), true));
            } else {
                throw new IllegalArgumentException(
                        "Parameter " + p.getKey() + " has no values: load the model first");
            }
        }
    }

    /**
     * Saves the model's parameters into {@code dir} with DJL's {@code Model.save}, under the name
     * the manifest lists ({@value #PARAMETERS_FILE}, whatever epoch the model records).
     */
    private static CheckpointManifest.FileEntry saveParameters(Model model, Path dir)
            throws IOException {
        AtomicFiles.writing(dir.resolve(PARAMETERS_FILE), () -> model.save(dir, MODEL_NAME));
        Path saved;
        try (Stream<Path> files = Files.list(dir)) {
            saved =
                    files.filter(f -> f.getFileName().toString().endsWith(".params"))
                            .findFirst()
                            .orElseThrow(() -> new IOException("Model.save wrote no .params"));
        }
        if (!saved.getFileName().toString().equals(PARAMETERS_FILE)) {
            Files.move(saved, dir.resolve(PARAMETERS_FILE));
        }
        return fileEntry(dir, PARAMETERS_FILE, ROLE_PARAMETERS);
    }

    /**
     * Quantizes the parameters of a TorchScript file and writes a TorchScript checkpoint: on load
     * the module is read with {@code trainParam=true} and the dequantized values are written into
     * its parameters. The embedded copy of the module leaves out the float values of the quantized
     * weights (NaN-filled and compressed), so the checkpoint costs the packed weights plus the
     * module's code and its other tensors; it is loaded once before it is renamed into place, to
     * confirm that every other parameter is intact.
     *
     * @param torchScript the TorchScript file with float weights
     * @param config which parameters get which scheme (its mode is ignored)
     * @param out the checkpoint directory to create
     * @return the manifest written
     * @throws IOException if reading or writing fails; nothing is left at {@code out} then
     * @throws MalformedModelException if the file is not a loadable TorchScript model
     * @throws IllegalArgumentException if the config selects no parameter
     */
    public CheckpointManifest writeTorchScript(Path torchScript, QuantConfig config, Path out)
            throws IOException, MalformedModelException {
        if (!Files.isRegularFile(torchScript)) {
            throw new IOException("No TorchScript file at " + torchScript.toAbsolutePath());
        }
        if (loadMode == QuantConfig.Mode.COMPRESSED) {
            throw new IllegalArgumentException(
                    "A TorchScript checkpoint loads in SIMULATE mode only: TorchScript reads its"
                            + " weights inside the engine. Import the weights into a DJL-native"
                            + " architecture for COMPRESSED.");
        }
        Module module = quantizeModule(torchScript, config);
        List<CheckpointManifest.TensorEntry> tensors = module.tensors();
        long loadedBytes = module.floatBytes();
        // The file's digest goes into the manifest only where it records the file itself: as the
        // module to load (not embedded) or as the source (none given).
        String sha = !embedTorchScript || source == null ? Digests.sha256(torchScript) : null;
        long size = Files.size(torchScript);
        CheckpointManifest.Builder manifest =
                base(
                                CheckpointManifest.Kind.TORCHSCRIPT,
                                QuantConfig.Mode.SIMULATE,
                                CheckpointManifest.mostCommonSpec(tensors))
                        .config(describe(tensors))
                        .tensors(tensors)
                        .unquantized(module.kept());
        if (!embedTorchScript) {
            manifest.torchscript(
                    new CheckpointManifest.TorchScript(
                            false,
                            torchScript.toAbsolutePath().normalize().toString(),
                            sha,
                            size,
                            loadedBytes));
        }
        if (source == null) {
            manifest.source(
                    new CheckpointManifest.Source(
                            torchScript.toAbsolutePath().normalize().toString(),
                            sha,
                            size,
                            "TorchScript module quantized as itself"));
        }
        return write(
                out,
                manifest,
                dir -> {
                    List<CheckpointManifest.FileEntry> files = new ArrayList<>();
                    Path weights = dir.resolve(WeightsFile.NAME);
                    AtomicFiles.writing(
                            weights, () -> WeightsFile.write(weights, module.quantized()));
                    files.add(fileEntry(dir, WeightsFile.NAME, ROLE_WEIGHTS));
                    if (embedTorchScript) {
                        CheckpointManifest.FileEntry embedded =
                                embedStripped(torchScript, module, dir);
                        files.add(embedded);
                        manifest.torchscript(
                                new CheckpointManifest.TorchScript(
                                        true,
                                        TORCHSCRIPT_FILE,
                                        embedded.sha256(),
                                        embedded.bytes(),
                                        loadedBytes));
                    }
                    return files;
                },
                true);
    }

    /**
     * A TorchScript module quantized: its packed weights and their manifest entries, its other
     * parameters, the float bytes it loads, and (when it is embedded) the contents of the weights
     * whose values the embedded copy leaves out, with their data types, and of those it keeps.
     */
    private record Module(
            Map<String, QuantizedTensor> quantized,
            List<CheckpointManifest.TensorEntry> tensors,
            List<CheckpointManifest.ParameterEntry> kept,
            long floatBytes,
            Map<StrippedTorchScript.Content, DataType> left,
            Map<String, StrippedTorchScript.Content> intact) {}

    private Module quantizeModule(Path torchScript, QuantConfig config)
            throws IOException, MalformedModelException {
        Map<String, QuantizedTensor> quantized = new LinkedHashMap<>();
        List<CheckpointManifest.TensorEntry> tensors = new ArrayList<>();
        List<CheckpointManifest.ParameterEntry> kept = new ArrayList<>();
        long floatBytes = 0;
        Map<StrippedTorchScript.Content, DataType> left = new HashMap<>();
        Map<String, StrippedTorchScript.Content> intact = new LinkedHashMap<>();
        try (ZooModel<NDList, NDList> m = TorchScriptImport.open(torchScript, false)) {
            QuantizationReport report = Quantizers.pack(m.getBlock(), config, quantized::put);
            report.warnings().forEach(warnings);
            for (QuantizationReport.Row row : report.rows()) {
                tensors.add(CheckpointManifest.TensorEntry.of(row, quantized.get(row.name())));
            }
            for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
                NDArray array = p.getValue().getArray();
                floatBytes += array.size() * array.getDataType().getNumOfBytes();
                boolean isQuantized = quantized.containsKey(p.getKey());
                if (!isQuantized) {
                    kept.add(parameterEntry(p.getKey(), array, false));
                }
                if (embedTorchScript) {
                    StrippedTorchScript.Content content = StrippedTorchScript.Content.of(array);
                    if (isQuantized) {
                        left.put(content, array.getDataType());
                    } else {
                        intact.put(p.getKey(), content);
                    }
                }
            }
        }
        return new Module(quantized, tensors, kept, floatBytes, left, intact);
    }

    /**
     * Writes the module without its quantized weights' values into {@code dir} and confirms, by
     * loading it, that its other parameters are intact.
     */
    private static CheckpointManifest.FileEntry embedStripped(
            Path torchScript, Module module, Path dir) throws IOException {
        Path copy = dir.resolve(TORCHSCRIPT_FILE);
        AtomicFiles.writing(
                copy, () -> StrippedTorchScript.write(torchScript, module.left(), copy));
        StrippedTorchScript.checkUnchanged(copy, module.intact());
        return fileEntry(dir, TORCHSCRIPT_FILE, ROLE_TORCHSCRIPT);
    }

    /**
     * Checks, without writing anything, that this writer can write a checkpoint at {@code out}:
     * call it before the expensive work, so that a bad path is reported at once (the write methods
     * check again). Accepted: a path that does not exist yet, whose nearest existing ancestor is a
     * directory this process can create entries in; an empty directory; with {@link
     * Builder#optReplaceExisting} set, a djlq checkpoint (see there). Refused: the working
     * directory and its parents, a symbolic link, a file, a non-empty directory otherwise.
     *
     * @param out the checkpoint directory to create
     * @throws IllegalArgumentException if {@code out} is the empty path
     * @throws java.nio.file.FileSystemException naming {@code out} (or the ancestor at fault) and
     *     why it cannot be written
     * @throws IOException if the file system cannot be read
     */
    public void checkTarget(Path out) throws IOException {
        target.check(out);
    }

    /** Writes the model files of a checkpoint and returns their entries ({@link #fileEntry}). */
    @FunctionalInterface
    private interface Payload {
        List<CheckpointManifest.FileEntry> write(Path directory) throws IOException;
    }

    /** The manifest's entry of a file written in {@code dir}: its size and sha256, read once. */
    private static CheckpointManifest.FileEntry fileEntry(Path dir, String name, String role)
            throws IOException {
        Path f = dir.resolve(name);
        return new CheckpointManifest.FileEntry(name, role, Files.size(f), Digests.sha256(f));
    }

    private CheckpointManifest write(
            Path out, CheckpointManifest.Builder builder, Payload payload, boolean loadsItself)
            throws IOException {
        checkTarget(out);
        CheckpointManifest[] written = new CheckpointManifest[1];
        AtomicFiles.writeDirectory(
                out,
                target::checkReplaceable,
                dir -> {
                    List<CheckpointManifest.FileEntry> files = new ArrayList<>(payload.write(dir));
                    Path serving = dir.resolve(SERVING_FILE);
                    AtomicFiles.writing(
                            serving,
                            () ->
                                    Files.writeString(
                                            serving,
                                            servingProperties(dataset, normalization, loadsItself),
                                            StandardCharsets.ISO_8859_1));
                    files.add(fileEntry(dir, SERVING_FILE, ROLE_SERVING));
                    CheckpointManifest manifest = builder.files(files).build();
                    AtomicFiles.writing(
                            dir.resolve(CheckpointManifest.FILE_NAME), () -> manifest.writeTo(dir));
                    written[0] = manifest;
                });
        return written[0];
    }

    private CheckpointManifest.Builder base(
            CheckpointManifest.Kind kind, QuantConfig.Mode mode, String spec) throws IOException {
        CheckpointManifest.Builder b =
                CheckpointManifest.builder()
                        .kind(kind)
                        .mode(mode.name())
                        .spec(spec)
                        .dataset(dataset)
                        .normalization(normalization)
                        .application(application)
                        .created(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                        .library(LIBRARY);
        if (source != null) {
            b.source(
                    new CheckpointManifest.Source(
                            source.toAbsolutePath().normalize().toString(),
                            Files.isRegularFile(source) ? Digests.sha256(source) : null,
                            Files.isRegularFile(source) ? Files.size(source) : 0,
                            sourceDescription));
        }
        return b;
    }

    /**
     * The {@value #SERVING_FILE} that a checkpoint with {@code manifest}'s fields has: its loading
     * follows from them, so {@link CheckpointReader#verify} refuses any other.
     */
    static String servingProperties(CheckpointManifest manifest) {
        return servingProperties(
                manifest.dataset(), manifest.normalization(), manifest.loadsItself());
    }

    /** The file DJL reads first: engine, factories, and how the parameters are found. */
    private static String servingProperties(
            String dataset, ImageNormalization normalization, boolean loadsItself) {
        StringBuilder p = new StringBuilder();
        p.append("# Written by ").append(LIBRARY).append("; see manifest.json.\n");
        p.append("engine=").append(TorchScriptImport.ENGINE).append('\n');
        p.append("blockFactory=").append(CheckpointBlockFactory.class.getName()).append('\n');
        CifarTranslatorFactory.checkpointArguments(dataset, normalization)
                .forEach((key, value) -> p.append(key).append('=').append(value).append('\n'));
        p.append("option.modelName=").append(MODEL_NAME).append('\n');
        if (loadsItself) {
            // The block factory reads the weights itself; DJL must not look for a .params file.
            p.append("option.hasParameter=false\n");
        }
        return p.toString();
    }

    private static void checkArchitecture(Model model, Block inner, String architecture)
            throws IOException {
        Block rebuilt;
        try {
            rebuilt = Architectures.newBlock(architecture, model, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        List<String> expected = rebuilt.getParameters().keys();
        List<String> actual = inner.getParameters().keys();
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException(
                    "Architecture "
                            + architecture
                            + " has the parameters "
                            + expected
                            + " but the model's block has "
                            + actual);
        }
    }

    private static CheckpointManifest.ParameterEntry parameterEntry(
            String name, NDArray array, boolean checksum) {
        DataType type = array.getDataType();
        return new CheckpointManifest.ParameterEntry(
                name,
                array.getShape().getShape(),
                type.name().toLowerCase(java.util.Locale.ROOT),
                array.size() * type.getNumOfBytes(),
                checksum ? Digests.crc32(array.toByteArray()) : null);
    }

    private static String describe(List<CheckpointManifest.TensorEntry> tensors) {
        Map<String, List<String>> bySpec = new LinkedHashMap<>();
        for (CheckpointManifest.TensorEntry t : tensors) {
            bySpec.computeIfAbsent(t.spec(), k -> new ArrayList<>()).add(t.name());
        }
        Set<String> specs = bySpec.keySet();
        if (specs.size() == 1) {
            return specs.iterator().next() + " on " + tensors.size() + " weights";
        }
        return bySpec.entrySet().stream()
                .map(e -> e.getKey() + " on " + e.getValue())
                .collect(Collectors.joining("; "));
    }

    /** Builds a {@link CheckpointWriter}; every setting is optional. */
    public static final class Builder {
        private String dataset;
        private ImageNormalization normalization;
        private String application = IMAGE_CLASSIFICATION;
        private Path source;
        private String sourceDescription;
        private boolean replace;
        private boolean embedTorchScript = true;
        private QuantConfig.Mode loadMode;
        private Consumer<String> warnings = w -> logger.warn(w);

        private Builder() {}

        /**
         * Records the dataset the model was trained for; {@code cifar10} also names {@link
         * CifarTranslatorFactory} as the translator for images.
         *
         * @param dataset e.g. {@code cifar10}
         * @return this builder
         */
        public Builder optDataset(String dataset) {
            this.dataset = dataset;
            return this;
        }

        /**
         * Records how the model's input images are normalized, for the translator that loading the
         * checkpoint with {@code Image} inputs builds ({@link CifarTranslatorFactory}); for the
         * dataset {@value CheckpointWriter#CIFAR10} it is {@link ImageNormalization#CIFAR10} unless
         * set, otherwise none is recorded unless set.
         *
         * @param normalization the normalization the model was trained with
         * @return this builder
         */
        public Builder optNormalization(ImageNormalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /**
         * Sets the DJL application path; {@value CheckpointWriter#IMAGE_CLASSIFICATION} by default.
         *
         * @param application e.g. {@code cv/image_classification}
         * @return this builder
         */
        public Builder optApplication(String application) {
            this.application = Objects.requireNonNull(application, "application");
            return this;
        }

        /**
         * Records the file the float weights came from, with its SHA-256.
         *
         * @param file the source model file
         * @param description how it became the quantized model, or null
         * @return this builder
         */
        public Builder optSource(Path file, String description) {
            this.source = file;
            this.sourceDescription = description;
            return this;
        }

        /**
         * Replaces an existing checkpoint at the target path instead of refusing. Only a djlq
         * checkpoint is replaced: a directory with a {@code manifest.json} whose {@code format} is
         * {@value CheckpointManifest#FORMAT} (damaged or of another version counts) and no other
         * entries than a checkpoint's files. Anything else at the path (a file, a directory of
         * other files, the working directory or a parent of it) is refused with an exception, never
         * deleted; see {@link CheckpointWriter#checkTarget(Path)}.
         *
         * @param replace whether to replace
         * @return this builder
         */
        public Builder optReplaceExisting(boolean replace) {
            this.replace = replace;
            return this;
        }

        /**
         * Chooses whether a TorchScript checkpoint carries a copy of its TorchScript file, without
         * the quantized weights' values (the default), or references the file by absolute path and
         * SHA-256.
         *
         * @param embed true to embed the copy
         * @return this builder
         */
        public Builder optEmbedTorchScript(boolean embed) {
            this.embedTorchScript = embed;
            return this;
        }

        /**
         * Sets where the warnings of quantizing a TorchScript file go (a regex of the config that
         * matched no parameter, say); by default to {@code CheckpointWriter}'s logger. A DJL-native
         * checkpoint is written from a model quantized beforehand, whose report has the warnings.
         *
         * @param sink receives each warning
         * @return this builder
         */
        public Builder optWarnings(Consumer<String> sink) {
            this.warnings = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Sets how a loaded DJL-native checkpoint holds its weights: {@code COMPRESSED} (the
         * default: packed codes, dequantized per forward) or {@code SIMULATE} (dequantized once
         * into float weights). TorchScript checkpoints always load in {@code SIMULATE}.
         *
         * @param mode the load mode
         * @return this builder
         */
        public Builder optLoadMode(QuantConfig.Mode mode) {
            if (mode == QuantConfig.Mode.QAT) {
                throw new IllegalArgumentException("A checkpoint loads as COMPRESSED or SIMULATE");
            }
            this.loadMode = mode;
            return this;
        }

        /**
         * Builds the writer.
         *
         * @return the writer
         */
        public CheckpointWriter build() {
            return new CheckpointWriter(this);
        }
    }
}
