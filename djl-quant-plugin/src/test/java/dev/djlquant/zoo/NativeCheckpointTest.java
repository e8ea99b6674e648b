package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Dataset;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.Quantizers;
import dev.djlquant.SharedFiles;
import dev.djlquant.data.CifarData;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AlexNet-CIFAR at dt4@row written as a DJL-native checkpoint: its size against the packed size,
 * loading through {@code Criteria.optModelPath} and through the model zoo with filters, and
 * predictions equal to the in-memory quantized model's on real test images.
 */
class NativeCheckpointTest {

    @TempDir static Path tmp;

    private static Model model;
    private static QuantizationReport report;
    private static CheckpointManifest manifest;
    private static Path checkpoint;
    private static CifarImages images;
    private static float[] expectedLogits;

    @BeforeAll
    static void writeCheckpoint() throws Exception {
        Path pt = SharedFiles.require("models/alexnet_cifar10_fp16.pt");
        model = TorchScriptImport.load(pt, CifarArchitectures.ALEXNET);
        report =
                Quantizers.apply(
                        model,
                        QuantConfig.builder()
                                .setScheme("dt4@row")
                                .optMode(QuantConfig.Mode.COMPRESSED)
                                .build());
        checkpoint = tmp.resolve("alexnet-dt4");
        manifest =
                CheckpointWriter.builder()
                        .optDataset("cifar10")
                        .optSource(pt, "imported by order into alexnet-cifar10")
                        .build()
                        .writeNative(model, report, CifarArchitectures.ALEXNET, checkpoint);
        images = SharedFiles.cifar().images(Dataset.Usage.TEST).firstPerClass(2);
        expectedLogits = logits(model.getBlock(), model.getNDManager(), images);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void sizeOnDiskIsThePackedSizePlusSmallMetadata() throws Exception {
        long packed = manifest.packedBytes();
        long unquantized = manifest.unquantizedBytes();
        long params = Files.size(checkpoint.resolve(CheckpointWriter.PARAMETERS_FILE));
        long total;
        try (var files = Files.list(checkpoint)) {
            total = files.mapToLong(NativeCheckpointTest::size).sum();
        }
        long target = packed + unquantized;
        System.out.printf(
                "AlexNet dt4@row checkpoint: packed %d + unquantized %d = %d bytes; params file %d,"
                        + " all files %d (overhead %d bytes, %.4f%%); float32 would be %d%n",
                packed,
                unquantized,
                target,
                params,
                total,
                total - target,
                100.0 * (total - target) / target,
                report.float32Bytes());
        assertThat(packed).isEqualTo(report.rows().stream().mapToLong(r -> r.storageBytes()).sum());
        assertThat(unquantized).isEqualTo(4L * (23_238_474 - report.quantizedParameters()));
        assertThat(total).isGreaterThanOrEqualTo(target);
        assertThat(total - target).isLessThanOrEqualTo(target / 100 + 64 * 1024);
    }

    @Test
    void manifestRecordsVersionSourceSpecsAndMetrics() throws Exception {
        CheckpointManifest read = CheckpointReader.verify(checkpoint);
        assertThat(read.formatVersion()).isEqualTo(CheckpointManifest.FORMAT_VERSION);
        assertThat(read.kind()).isEqualTo(CheckpointManifest.Kind.DJL_NATIVE);
        assertThat(read.architecture()).isEqualTo("alexnet-cifar10");
        assertThat(read.source().sha256()).hasSize(64);
        assertThat(read.tensors()).hasSize(8);
        assertThat(read.tensors())
                .allSatisfy(
                        t -> {
                            assertThat(t.spec()).isEqualTo("dt4@row");
                            assertThat(t.crc32()).hasSize(8);
                            assertThat(t.mae()).isPositive();
                            assertThat(t.exponents()).hasSize(4);
                        });
        assertThat(read.properties())
                .containsEntry("scheme", "dt")
                .containsEntry("bits", "4")
                .containsEntry("granularity", "row")
                .containsEntry("dataset", "cifar10");
        assertThat(read.toMarkdown())
                .contains(
                        "01SequentialBlock_01Conv2d_weight", "dt4@row", "Loading keeps the packed");
        // Every sized family is named without its bits.
        assertThat(read.toBuilder().spec("nf4@row").build().properties())
                .containsEntry("scheme", "nf")
                .containsEntry("bits", "4");
        assertThat(read.toBuilder().spec("fp8e4m3@row").build().properties())
                .containsEntry("scheme", "fp8e4m3");
    }

    @Test
    void loadsThroughCriteriaModelPathWithTheSameLogits() throws Exception {
        try (ZooModel<NDList, NDList> loaded =
                CheckpointReader.load(checkpoint, NDList.class, NDList.class)) {
            assertThat(loaded.getBlock()).isInstanceOf(QuantizedBlock.class);
            QuantizedBlock qb = (QuantizedBlock) loaded.getBlock();
            assertThat(qb.getCompressedBytes()).isEqualTo(manifest.packedBytes());
            float[] actual = logits(loaded.getBlock(), loaded.getNDManager(), images);
            assertThat(actual).containsExactly(expectedLogits);
        }
    }

    @Test
    void loadsFromThePublishedZooWithFiltersAndPredictsTheSameClass() throws Exception {
        Path root = tmp.resolve("repository");
        ModelRepository.Published published =
                ModelRepository.at(root).publish(checkpoint, "alexnet-cifar10");
        assertThat(published.properties()).containsEntry("bits", "4");
        String previous = System.setProperty(ModelRepository.ROOT_PROPERTY, root.toString());
        try {
            Criteria<Image, Classifications> criteria =
                    Criteria.builder()
                            .setTypes(Image.class, Classifications.class)
                            .optGroupId("dev.djlquant")
                            .optArtifactId("alexnet-cifar10")
                            .optFilter("bits", "4")
                            .optFilter("scheme", "dt")
                            .build();
            List<String> expected = classes(expectedLogits);
            try (ZooModel<Image, Classifications> zoo = criteria.loadModel();
                    Predictor<Image, Classifications> predictor = zoo.newPredictor()) {
                List<String> predicted = new ArrayList<>();
                for (int i = 0; i < images.size(); i++) {
                    predicted.add(predictor.predict(image(images.pixels(i))).best().getClassName());
                }
                assertThat(predicted).isEqualTo(expected);
            }
        } finally {
            restore(previous);
        }
    }

    static void restore(String previous) {
        if (previous == null) {
            System.clearProperty(ModelRepository.ROOT_PROPERTY);
        } else {
            System.setProperty(ModelRepository.ROOT_PROPERTY, previous);
        }
    }

    private static List<String> classes(float[] logits) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < logits.length / 10; i++) {
            int best = 0;
            for (int c = 1; c < 10; c++) {
                if (logits[10 * i + c] > logits[10 * i + best]) {
                    best = c;
                }
            }
            names.add(CifarData.CLASS_NAMES.get(best));
        }
        return names;
    }

    static float[] logits(ai.djl.nn.Block block, NDManager parent, CifarImages images)
            throws Exception {
        CifarDataset dataset =
                CifarDataset.builder(images).setSampling(images.size(), false).build();
        try (NDManager manager = parent.newSubManager()) {
            var batch = dataset.getData(manager).iterator().next();
            NDArray out =
                    block.forward(new ParameterStore(manager, false), batch.getData(), false)
                            .head();
            return out.toFloatArray();
        }
    }

    static Image image(byte[] hwc) {
        int[] argb = new int[hwc.length / 3];
        for (int p = 0; p < argb.length; p++) {
            argb[p] =
                    0xFF000000
                            | (hwc[3 * p] & 0xFF) << 16
                            | (hwc[3 * p + 1] & 0xFF) << 8
                            | (hwc[3 * p + 2] & 0xFF);
        }
        return ImageFactory.getInstance().fromPixels(argb, 32, 32);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
