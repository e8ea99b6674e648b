package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizers;
import dev.djlquant.files.AtomicFiles;
import dev.djlquant.files.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a checkpoint can be damaged fails loading with a message naming file and problem. */
class CheckpointCorruptionTest {

    @TempDir Path tmp;

    private Path checkpoint;

    @BeforeEach
    void write() throws Exception {
        checkpoint = tmp.resolve("tiny");
        writeTiny(checkpoint, QuantConfig.builder().setScheme("int4@row"));
    }

    static CheckpointManifest writeTiny(Path out, QuantConfig.Builder config) throws Exception {
        return writeTiny(out, config, CheckpointWriter.builder());
    }

    static CheckpointManifest writeTiny(
            Path out, QuantConfig.Builder config, CheckpointWriter.Builder writer)
            throws Exception {
        Model model = Model.newInstance("tiny", "PyTorch");
        try (model) {
            model.getNDManager().getEngine().setRandomSeed(7);
            model.setBlock(TinyNet.block());
            model.getBlock()
                    .initialize(
                            model.getNDManager(),
                            ai.djl.ndarray.types.DataType.FLOAT32,
                            TinyNet.INPUT);
            QuantizationReport report =
                    Quantizers.apply(model, config.optMode(QuantConfig.Mode.COMPRESSED).build());
            return writer.build().writeNative(model, report, TinyNet.class.getName(), out);
        }
    }

    private Path params() {
        return checkpoint.resolve(CheckpointWriter.PARAMETERS_FILE);
    }

    private Path manifestFile() {
        return checkpoint.resolve(CheckpointManifest.FILE_NAME);
    }

