package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import dev.djlquant.SharedFiles;
import dev.djlquant.data.CifarData;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import dev.djlquant.data.Evaluation;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Imports the shared AlexNet TorchScript export and checks it against the export itself. */
class AlexNetImportTest {

    private static Path torchScript;
    private static Model model;
    private static CifarImages testImages;

    @BeforeAll
    static void load() throws Exception {
        torchScript = SharedFiles.require("models/alexnet_cifar10_fp16.pt");
        model = TorchScriptImport.load(torchScript, CifarArchitectures.ALEXNET);
        CifarData data =
                CifarData.fromArchives(SharedFiles.require("data/cifar10"), SharedFiles.cacheDir());
        testImages = data.images(Dataset.Usage.TEST).firstPerClass(100);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void logitsEqualTheTorchScriptForward() throws Exception {
        CifarDataset dataset =
                CifarDataset.builder(testImages.sample(64, 7)).setSampling(64, false).build();
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                ZooModel<NDList, NDList> reference = loadTorchScript()) {
            Batch batch = dataset.getData(manager).iterator().next();
            NDArray input = batch.getData().head();
            // The export holds float16 weights and computes in float16: it needs float16 input.
            NDArray expected = forward(reference, input.toType(DataType.FLOAT16, false));
            NDArray actual = forward(model, input);

            float maxDiff =
                    expected.toType(DataType.FLOAT32, false).sub(actual).abs().max().getFloat();
            float maxLogit = expected.toType(DataType.FLOAT32, false).abs().max().getFloat();
            System.out.printf(
                    "AlexNet import: max |logit diff| %.3g, max |logit| %.3g%n", maxDiff, maxLogit);
            assertThat(actual.getShape()).isEqualTo(expected.getShape());
            // The reference computes in float16 (11 significant bits); measured worst case over
            // 1,000 images is 0.8 * 2^-11 * max|logit|. Allow one float16 ulp of the largest logit;
            // wrong or misordered weights give differences of the size of the logits themselves.
            assertThat(maxDiff).isLessThanOrEqualTo(maxLogit * 0x1p-10f);
            assertThat(actual.argMax(1).toLongArray()).isEqualTo(expected.argMax(1).toLongArray());
        }
    }

    @Test
    void accuracyOnAFixedThousandImageSubsetIsNearThePublished87Percent() throws Exception {
        CifarDataset dataset = CifarDataset.builder(testImages).build();
        long start = System.nanoTime();
        Evaluation.Accuracy accuracy = Evaluation.accuracy(model, dataset, 100);
        System.out.printf(
                "AlexNet accuracy on 1,000 test images: %s in %d ms%n",
                accuracy, (System.nanoTime() - start) / 1_000_000);
        assertThat(accuracy.total()).isEqualTo(1000);
        assertThat(accuracy.fraction()).isBetween(0.83, 0.91);
    }

    private static ZooModel<NDList, NDList> loadTorchScript() throws Exception {
        return Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(torchScript)
                .optEngine("PyTorch")
                .build()
                .loadModel();
    }

    private static NDArray forward(Model m, NDArray input) {
        return m.getBlock()
                .forward(new ParameterStore(input.getManager(), false), new NDList(input), false)
                .head();
    }
}
