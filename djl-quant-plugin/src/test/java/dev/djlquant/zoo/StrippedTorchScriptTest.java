package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import dev.djlquant.QuantConfig;
import dev.djlquant.Quantizers;
import dev.djlquant.SharedFiles;
import dev.djlquant.files.Digests;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded TorchScript copy without the quantized weights' values, on the shared ResNet20. */
class StrippedTorchScriptTest {

    private static final Path RESNET20 = SharedFiles.require("models/resnet20_cifar10.pt");

    @TempDir Path tmp;

    @Test
    void blanksExactlyTheGivenWeightsAndLoadsWithTheOthersIntact() throws Exception {
        Map<String, StrippedTorchScript.Content> original = contents(RESNET20);
        Map<StrippedTorchScript.Content, DataType> blank = new HashMap<>();
        Map<String, StrippedTorchScript.Content> kept = new LinkedHashMap<>();
        long blankBytes = 0;
        for (Map.Entry<String, StrippedTorchScript.Content> e : original.entrySet()) {
            if (e.getKey().endsWith("conv1.weight") || e.getKey().equals("linear.weight")) {
                blank.put(e.getValue(), DataType.FLOAT32);
                blankBytes += e.getValue().bytes();
            } else {
                kept.put(e.getKey(), e.getValue());
            }
        }
        Path copy = tmp.resolve("copy.pt");

        int blanked = StrippedTorchScript.write(RESNET20, blank, copy);

        assertThat(blanked).isEqualTo(blank.size());
        // Each blanked storage deflates to a few hundred bytes at most.
        assertThat(Files.size(copy))
                .isLessThan(Files.size(RESNET20) - blankBytes + 500L * blank.size());
        StrippedTorchScript.checkUnchanged(copy, kept);
        try (ZooModel<NDList, NDList> m = TorchScriptImport.openModule(copy, false)) {
            for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
                NDArray values = p.getValue().getArray();
                if (kept.containsKey(p.getKey())) {
                    continue;
                }
                assertThat(values.isNaN().all().getBoolean())
                        .as("%s is NaN throughout", p.getKey())
                        .isTrue();
            }
        }
    }

    @Test
    void theCopyOnItsOwnIsRefusedByName() throws Exception {
        Map<String, StrippedTorchScript.Content> original = contents(RESNET20);
        Path copy = tmp.resolve("copy.pt");
        StrippedTorchScript.write(
                RESNET20, Map.of(original.get("linear.weight"), DataType.FLOAT32), copy);

        assertThat(StrippedTorchScript.isStripped(copy)).isTrue();
        assertThat(StrippedTorchScript.isStripped(RESNET20)).isFalse();
        assertThatThrownBy(() -> TorchScriptImport.open(copy, false))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining(copy.toString())
                .hasMessageContaining("module of a djlq checkpoint");
        assertThatThrownBy(() -> TorchScriptImport.load(copy, "alexnet-cifar10"))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("module of a djlq checkpoint");
    }

    @Test
    void aChangedParameterIsNamed() throws Exception {
        Map<String, StrippedTorchScript.Content> original = contents(RESNET20);
        Path copy = tmp.resolve("copy.pt");
        StrippedTorchScript.write(
                RESNET20, Map.of(original.get("layer2.1.conv2.weight"), DataType.FLOAT32), copy);

        assertThatThrownBy(() -> StrippedTorchScript.checkUnchanged(copy, original))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(copy.toString())
                .hasMessageContaining("layer2.1.conv2.weight");
    }

    /**
     * A byte damaged inside a stored tensor of the source (libtorch would load it as a wrong value)
     * is found by the entry's CRC-32 and named with the source file, when it is opened and when the
     * writer copies it, not blamed on the copy being written.
     */
    @Test
    void aDamagedEntryOfTheSourceIsNamedWithTheSource() throws Exception {
        String damagedEntry = "resnet20_cifar10/data/1";
        byte[] raw = withEntryByteFlipped(RESNET20, damagedEntry);
        Path damaged = Files.write(tmp.resolve("damaged.pt"), raw);
        Path copy = tmp.resolve("copy.pt");

        assertThatThrownBy(() -> TorchScriptImport.open(damaged, false))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageStartingWith("Cannot load TorchScript model " + damaged)
                .hasMessageContaining("its entry " + damagedEntry + " fails its CRC-32");
        assertThatThrownBy(() -> StrippedTorchScript.write(damaged, Map.of(), copy))
                .isInstanceOf(FileSystemException.class)
                .hasMessageStartingWith(damaged + ": its entry " + damagedEntry)
                .hasMessageContaining("the file is damaged");
        assertThat(ZipChecksums.firstMismatch(RESNET20)).isNull();
    }

    /**
     * The bytes of {@code archive} with one byte flipped inside its stored entry {@code name},
     * whose bytes lie in the file as they are.
     */
    static byte[] withEntryByteFlipped(Path archive, String name) throws Exception {
        byte[] raw = Files.readAllBytes(archive);
        byte[] content;
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            assertThat(entry.getMethod()).isEqualTo(ZipEntry.STORED);
            try (InputStream in = zip.getInputStream(entry)) {
                content = in.readAllBytes();
            }
        }
        byte[] head = Arrays.copyOf(content, 32);
        for (int i = 0; i + head.length <= raw.length; i++) {
            if (Arrays.equals(raw, i, i + head.length, head, 0, head.length)) {
                raw[i + 5] ^= 1;
                return raw;
            }
        }
        throw new AssertionError(name + " not found in " + archive);
    }

    @Test
    void contentThatSeveralStoragesShareIsNeverBlanked() throws Exception {
        // Every batch norm's num_batches_tracked holds the same count: one 8-byte storage each.
        Map<StrippedTorchScript.Content, Integer> storages = new HashMap<>();
        try (ZipFile zip = new ZipFile(RESNET20.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                if (entry.getName().contains("/data/")) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        storages.merge(
                                new StrippedTorchScript.Content(
                                        entry.getSize(), Digests.sha256(in)),
                                1,
                                Integer::sum);
                    }
                }
            }
        }
        Map<StrippedTorchScript.Content, DataType> shared = new HashMap<>();
        storages.forEach(
                (content, count) -> {
                    if (count > 1) {
                        shared.put(content, DataType.INT64);
                    }
                });
        assertThat(shared).isNotEmpty();
        Path copy = tmp.resolve("copy.pt");

        assertThat(StrippedTorchScript.write(RESNET20, shared, copy)).isZero();
        assertThat(contents(copy)).isEqualTo(contents(RESNET20));
    }

    /**
     * A module whose weights repeat or share storages (src/test/resources/torchscript, written by
     * its script): two weights with equal values and a weight with a buffer holding a copy of it
     * keep their values; the weight whose storage a buffer shares is blanked, and the checkpoint
     * computes what the SIMULATE model computes, the buffer included.
     */
    @Test
    void repeatedStoragesAreKeptAndASharedOneIsRestoredForBoth() throws Exception {
        Path pt = tmp.resolve("shared_storages.pt");
        try (InputStream in = getClass().getResourceAsStream("/torchscript/shared_storages.pt")) {
            Files.copy(in, pt);
        }
        Path out = tmp.resolve("checkpoint");
        CheckpointWriter.builder().build().writeTorchScript(pt, QuantConfig.of("int8@row"), out);

        List<String> deflated = new ArrayList<>();
        try (ZipFile zip = new ZipFile(out.resolve(CheckpointWriter.TORCHSCRIPT_FILE).toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                if (entry.getMethod() == ZipEntry.DEFLATED && entry.getName().contains("/data/")) {
                    deflated.add(entry.getName() + " " + entry.getSize());
                }
            }
        }
        assertThat(deflated).containsExactly("shared_storages/data/1 256");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.randomNormal(new Shape(3, 16));
            float[] expected;
            try (ZooModel<NDList, NDList> simulated = TorchScriptImport.open(pt, true)) {
                Quantizers.apply(simulated, QuantConfig.of("int8@row"));
                expected = TorchScriptCheckpointTest.forward(simulated, x);
            }
            try (ZooModel<NDList, NDList> loaded =
                    CheckpointReader.load(out, NDList.class, NDList.class)) {
                assertThat(TorchScriptCheckpointTest.forward(loaded, x)).containsExactly(expected);
            }
        }
    }

    private static Map<String, StrippedTorchScript.Content> contents(Path torchScript)
            throws Exception {
        Map<String, StrippedTorchScript.Content> contents = new LinkedHashMap<>();
        try (ZooModel<NDList, NDList> m = TorchScriptImport.openModule(torchScript, false)) {
            for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
                contents.put(p.getKey(), StrippedTorchScript.Content.of(p.getValue().getArray()));
            }
        }
        return contents;
    }
}
