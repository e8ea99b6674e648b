package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import dev.djlquant.QuantConfig;
import dev.djlquant.Quantizers;
import dev.djlquant.SharedFiles;
import dev.djlquant.files.Digests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TorchScript model quantized as itself: the .pt travels along without its quantized weights'
 * values, which are restored on load.
 */
class TorchScriptCheckpointTest {

    @TempDir Path tmp;

    @Test
    void loadedCheckpointComputesWhatTheSimulatedModelComputes() throws Exception {
        Path pt = SharedFiles.require("models/resnet20_cifar10.pt");
        Path out = tmp.resolve("resnet20-dt4");
        CheckpointManifest manifest =
                CheckpointWriter.builder()
                        .optDataset("cifar10")
                        .build()
                        .writeTorchScript(pt, QuantConfig.of("dt4@row"), out);
        assertThat(manifest.kind()).isEqualTo(CheckpointManifest.Kind.TORCHSCRIPT);
        assertThat(manifest.mode()).isEqualTo("SIMULATE");
        assertThat(manifest.torchscript().embedded()).isTrue();
        assertThat(manifest.torchscript().floatBytes()).isGreaterThan(manifest.packedBytes());
        // The embedded copy leaves out the values of the quantized weights (float32, 4 bytes a
        // value): the checkpoint is the packed weights plus the module's code and small tensors.
        long quantizedFloatBytes = manifest.tensors().stream().mapToLong(t -> 4 * t.values()).sum();
        Path embedded = out.resolve(CheckpointWriter.TORCHSCRIPT_FILE);
        assertThat(Files.size(embedded))
                .isEqualTo(manifest.torchscript().bytes())
                .isLessThan(Files.size(pt) - quantizedFloatBytes * 9 / 10);
        assertThat(manifest.torchscript().sha256()).isEqualTo(Digests.sha256(embedded));
        assertThat(manifest.source().sha256()).isEqualTo(Digests.sha256(pt));
        assertThat(manifest.toMarkdown()).contains("Loading costs the float weights");
        assertThat(manifest.properties()).containsEntry("kind", "torchscript");

        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray input = manager.randomNormal(new Shape(2, 3, 32, 32));
            float[] expected;
            try (ZooModel<NDList, NDList> simulated =
                    Criteria.builder()
                            .setTypes(NDList.class, NDList.class)
                            .optModelPath(pt)
                            .optEngine("PyTorch")
                            .optOption("trainParam", "true")
                            .build()
                            .loadModel()) {
                Quantizers.apply(simulated, QuantConfig.of("dt4@row"));
                expected = forward(simulated, input);
            }
            try (ZooModel<NDList, NDList> loaded =
                    CheckpointReader.load(out, NDList.class, NDList.class)) {
                assertThat(forward(loaded, input)).containsExactly(expected);
                assertThatThrownBy(() -> Quantizers.apply(loaded, QuantConfig.of("int4@row")))
                        .hasMessageContaining("already holds values quantized with dt4@row");
            }
            // The same through the model zoo, where DJL copies the files into its cache first.
            Path root = tmp.resolve("repository");
            ModelRepository.at(root).publish(out, "resnet20-cifar10");
            try (ZooModel<NDList, NDList> zoo =
                    Criteria.builder()
                            .setTypes(NDList.class, NDList.class)
                            .optModelZoo(new QuantizedModelZoo(root))
                            .optGroupId(QuantizedModelZoo.GROUP_ID)
                            .optArtifactId("resnet20-cifar10")
                            .optFilter("kind", "torchscript")
                            .optFilter("spec", "dt4@row")
                            .build()
                            .loadModel()) {
                assertThat(forward(zoo, input)).containsExactly(expected);
            }
        }
    }

    @Test
    void aManifestListingAnotherSpecThanTheWeightsIsRefused() throws Exception {
        Path out = tmp.resolve("resnet20-int8");
        CheckpointManifest manifest = writeResNet20Int8(out);
        // Rewritten consistently (its own checksum too): only comparing the tensors notices.
        List<CheckpointManifest.TensorEntry> tensors = new ArrayList<>(manifest.tensors());
        CheckpointManifest.TensorEntry first = tensors.get(0);
        tensors.set(
                0,
                new CheckpointManifest.TensorEntry(
                        first.name(),
                        first.shape(),
                        "int2@tensor",
                        first.values(),
                        first.groups(),
                        first.codeBits(),
                        first.nominalBits(),
                        first.storageBytes(),
                        first.studyEstimateBytes(),
                        first.crc32(),
                        first.mae(),
                        first.mse(),
                        first.maxError(),
                        first.sqnrDb(),
                        first.entropyBits(),
                        first.exponents(),
                        first.zeros()));
        manifest.toBuilder().tensors(tensors).build().writeTo(out);
        // Every file matches its size and sha256; only reading the tensors finds the difference,
        // which loading and verifyTensors (djlq inspect) do.
        assertThat(CheckpointReader.verify(out).tensors().get(0).spec()).isEqualTo("int2@tensor");
        assertLoadAndInspectRefuse(
                out,
                out.resolve(WeightsFile.NAME).toString(),
                "is int8@row",
                "but manifest.json lists int2@tensor");
    }

    /**
     * A byte of an unquantized tensor damaged in the embedded module, with a manifest that records
     * the damaged file's size and sha256 (a faulty writer): libtorch would load the wrong value,
     * the entry's zip CRC-32 refuses it, on load and in verifyTensors.
     */
    @Test
    void aDamagedEmbeddedModuleThatTheManifestVouchesForIsRefused() throws Exception {
        Path out = tmp.resolve("resnet20-damaged-module");
        CheckpointManifest manifest = writeResNet20Int8(out);
        Path embedded = out.resolve(CheckpointWriter.TORCHSCRIPT_FILE);
        Files.write(
                embedded,
                StrippedTorchScriptTest.withEntryByteFlipped(embedded, "resnet20_cifar10/data/1"));
        String sha = Digests.sha256(embedded);
        CheckpointManifest.TorchScript ts = manifest.torchscript();
        manifest.toBuilder()
                .torchscript(
                        new CheckpointManifest.TorchScript(
                                ts.embedded(), ts.file(), sha, ts.bytes(), ts.floatBytes()))
                .files(
                        manifest.files().stream()
                                .map(
                                        f ->
                                                f.name().equals(ts.file())
                                                        ? new CheckpointManifest.FileEntry(
                                                                f.name(), f.role(), f.bytes(), sha)
                                                        : f)
                                .toList())
                .build()
                .writeTo(out);
        CheckpointReader.verify(out);
        assertLoadAndInspectRefuse(
                out, embedded.toString(), "its entry resnet20_cifar10/data/1 fails its CRC-32");
    }

    /**
     * Loading and {@code verifyTensors} (what {@code djlq inspect} runs) both refuse {@code out}
     * with a message that holds each of {@code parts}.
     */
    private static void assertLoadAndInspectRefuse(Path out, String... parts) {
        for (ThrowingCallable check :
                List.<ThrowingCallable>of(
                        () -> CheckpointReader.load(out, NDList.class, NDList.class),
                        () -> CheckpointReader.verifyTensors(out))) {
            var refusal = assertThatThrownBy(check).isInstanceOf(CheckpointException.class);
            for (String part : parts) {
                refusal.hasMessageContaining(part);
            }
        }
    }

    /** TorchScript checkpoints restore their weights into the module: SIMULATE is their mode. */
    @Test
    void aTorchScriptManifestInCompressedModeIsRefused() throws Exception {
        Path out = tmp.resolve("resnet20-compressed");
        writeResNet20Int8(out).toBuilder().mode("COMPRESSED").build().writeTo(out);
        assertThatThrownBy(() -> CheckpointReader.verify(out))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(
                        "has the mode COMPRESSED, which TorchScript checkpoints do not have");
    }

    /** Writes the shared ResNet20 quantized with {@code int8@row} as an embedded checkpoint. */
    private static CheckpointManifest writeResNet20Int8(Path out) throws Exception {
        return CheckpointWriter.builder()
                .build()
                .writeTorchScript(
                        SharedFiles.require("models/resnet20_cifar10.pt"),
                        QuantConfig.of("int8@row"),
                        out);
    }

    /** A manifest rewritten consistently but without the TorchScript file's digest is refused. */
    @Test
    void aManifestWithoutTheTorchScriptDigestIsRefusedByField() throws Exception {
        Path out = tmp.resolve("resnet20-no-digest");
        CheckpointManifest manifest = writeResNet20Int8(out);
        CheckpointManifest.TorchScript ts = manifest.torchscript();
        manifest.toBuilder()
                .torchscript(
                        new CheckpointManifest.TorchScript(
                                ts.embedded(), ts.file(), null, ts.bytes(), ts.floatBytes()))
                .build()
                .writeTo(out);
        assertThatThrownBy(() -> CheckpointReader.verify(out))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("lacks the fields [torchscript.sha256]");
    }

    @Test
    void referencedTorchScriptIsNotCopied() throws Exception {
        Path pt = SharedFiles.require("models/resnet20_cifar10.pt");
        Path out = tmp.resolve("linked");
        List<String> warnings = new ArrayList<>();
        QuantConfig config =
                QuantConfig.builder().setScheme("int8@row").addExclude("no-such-layer").build();
        CheckpointManifest manifest =
                CheckpointWriter.builder()
                        .optEmbedTorchScript(false)
                        .optWarnings(warnings::add)
                        .build()
                        .writeTorchScript(pt, config, out);
        // The quantization's warnings reach the caller, who has no report to read them from.
        assertThat(warnings).containsExactly("regex 'no-such-layer' matched no parameter");
        assertThat(manifest.torchscript().embedded()).isFalse();
        assertThat(manifest.torchscript().file())
                .isEqualTo(pt.toAbsolutePath().normalize().toString());
        long onDisk;
        try (var files = Files.list(out)) {
            onDisk = files.mapToLong(p -> p.toFile().length()).sum();
        }
        assertThat(onDisk).isLessThan(Files.size(pt));
        try (ZooModel<NDList, NDList> loaded =
                CheckpointReader.load(out, NDList.class, NDList.class)) {
            assertThat(loaded.getBlock().getParameters().size()).isGreaterThan(20);
        }
    }

    /** The model's inference output for {@code input}, in a scope of its own. */
    static float[] forward(ZooModel<NDList, NDList> model, NDArray input) {
        try (NDManager scope = model.getNDManager().newSubManager()) {
            NDArray x = input.toDevice(scope.getDevice(), true);
            x.attach(scope);
            return model.getBlock()
                    .forward(new ParameterStore(scope, false), new NDList(x), false)
                    .head()
                    .toFloatArray();
        }
    }
}