    /**
     * Loading, and verifying every tensor as {@code djlq inspect} does, both refuse the same way.
     */
    private void assertLoadFails(Path file, String problem) {
        for (var attempt :
                List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                        () -> {
                            try (ZooModel<NDList, NDList> m =
                                    CheckpointReader.load(checkpoint, NDList.class, NDList.class)) {
                                throw new AssertionError("loaded " + m.getBlock());
                            }
                        },
                        () -> CheckpointReader.verifyTensors(checkpoint))) {
            assertThatThrownBy(attempt)
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining(problem)
                    .satisfies(e -> assertThat(((CheckpointException) e).file()).isEqualTo(file));
        }
    }

    @Test
    void intactCheckpointLoads() throws Exception {
        try (ZooModel<NDList, NDList> m =
                CheckpointReader.load(checkpoint, NDList.class, NDList.class)) {
            assertThat(m.getBlock().getClass().getSimpleName()).isEqualTo("CheckpointBlock");
        }
    }

    @Test
    void truncatedParameterFile() throws Exception {
        byte[] bytes = Files.readAllBytes(params());
        Files.write(params(), java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertLoadFails(
                params(),
                "is " + (bytes.length - 100) + " bytes, the manifest records " + bytes.length);
    }

    @Test
    void anEditedFileOfAnotherSizeIsNotCalledTruncated() throws Exception {
        Path serving = checkpoint.resolve(CheckpointWriter.SERVING_FILE);
        String text = Files.readString(serving, StandardCharsets.ISO_8859_1);
        long size = Files.size(serving);
        // Two bytes shorter, but not a prefix of what was written: an edit, not a truncation.
        Files.writeString(serving, "#" + text.substring(3), StandardCharsets.ISO_8859_1);
        assertLoadFails(serving, "is " + (size - 2) + " bytes, the manifest records " + size);
        assertThatThrownBy(() -> CheckpointReader.verify(checkpoint))
                .hasMessageNotContaining("truncated");
    }

    @Test
    void anUnlistedParameterFileOfALaterEpochIsRefusedByName() throws Exception {
        // DJL reads the parameter file of the highest epoch, not the one manifest.json lists.
        Path other = tmp.resolve("other");
        writeTiny(other, QuantConfig.builder().setScheme("int8@row"));
        Path stray = checkpoint.resolve("model-0001.params");
        Files.copy(other.resolve(CheckpointWriter.PARAMETERS_FILE), stray);
        assertLoadFails(stray, "manifest.json does not list");
        // What `djlq inspect` checks: the same refusal without loading.
        assertThatThrownBy(() -> CheckpointReader.verify(checkpoint))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(stray.toString())
                .hasMessageContaining("manifest.json does not list");
    }

    @Test
    void aDirectoryWhereAFileShouldBeIsNotAFileRatherThanMissing() throws Exception {
        Files.delete(params());
        Files.createDirectory(params());
        assertLoadFails(params(), "is not a regular file (listed in manifest.json)");
    }

    /** A pipe in place of the manifest is refused at once, not read until it ends. */
    @Test
    @Timeout(60)
    void aPipeInPlaceOfTheManifestIsRefusedWithoutReadingIt() throws Exception {
        Files.delete(manifestFile());
        Process mkfifo = new ProcessBuilder("mkfifo", manifestFile().toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        assertLoadFails(manifestFile(), "is not a regular file");
        assertThatThrownBy(() -> CheckpointReader.verify(checkpoint))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(manifestFile() + ": is not a regular file");
    }

    /**
     * Rewrites manifest.json with {@code edit} applied and its own checksum recomputed, as a
     * hand-edited and re-signed manifest would be: only the field checks can catch it then.
     */
    private void resign(java.util.function.Consumer<JsonObject> edit) throws Exception {
        JsonObject json =
                JsonParser.parseString(Files.readString(manifestFile())).getAsJsonObject();
        edit.accept(json);
        json.remove("manifest_sha256");
        json.addProperty("manifest_sha256", "0".repeat(64));
        // Nulls written out, as an editor leaves them.
        String text =
                new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(json) + "\n";
        String sha = Digests.sha256(text.getBytes(StandardCharsets.UTF_8));
        Files.writeString(manifestFile(), text.replace("0".repeat(64), sha));
    }

    static Stream<Arguments> wrongFieldTypes() {
        return Stream.of(
                Arguments.of(
                        "format null",
                        edit(j -> j.add("format", JsonNull.INSTANCE)),
                        "field format is null"),
                Arguments.of(
                        "format object",
                        edit(j -> j.add("format", object())),
                        "field format is {\"x\":1}"),
                Arguments.of(
                        "spec object",
                        edit(j -> j.add("spec", object())),
                        "spec is an object, expected a string"),
                Arguments.of(
                        "kind unknown",
                        edit(j -> j.addProperty("kind", "bogus")),
                        "kind is the string \"bogus\", expected one of [djl-native, torchscript]"),
                Arguments.of(
                        "tensor null",
                        edit(j -> j.getAsJsonArray("tensors").set(1, JsonNull.INSTANCE)),
                        "tensors[1] is null, expected an object"),
                Arguments.of(
                        "tensor spec object",
                        edit(
                                j ->
                                        j.getAsJsonArray("tensors")
                                                .get(0)
                                                .getAsJsonObject()
                                                .add("spec", object())),
                        "tensors[0].spec is an object, expected a string"),
                Arguments.of(
                        "shape of strings",
                        edit(
                                j -> {
                                    JsonArray shape = new JsonArray();
                                    shape.add("four");
                                    j.getAsJsonArray("tensors")
                                            .get(0)
                                            .getAsJsonObject()
                                            .add("shape", shape);
                                }),
                        "tensors[0].shape[0] is the string \"four\", expected a number"),
                Arguments.of(
                        "spec array",
                        edit(j -> j.add("spec", new JsonArray())),
                        "spec is an array, expected a string"),
                Arguments.of(
                        "shape a number",
                        edit(
                                j ->
                                        j.getAsJsonArray("tensors")
                                                .get(0)
                                                .getAsJsonObject()
                                                .addProperty("shape", 4)),
                        "tensors[0].shape is 4, expected an array"),
                Arguments.of(
                        "shape of booleans",
                        edit(
                                j -> {
                                    JsonArray shape = new JsonArray();
                                    shape.add(true);
                                    j.getAsJsonArray("tensors")
                                            .get(0)
                                            .getAsJsonObject()
                                            .add("shape", shape);
                                }),
                        "tensors[0].shape[0] is true, expected a number"),
                Arguments.of(
                        "a long string, shortened",
                        edit(j -> j.addProperty("kind", "k".repeat(41))),
                        "kind is the string \"" + "k".repeat(40) + "...\", expected one of"),
                Arguments.of(
                        "unquantized dtype missing",
                        edit(
                                j ->
                                        j.getAsJsonArray("unquantized")
                                                .get(0)
                                                .getAsJsonObject()
                                                .remove("dtype")),
                        "lacks the fields [unquantized[0].dtype]"),
                Arguments.of(
                        "files not a list",
                        edit(j -> j.addProperty("files", "model-0000.params")),
                        "files is the string \"model-0000.params\", expected an array"),
                Arguments.of(
                        "file name null",
                        edit(
                                j ->
                                        j.getAsJsonArray("files")
                                                .get(0)
                                                .getAsJsonObject()
                                                .add("name", JsonNull.INSTANCE)),
                        "lacks the fields [files[0].name]"),
                Arguments.of(
                        "tensor crc missing",
                        edit(
                                j ->
                                        j.getAsJsonArray("tensors")
                                                .get(1)
                                                .getAsJsonObject()
                                                .remove("crc32")),
                        "lacks the fields [tensors[1].crc32]"),
                Arguments.of(
                        "mode unknown",
                        edit(j -> j.addProperty("mode", "BOGUS")),
                        "has the mode 'BOGUS'; expected SIMULATE or COMPRESSED"),
                Arguments.of(
                        "normalization object",
                        edit(j -> j.add("normalization", object())),
                        "normalization is an object, expected a string"),
                Arguments.of(
                        "normalization of two channels",
                        edit(j -> j.addProperty("normalization", "0.5,0.5/0.2,0.2,0.2")),
                        "has a bad normalization: Bad normalization '0.5,0.5/0.2,0.2,0.2':"
                                + " Normalization needs 3 means and 3 standard deviations, got 2"
                                + " and 3"),
                Arguments.of(
                        "normalization with a negative deviation",
                        edit(j -> j.addProperty("normalization", "0.5,0.5,0.5/0.2,-1,0.2")),
                        "standard deviation of channel 1 is -1.0"),
                Arguments.of(
                        "tensors empty",
                        edit(j -> j.add("tensors", new JsonArray())),
                        "lists no quantized tensors"),
                Arguments.of(
                        "tensors absent",
                        edit(j -> j.remove("tensors")),
                        "lists no quantized tensors"),
                shape("-1, 2"),
                shape("0, 16"),
                shape(""),
                shape("4611686018427387904, 4"),
                shape("1, 2"));
    }

    /**
     * A tensor listed with a shape that no tensor of its value count has: a dimension below 1, an
     * overflowing product, or one that is not the count.
     */
    private static Arguments shape(String dims) {
        return Arguments.of(
                "shape [" + dims + "]",
                edit(
                        j ->
                                j.getAsJsonArray("tensors")
                                        .get(0)
                                        .getAsJsonObject()
                                        .add("shape", JsonParser.parseString("[" + dims + "]"))),
                "with the shape [" + dims + "] and ");
    }

    private static java.util.function.Consumer<JsonObject> edit(
            java.util.function.Consumer<JsonObject> e) {
        return e;
    }

    private static JsonObject object() {
        JsonObject o = new JsonObject();
        o.addProperty("x", 1);
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongFieldTypes")
    void aReSignedManifestWithAFieldOfTheWrongTypeNamesTheField(
            String name, java.util.function.Consumer<JsonObject> edit, String problem)
            throws Exception {
        resign(edit);
        for (var check :
                List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                        () -> CheckpointManifest.read(checkpoint),
                        () -> CheckpointReader.verify(checkpoint))) {
            assertThatThrownBy(check)
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(manifestFile().toString())
                    .hasMessageContaining(problem)
                    .hasMessageNotContaining("JsonNull")
                    .hasMessageNotContaining("JsonObject");
        }
        assertLoadFails(manifestFile(), problem);
    }

    /**
     * A manifest re-signed to describe a packed tensor otherwise than the intact parameter file
     * (every file digest still matches) is refused when the tensor is read, naming the file.
     */
    @Test
    void aManifestDescribingATensorOtherwiseIsRefusedOnLoad() throws Exception {
        CheckpointManifest.TensorEntry intact =
                CheckpointManifest.read(checkpoint).tensors().get(0);
        String name = intact.name();
        resign(
                j ->
                        j.getAsJsonArray("tensors")
                                .get(0)
                                .getAsJsonObject()
                                .addProperty("spec", "int2@row"));
        assertLoadFails(params(), "tensor " + name + " is int4@row");
        assertLoadFails(params(), "but manifest.json lists int2@row");

        resign(
                j -> {
                    JsonObject tensor = j.getAsJsonArray("tensors").get(0).getAsJsonObject();
                    tensor.addProperty("spec", "int4@row");
                    tensor.addProperty("crc32", "00000000");
                });
        assertLoadFails(params(), "tensor " + name + " does not match its CRC-32 in manifest.json");

        resign(
                j -> {
                    JsonObject tensor = j.getAsJsonArray("tensors").get(0).getAsJsonObject();
                    tensor.addProperty("spec", intact.spec());
                    tensor.addProperty("crc32", intact.crc32());
                    tensor.addProperty("groups", intact.groups() + 1);
                });
        assertLoadFails(
                params(),
                "tensor "
                        + name
                        + " has "
                        + intact.groups()
                        + " groups in "
                        + intact.storageBytes()
                        + " bytes but manifest.json lists "
                        + (intact.groups() + 1)
                        + " in "
                        + intact.storageBytes());
    }

    @Test
    void flippedByteInTheParameterFile() throws Exception {
        byte[] bytes = Files.readAllBytes(params());
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(params(), bytes);
        assertLoadFails(params(), "sha256 mismatch");
    }

    @Test
    void flippedByteInTheManifest() throws Exception {
        byte[] bytes = Files.readAllBytes(manifestFile());
        bytes[bytes.length / 3] ^= 0x01;
        Files.write(manifestFile(), bytes);
        assertLoadFails(manifestFile(), "checksum mismatch");
    }

    @Test
    void truncatedManifest() throws Exception {
        byte[] bytes = Files.readAllBytes(manifestFile());
        Files.write(manifestFile(), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertLoadFails(manifestFile(), "truncated");
    }

    @Test
    void newerFormatVersion() throws Exception {
        CheckpointManifest m = CheckpointManifest.read(checkpoint);
        m.toBuilder().formatVersion(2).build().writeTo(checkpoint);
        assertLoadFails(manifestFile(), "format version 2 is not supported");
        assertThatThrownBy(() -> CheckpointReader.verify(checkpoint))
                .hasMessageContaining("upgrade djl-quant");
    }

    @Test
    void missingFile() throws Exception {
        Files.delete(params());
        assertLoadFails(params(), "missing");
    }

    @Test
    void missingManifest() throws Exception {
        Files.delete(manifestFile());
        // Its serving.properties still says what it was.
        assertLoadFails(manifestFile(), "is missing: " + checkpoint + " is a djlq checkpoint");
        Files.delete(checkpoint.resolve(CheckpointWriter.SERVING_FILE));
        assertLoadFails(manifestFile(), "not a djlq checkpoint directory");
    }

    @Test
    void missingTensorInAConsistentlyRewrittenCheckpoint() throws Exception {
        // A parameter file without the quantized Linear weight, and a manifest whose file
        // checksums were updated to match it: only the per-tensor check can notice.
        Path other = tmp.resolve("linear-excluded");
        writeTiny(other, QuantConfig.builder().setScheme("int4@row").addExclude("Linear"));
        Files.copy(
                other.resolve(CheckpointWriter.PARAMETERS_FILE),
                params(),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        recordParameterFile();
        assertLoadFails(params(), "quantized tensor 04Linear_weight listed in manifest.json");
    }

    /** Records the parameter file's present size and checksum in a manifest written anew. */
    private void recordParameterFile() throws Exception {
        record(params());
        CheckpointReader.verify(checkpoint);
    }

    /** Records {@code file}'s present size and checksum in a manifest written anew. */
    private void record(Path file) throws Exception {
        CheckpointManifest m = CheckpointManifest.read(checkpoint);
        long size = Files.size(file);
        String sha = Digests.sha256(file);
        String name = file.getFileName().toString();
        List<CheckpointManifest.FileEntry> files =
                m.files().stream()
                        .map(
                                f ->
                                        f.name().equals(name)
                                                ? new CheckpointManifest.FileEntry(
                                                        f.name(), f.role(), size, sha)
                                                : f)
                        .toList();
        m.toBuilder().files(files).build().writeTo(checkpoint);
    }

    @Test
    void aManifestWhoseSpecIsNotItsTensorsIsRefused() throws Exception {
        // Two tensors of int4@row: a model zoo would file the checkpoint under the wrong scheme.
        resign(j -> j.addProperty("spec", "int8@row"));
        assertLoadFails(
                manifestFile(),
                "has the spec int8@row, but most of its quantized values are int4@row");
    }

    @Test
    void aManifestWhoseModeItsServingPropertiesContradictsIsRefused() throws Exception {
        // Signed anew after the edit: the checksums pass, but a SIMULATE checkpoint loads itself.
        resign(j -> j.addProperty("mode", "SIMULATE"));
        assertLoadFails(
                checkpoint.resolve(CheckpointWriter.SERVING_FILE),
                "but the manifest.json beside it implies {blockFactory="
                        + CheckpointBlockFactory.class.getName()
                        + ", engine=PyTorch, option.hasParameter=false,");
    }

    @Test
    void anEditedServingPropertiesWithItsChecksumRecordedIsRefusedByName() throws Exception {
        Path serving = checkpoint.resolve(CheckpointWriter.SERVING_FILE);
        String text = Files.readString(serving, StandardCharsets.ISO_8859_1);
        Files.writeString(serving, text.replace("engine=PyTorch", "engine=OnnxRuntime"));
        record(serving);
        assertLoadFails(serving, "says {blockFactory=");
        assertLoadFails(serving, "engine=OnnxRuntime");

        // Comments are not what DJL reads: a commented file still loads.
        Files.writeString(serving, "# annotated by hand\n" + text);
        record(serving);
        try (ZooModel<NDList, NDList> m =
                CheckpointReader.load(checkpoint, NDList.class, NDList.class)) {
            assertThat(m.getBlock()).isInstanceOf(CheckpointBlock.class);
        }
    }

    @Test
    void aDamagedParameterHeaderWithItsChecksumRecordedIsNamed() throws Exception {
        byte[] bytes = Files.readAllBytes(params());
        bytes[6] ^= 0x7F; // inside the header, after the magic bytes "DJL@" and the version
        Files.write(params(), bytes);
        recordParameterFile();
        assertLoadFails(params(), "");
    }

    /** DJL's own refusal of a data type name it does not know names the file too. */
    @Test
    void aDamagedDataTypeNameWithItsChecksumRecordedIsNamed() throws Exception {
        byte[] bytes = Files.readAllBytes(params());
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("FLOAT32");
        assertThat(at).isPositive();
        bytes[at + 1] = 'Z';
        Files.write(params(), bytes);
        recordParameterFile();
        assertLoadFails(params(), "FZOAT32");
    }

    @Test
    void aParameterFileThatDjlDoesNotReadFailsTheLoad() throws Exception {
        // DJL reads no parameters, silently, from a file without its magic bytes "DJL@".
        byte[] bytes = Files.readAllBytes(params());
        bytes[0] ^= 0x10;
        Files.write(params(), bytes);
        recordParameterFile();
        assertLoadFails(params(), "was not read");
        // Loaded around the reader (the model zoo's way), the first forward says the same.
        try (ZooModel<NDList, NDList> m =
                        Criteria.builder()
                                .setTypes(NDList.class, NDList.class)
                                .optModelPath(checkpoint)
                                .build()
                                .loadModel();
                NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(
                            () ->
                                    m.getBlock()
                                            .forward(
                                                    new ParameterStore(manager, false),
                                                    new NDList(manager.ones(TinyNet.INPUT)),
                                                    false))
                    .hasMessageContaining(params().toString())
                    .hasMessageContaining("was not read");
        }
    }

    @Test
    void referencedTorchScriptThatChangedIsRejected() throws Exception {
        Path pt = tmp.resolve("copy.pt");
        Files.copy(dev.djlquant.SharedFiles.require("models/resnet20_cifar10.pt"), pt);
        Path ts = tmp.resolve("ts");
        CheckpointWriter.builder()
                .optEmbedTorchScript(false)
                .build()
                .writeTorchScript(pt, QuantConfig.of("int8@row"), ts);
        assertThat(ts.resolve(CheckpointWriter.TORCHSCRIPT_FILE)).doesNotExist();
        byte[] bytes = Files.readAllBytes(pt);
        bytes[bytes.length - 10] ^= 0x40;
        Files.write(pt, bytes);
        checkpoint = ts;
        assertLoadFails(pt, "the TorchScript file this checkpoint references): damaged or changed");
    }

    @Test
    void writingNeverLeavesAHalfWrittenCheckpoint() throws Exception {
        Path target = tmp.resolve("half");
        assertThatThrownBy(
                        () ->
                                AtomicFiles.writeDirectory(
                                        target,
                                        absent -> {},
                                        dir -> {
                                            Files.writeString(dir.resolve("a"), "partial");
                                            throw new java.io.IOException("disk full");
                                        }))
                .hasMessage("disk full");
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("tiny");
        }
        // An existing checkpoint is neither overwritten nor damaged without optReplaceExisting.
        byte[] before = Files.readAllBytes(params());
        assertThatThrownBy(() -> writeTiny(checkpoint, QuantConfig.builder().setScheme("int8@row")))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readAllBytes(params())).isEqualTo(before);
        CheckpointReader.verify(checkpoint);
        // With optReplaceExisting the new checkpoint takes its place whole.
        QuantizationReport[] report = new QuantizationReport[1];
        try (Model model = TinyNet.compressed("int8@row", 3, report)) {
            CheckpointWriter.builder()
                    .optReplaceExisting(true)
                    .build()
                    .writeNative(model, report[0], TinyNet.class.getName(), checkpoint);
        }
        assertThat(CheckpointReader.verify(checkpoint).spec()).isEqualTo("int8@row");
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("tiny");
        }
    }
}
