package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.Translator;
import dev.djlquant.SharedFiles;
import dev.djlquant.data.CifarData;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import dev.djlquant.data.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The imported AlexNet on real test images: accuracy, and the translator's predictions. */
class AlexNetAccuracyTest {

    private static Model model;
    private static CifarImages subset;

    @BeforeAll
    static void load() throws Exception {
        model =
                TorchScriptImport.load(
                        SharedFiles.require("models/alexnet_cifar10_fp16.pt"),
                        CifarArchitectures.ALEXNET);
        CifarImages test = SharedFiles.cifar().images(Dataset.Usage.TEST);
        assertThat(test.countPerClass()).containsOnly(1000);
        subset = test.firstPerClass(100);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void accuracyOnTheFirstHundredTestImagesPerClassIsNearThePublished87Percent() throws Exception {
        long start = System.nanoTime();
        Evaluation.Accuracy accuracy =
                Evaluation.accuracy(model, CifarDataset.builder(subset).build(), 100);
        System.out.printf(
                "AlexNet accuracy on 1,000 test images: %s in %d ms%n",
                accuracy, (System.nanoTime() - start) / 1_000_000);
        assertThat(accuracy.total()).isEqualTo(1000);
        assertThat(accuracy.fraction()).isBetween(0.83, 0.91);
    }

    @Test
    void translatorFromTheFactoryPredictsWhatTheDatasetPathPredicts() throws Exception {
        CifarImages images = subset.sample(20, 3);
        Translator<Image, Classifications> translator =
                new CifarTranslatorFactory()
                        .newInstance(Image.class, Classifications.class, model, Map.of());
        List<Image> inputs = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            inputs.add(toImage(images.pixels(i)));
        }
        List<Classifications> results;
        Classifications resized;
        try (Predictor<Image, Classifications> predictor = model.newPredictor(translator)) {
            results = predictor.batchPredict(inputs);
            resized = predictor.predict(inputs.get(0).resize(64, 48, true));
        }
        assertThat(resized.getClassNames()).hasSize(10);
        long[] expected = datasetPathPredictions(images);
        for (int i = 0; i < images.size(); i++) {
            Classifications result = results.get(i);
            assertThat(result.best().getClassName())
                    .isEqualTo(CifarData.CLASS_NAMES.get((int) expected[i]));
            double sum = result.getProbabilities().stream().mapToDouble(Double::doubleValue).sum();
            assertThat(sum).isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void factoryRefusesOtherTypes() {
        assertThatThrownBy(
                        () ->
                                new CifarTranslatorFactory()
                                        .newInstance(NDList.class, NDList.class, model, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NDList");
    }

    private static long[] datasetPathPredictions(CifarImages images) throws Exception {
        CifarDataset dataset =
                CifarDataset.builder(images).setSampling(images.size(), false).build();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            Batch batch = dataset.getData(manager).iterator().next();
            NDArray logits =
                    model.getBlock()
                            .forward(new ParameterStore(manager, false), batch.getData(), false)
                            .head();
            return logits.argMax(1).toLongArray();
        }
    }

    static Image toImage(byte[] hwc) {
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
}
