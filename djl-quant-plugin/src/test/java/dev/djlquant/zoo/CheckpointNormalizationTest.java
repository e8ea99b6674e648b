package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Dataset;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.djlquant.QuantConfig;
import dev.djlquant.SharedFiles;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import dev.djlquant.data.ImageNormalization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint records how its model's inputs are normalized, and loading it with image inputs,
 * from its directory or through the model zoo, builds the translator with that normalization.
 */
class CheckpointNormalizationTest {

    @TempDir static Path tmp;

    private static Path checkpoint;
    private static CifarImages images;

    @BeforeAll
    static void write() throws Exception {
        checkpoint = tmp.resolve("resnet20-int8");
        CheckpointWriter.builder()
                .optDataset(CheckpointWriter.CIFAR10)
                .optNormalization(ImageNormalization.IMAGENET)
                .build()
                .writeTorchScript(
                        SharedFiles.require("models/resnet20_cifar10.pt"),
                        QuantConfig.of("int8@row"),
                        checkpoint);
        images = SharedFiles.cifar().images(Dataset.Usage.TEST).firstPerClass(2);
    }

    @Test
    void manifestServingPropertiesAndInspectionSayIt() throws Exception {
        CheckpointManifest manifest = CheckpointManifest.read(checkpoint);
        assertThat(manifest.normalization()).isEqualTo(ImageNormalization.IMAGENET);
        assertThat(manifest.toMarkdown()).contains("dataset cifar10, input normalization imagenet");
        assertThat(
                        Files.readString(
                                checkpoint.resolve(CheckpointWriter.SERVING_FILE),
                                StandardCharsets.ISO_8859_1))
                .contains("\nnormalization=0.485,0.456,0.406/0.229,0.224,0.225\n");
    }

    @Test
    void imageInputsAreNormalizedAsRecordedFromTheDirectory() throws Exception {
        try (ZooModel<Image, Classifications> model =
                CheckpointReader.load(checkpoint, Image.class, Classifications.class)) {
            assertPredictsWhatTheRecordedNormalizationGives(model);
        }
        // Plain DJL picks the translator factory before it reads serving.properties: named by
        // the caller, the factory still gets the normalization argument from that file.
        try (ZooModel<Image, Classifications> model =
                Criteria.builder()
                        .setTypes(Image.class, Classifications.class)
                        .optModelPath(checkpoint)
                        .optTranslatorFactory(new CifarTranslatorFactory())
                        .build()
                        .loadModel()) {
            assertPredictsWhatTheRecordedNormalizationGives(model);
        }
    }

    @Test
    void imageInputsAreNormalizedAsRecordedThroughTheZoo() throws Exception {
        Path root = tmp.resolve("repository");
        ModelRepository.at(root).publish(checkpoint, "resnet20-normalized");
        Path file =
                root.resolve(
                        "model/cv/image_classification/dev/djlquant/resnet20-normalized/metadata.json");
        JsonObject metadata = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        JsonObject arguments =
                metadata.getAsJsonArray("artifacts")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonObject("arguments");
        assertThat(arguments.get("normalization").getAsString())
                .isEqualTo(ImageNormalization.IMAGENET.toString());
        try (ZooModel<Image, Classifications> model =
                Criteria.builder()
                        .setTypes(Image.class, Classifications.class)
                        .optModelZoo(new QuantizedModelZoo(root))
                        .optGroupId(QuantizedModelZoo.GROUP_ID)
                        .optArtifactId("resnet20-normalized")
                        .build()
                        .loadModel()) {
            assertPredictsWhatTheRecordedNormalizationGives(model);
        }
    }

    @Test
    void cifarCheckpointsRecordCifarAndOthersNothingUnlessTold() throws Exception {
        Path tiny = tmp.resolve("tiny-cifar");
        CheckpointManifest cifar =
                CheckpointCorruptionTest.writeTiny(
                        tiny,
                        QuantConfig.builder().setScheme("int8@row"),
                        CheckpointWriter.builder().optDataset(CheckpointWriter.CIFAR10));
        assertThat(cifar.normalization()).isEqualTo(ImageNormalization.CIFAR10);
        assertThat(serving(tiny))
                .contains("translatorFactory=", "normalization=" + ImageNormalization.CIFAR10);

        Path none = tmp.resolve("tiny-none");
        CheckpointManifest other =
                CheckpointCorruptionTest.writeTiny(
                        none, QuantConfig.builder().setScheme("int8@row"));
        assertThat(other.normalization()).isNull();
        assertThat(CheckpointManifest.read(none).normalization()).isNull();
        assertThat(serving(none)).doesNotContain("translatorFactory", "normalization");
        assertThat(other.toMarkdown()).doesNotContain("normalization");
    }

    private static String serving(Path dir) throws Exception {
        return Files.readString(dir.resolve(CheckpointWriter.SERVING_FILE));
    }

    /**
     * The loaded model's translator normalizes with ImageNet's values, and its probabilities are
     * the softmax of what the module computes on images normalized that way (CIFAR's values would
     * move them far more than the tolerance).
     */
    private static void assertPredictsWhatTheRecordedNormalizationGives(
            ZooModel<Image, Classifications> model) throws Exception {
        assertThat(((CifarTranslator) model.getTranslator()).normalization())
                .isEqualTo(ImageNormalization.IMAGENET);
        float[][] expected = probabilities(model, ImageNormalization.IMAGENET);
        float[][] cifar = probabilities(model, ImageNormalization.CIFAR10);
        double moved = 0;
        try (Predictor<Image, Classifications> predictor = model.newPredictor()) {
            for (int i = 0; i < images.size(); i++) {
                Classifications c =
                        predictor.predict(AlexNetAccuracyTest.toImage(images.pixels(i)));
                for (int k = 0; k < expected[i].length; k++) {
                    String name = c.getClassNames().get(k);
                    assertThat(c.get(name).getProbability())
                            .isCloseTo(expected[i][k], within(1e-4));
                    moved = Math.max(moved, Math.abs(cifar[i][k] - expected[i][k]));
                }
            }
        }
        assertThat(moved).isGreaterThan(1e-2);
    }

    /** Softmax of the model's logits for {@link #images} under {@code normalization}. */
    private static float[][] probabilities(ZooModel<?, ?> model, ImageNormalization normalization)
            throws Exception {
        CifarDataset dataset =
                CifarDataset.builder(images)
                        .optNormalization(normalization)
                        .setSampling(images.size(), false)
                        .build();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDList data = dataset.getData(manager).iterator().next().getData();
            NDArray logits =
                    model.getBlock()
                            .forward(new ParameterStore(manager, false), data, false)
                            .head();
            NDArray p = logits.softmax(1);
            float[][] out = new float[images.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = p.get(i).toFloatArray();
            }
            return out;
        }
    }
}
