package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import dev.djlquant.SharedFiles;
import dev.djlquant.data.CifarDataset;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TorchScriptImportTest {

    @ParameterizedTest
    @CsvSource({
        "alexnet-cifar10, models/alexnet_cifar10_fp16.pt, 64",
        "vgg16-cifar10, models/vgg16_cifar10_fp16.pt, 16"
    })
    void importedLogitsEqualTheExportsOwnForward(String architecture, String file, int images)
            throws Exception {
        Path torchScript = SharedFiles.require(file);
        CifarDataset dataset =
                CifarDataset.builder(
                                SharedFiles.cifar().images(Dataset.Usage.TEST).sample(images, 7))
                        .setSampling(images, false)
                        .build();
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                Model imported = TorchScriptImport.load(torchScript, architecture);
                ZooModel<NDList, NDList> reference = loadTorchScript(torchScript)) {
            Batch batch = dataset.getData(manager).iterator().next();
            NDArray input = batch.getData().head();
            // The exports hold float16 weights and compute in float16: they need float16 input.
            NDArray expected =
                    forward(reference.getBlock(), input.toType(DataType.FLOAT16, false))
                            .toType(DataType.FLOAT32, false);
            NDArray actual = forward(imported.getBlock(), input);

            float maxDiff = expected.sub(actual).abs().max().getFloat();
            float maxLogit = expected.abs().max().getFloat();
            System.out.printf(
                    "%s import: max |logit diff| %.3g, max |logit| %.3g over %d images%n",
                    architecture, maxDiff, maxLogit, images);
            assertThat(actual.getShape()).isEqualTo(new Shape(images, 10));
            // The reference computes in float16 (11 significant bits); the measured worst case
            // over 1,000 images is 0.8 * 2^-11 * max|logit| for AlexNet. Allow one float16 ulp of
            // the largest logit; misplaced weights give differences the size of the logits.
            assertThat(maxDiff).isLessThanOrEqualTo(maxLogit * 0x1p-10f);
            assertThat(actual.argMax(1).toLongArray()).isEqualTo(expected.argMax(1).toLongArray());
        }
    }

    @Test
    void copyWeightsCopiesValuesInPlaceByPosition() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block source = initializedLinear(manager, 3);
            Block target = initializedLinear(manager, 3);
            NDArray targetWeight = target.getParameters().valueAt(0).getArray();
            source.getParameters().valueAt(0).getArray().set(new float[] {1, 2, 3, 4, 5, 6});
            source.getParameters().valueAt(1).getArray().set(new float[] {-1, -2, -3});

            TorchScriptImport.copyWeights(source, target);

            assertThat(target.getParameters().valueAt(0).getArray()).isSameAs(targetWeight);
            assertThat(targetWeight.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(target.getParameters().valueAt(1).getArray().toFloatArray())
                    .containsExactly(-1, -2, -3);
        }
    }

    @Test
    void shapeMismatchNamesBothParametersAndShapes() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block source = initializedLinear(manager, 3);
            Block target = initializedLinear(manager, 4);
            assertThatThrownBy(() -> TorchScriptImport.copyWeights(source, target))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("weight (3, 2)")
                    .hasMessageContaining("weight (4, 2)");
        }
    }

    @Test
    void countMismatchListsBothParameterLists() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block source = initializedLinear(manager, 3);
            Block target = new SequentialBlock().add(linear(3)).add(linear(3));
            target.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
            assertThatThrownBy(() -> TorchScriptImport.copyWeights(source, target))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("source has 2")
                    .hasMessageContaining("target has 4");
        }
    }

    @Test
    void uninitializedTargetIsRefused() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block source = initializedLinear(manager, 3);
            assertThatThrownBy(() -> TorchScriptImport.copyWeights(source, linear(3)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not initialized");
        }
    }

    @Test
    void missingFileIsReportedBeforeLoading() {
        Path missing = Path.of("target", "no-such-model.pt");
        assertThatThrownBy(() -> TorchScriptImport.load(missing, CifarArchitectures.ALEXNET))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no-such-model.pt");
    }

    @ParameterizedTest
    @CsvSource({"not a model, not a ZIP archive", "truncated, failed finding central directory"})
    void unreadableFileNamesItselfAndTheEnginesReason(String kind, String reason, @TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("broken.pt");
        if (kind.equals("truncated")) {
            byte[] whole = Files.readAllBytes(SharedFiles.require("models/resnet20_cifar10.pt"));
            Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        } else {
            Files.writeString(file, "junk\n");
        }
        for (boolean writable : new boolean[] {false, true}) {
            assertThatThrownBy(() -> TorchScriptImport.open(file, writable))
                    .isInstanceOf(MalformedModelException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining(reason);
        }
        assertThatThrownBy(() -> TorchScriptImport.load(file, CifarArchitectures.ALEXNET))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining(file.toString());
    }

    /**
     * DJL looks for a block factory in every jar beside a model file; a djl-quant jar there must
     * not make a TorchScript file a checkpoint, whether it is opened here or with a plain Criteria.
     */
    @Test
    void aJarBesideTheFileDoesNotChangeHowItLoads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("resnet20.pt");
        Files.copy(SharedFiles.require("models/resnet20_cifar10.pt"), file);
        writeJarWithTheCheckpointFactory(dir.resolve("x.jar"));
        try (ZooModel<NDList, NDList> model = TorchScriptImport.open(file, false)) {
            assertThat(model.getBlock().getClass().getSimpleName()).isEqualTo("PtSymbolBlock");
        }
        try (ZooModel<NDList, NDList> model =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optModelPath(file)
                        .optEngine(TorchScriptImport.ENGINE)
                        .build()
                        .loadModel()) {
            assertThat(model.getBlock().getClass().getSimpleName()).isEqualTo("PtSymbolBlock");
        }
    }

    /** A jar holding the checkpoint factory's class, as a djl-quant jar does. */
    private static void writeJarWithTheCheckpointFactory(Path jarFile) throws IOException {
        String entry = CheckpointBlockFactory.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(jarFile));
                InputStream bytes =
                        CheckpointBlockFactory.class.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new JarEntry(entry));
            bytes.transferTo(jar);
            jar.closeEntry();
        }
    }

    @Test
    void writableParametersTakeInPlaceWrites() throws Exception {
        Path file = SharedFiles.require("models/resnet20_cifar10.pt");
        try (ZooModel<NDList, NDList> model = TorchScriptImport.open(file, true)) {
            NDArray first = model.getBlock().getParameters().valueAt(0).getArray();
            first.set(new NDIndex("..."), 0.25f);
            float[] read = model.getBlock().getParameters().valueAt(0).getArray().toFloatArray();
            assertThat(read).hasSize((int) first.size()).containsOnly(0.25f);
        }
    }

    private static Block initializedLinear(NDManager manager, int units) {
        Block block = linear(units);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
        return block;
    }

    private static Linear linear(int units) {
        return Linear.builder().setUnits(units).build();
    }

    private static ZooModel<NDList, NDList> loadTorchScript(Path torchScript) throws Exception {
        return Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(torchScript)
                .optEngine("PyTorch")
                .build()
                .loadModel();
    }

    private static NDArray forward(Block block, NDArray input) {
        return block.forward(
                        new ParameterStore(input.getManager(), false), new NDList(input), false)
                .head();
    }
}
