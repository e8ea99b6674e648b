package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.util.Pair;
import dev.djlquant.data.CifarDataset;
import dev.djlquant.data.CifarImages;
import dev.djlquant.data.Evaluation;
import dev.djlquant.zoo.CifarArchitectures;
import dev.djlquant.zoo.TorchScriptImport;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Quantizing the real AlexNet-CIFAR: accuracy bands, COMPRESSED = SIMULATE, TorchScript = native.
 */
class RealModelQuantizationTest {

    private static Model alexnet;
    private static CifarImages testSubset;

    @BeforeAll
    static void load() throws Exception {
        alexnet = importAlexNet();
        testSubset = SharedFiles.cifar().images(Dataset.Usage.TEST).firstPerClass(100);
    }

    @AfterAll
    static void close() {
        alexnet.close();
    }

    private static Model importAlexNet() throws Exception {
        return TorchScriptImport.load(
                SharedFiles.require("models/alexnet_cifar10_fp16.pt"), CifarArchitectures.ALEXNET);
    }

    private static double accuracy(Block block) throws Exception {
        Evaluation.Accuracy a =
                Evaluation.accuracy(
                        block,
                        new ParameterStore(alexnet.getNDManager(), false),
                        CifarDataset.builder(testSubset).build(),
                        100,
                        null);
        return a.fraction();
    }

    @Test
    void eightBitSchemesStayWithinOnePointOfFloat32() throws Exception {
        double base = accuracy(alexnet.getBlock());
        for (String spec : List.of("int8@row", "fp8e4m3@row", "dt8@row")) {
            double quantized =
                    accuracy(QuantizedBlock.view(alexnet.getBlock(), QuantConfig.of(spec)));
            System.out.printf(
                    "AlexNet-CIFAR, 1,000 test images: float32 %.3f, %s %.3f%n",
                    base, spec, quantized);
            assertThat(quantized).as(spec).isBetween(base - 0.01, base + 0.01);
        }
        // A true 2-bit tree loses a lot: the band above is not vacuous.
        double twoBit =
                accuracy(QuantizedBlock.view(alexnet.getBlock(), QuantConfig.of("dt2@row")));
        assertThat(twoBit).isLessThan(base - 0.05);
    }

    @Test
    void compressedGivesTheLogitsOfSimulate() throws Exception {
        NDList images;
        try (Batch batch =
                CifarDataset.builder(testSubset.sample(16, 5))
                        .setSampling(16, false)
                        .build()
                        .getData(alexnet.getNDManager())
                        .iterator()
                        .next()) {
            images = batch.getData();
            images.detach();
        }
        for (String spec : List.of("dt4@row")) {
            try (Model simulated = importAlexNet();
                    Model compressed = importAlexNet()) {
                Quantizers.apply(simulated, QuantConfig.of(spec));
                Quantizers.apply(
                        compressed,
                        QuantConfig.builder()
                                .setScheme(spec)
                                .optMode(QuantConfig.Mode.COMPRESSED)
                                .build());
                assertThat(compressed.getBlock()).isInstanceOf(QuantizedBlock.class);
                NDArray a = forward(simulated, images);
                NDArray b = forward(compressed, images);
                Outputs.assertEqualToRounding(b, a, spec);
            }
        }
    }

    private static NDArray forward(Model model, NDList input) {
        return model.getBlock()
                .forward(new ParameterStore(model.getNDManager(), false), input, false)
                .singletonOrThrow();
    }

    @Test
    void simulateOnTorchScriptMatchesSimulateOnTheImportedNativeBlock() throws Exception {
        try (ZooModel<NDList, NDList> torchScript =
                        TorchScriptQuantizationTest.load("alexnet_cifar10_fp16.pt", true);
                Model nativeModel = importAlexNet()) {
            Quantizers.apply(torchScript, QuantConfig.of("dt4@row"));
            Quantizers.apply(nativeModel, QuantConfig.of("dt4@row"));
            List<Pair<String, Parameter>> ts =
                    torchScript.getBlock().getParameters().stream().toList();
            List<Pair<String, Parameter>> nat =
                    nativeModel.getBlock().getParameters().stream().toList();
            assertThat(nat).hasSameSizeAs(ts);
            for (int i = 0; i < ts.size(); i++) {
                NDArray t = ts.get(i).getValue().getArray();
                NDArray n = nat.get(i).getValue().getArray();
                // Same float32 arithmetic on both sides; TorchScript stores the result as float16.
                float[] expected =
                        n.toType(DataType.FLOAT16, true)
                                .toType(DataType.FLOAT32, true)
                                .toFloatArray();
                float[] actual = t.toType(DataType.FLOAT32, true).toFloatArray();
                int at = Arrays.mismatch(expected, actual);
                assertThat(at).as("%s first differs at %d", ts.get(i).getKey(), at).isEqualTo(-1);
            }
        }
    }
}
