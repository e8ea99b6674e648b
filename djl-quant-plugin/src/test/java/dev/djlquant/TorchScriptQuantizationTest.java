package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TorchScriptQuantizationTest {

    static ZooModel<NDList, NDList> load(String file, boolean trainParam) throws Exception {
        Criteria.Builder<NDList, NDList> b =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optModelPath(SharedFiles.require("models/" + file))
                        .optEngine("PyTorch");
        if (trainParam) {
            b.optOption("trainParam", "true");
        }
        return b.build().loadModel();
    }

    @Test
    void simulateQuantizesTorchScriptWeightsInPlace() throws Exception {
        try (ZooModel<NDList, NDList> model = load("resnet20_cifar10.pt", true);
                Predictor<NDList, NDList> predictor = model.newPredictor()) {
            Parameter conv = model.getBlock().getParameters().get("conv1.weight");
            float[] before = conv.getArray().toFloatArray();
            long[] shape = conv.getArray().getShape().getShape();
            QuantizationReport report = Quantizers.apply(model, QuantConfig.of("int8@row"));
            assertThat(report.rows())
                    .extracting(QuantizationReport.Row::name)
                    .contains("conv1.weight", "linear.weight");
            assertThat(report.rows())
                    .noneMatch(r -> r.name().contains("bn") || r.name().endsWith("bias"));
            assertThat(conv.getArray().toFloatArray())
                    .containsExactly(
                            Quantizer.parse("int8@row").roundTrip("conv1.weight", before, shape));
            NDArray input = model.getNDManager().randomNormal(new Shape(2, 3, 32, 32));
            NDArray logits = predictor.predict(new NDList(input)).singletonOrThrow();
            assertThat(logits.getShape()).isEqualTo(new Shape(2, 10));
        }
    }

    /**
     * ResNet20's first block has one output channel whose weights are tiny beside the others: at 8
     * bits ({@code +dq}) its scale restores almost 3x too small, and the report warns about exactly
     * the weights whose restored scales lie more than 2x from their float32 ones, naming the worst
     * group (found here from the public scales of the tensor with and without {@code +dq}).
     */
    @Test
    void warnsOfScalesThatPlusDqRestoresFarFromTheirValues() throws Exception {
        try (ZooModel<NDList, NDList> model = load("resnet20_cifar10.pt", true)) {
            List<String> expected = new java.util.ArrayList<>();
            for (var p : model.getBlock().getParameters()) {
                NDArray array = p.getValue().getArray();
                if (p.getValue().getType() != Parameter.Type.WEIGHT
                        || array.getShape().dimension() < 2) {
                    continue;
                }
                float[] values = array.toFloatArray();
                long[] shape = array.getShape().getShape();
                float[] exact = Quantizer.parse("int8@row").quantize(values, shape).scales();
                float[] stored = Quantizer.parse("int8@row+dq").quantize(values, shape).scales();
                int worst = -1;
                double worstFactor = 2;
                for (int g = 0; g < exact.length; g++) {
                    double r = (double) stored[g] / exact[g];
                    double factor = Math.max(r, 1 / r);
                    if (exact[g] > 0 && factor > worstFactor) {
                        worst = g;
                        worstFactor = factor;
                    }
                }
                if (worst >= 0) {
                    expected.add(p.getKey() + ": +dq restores the scale of group " + worst + " as");
                }
            }
            assertThat(expected)
                    .containsExactly("layer1.0.conv1.weight: +dq restores the scale of group 8 as");
            QuantizationReport report =
                    Quantizers.apply(
                            model,
                            QuantConfig.builder()
                                    .setScheme("int8@row+dq")
                                    .optStatistics(false)
                                    .build());
            assertThat(report.warnings()).hasSameSizeAs(expected);
            for (int k = 0; k < expected.size(); k++) {
                assertThat(report.warnings().get(k))
                        .startsWith(expected.get(k))
                        .contains("2.87x below its float32 value")
                        .endsWith("without +dq (an override) to keep its scales exact");
            }
        }
    }

    @Test
    void explainsTheMissingTrainParamOptionAndChangesNothing() throws Exception {
        for (String file : new String[] {"resnet20_cifar10.pt", "alexnet_cifar10_fp16.pt"}) {
            try (ZooModel<NDList, NDList> model = load(file, false)) {
                Map<String, float[]> before = floatValues(model);
                assertThatThrownBy(() -> Quantizers.apply(model, QuantConfig.of("int8@row")))
                        .as(file)
                        .hasMessageContaining("trainParam");
                // PyTorch wrote a refused update whole before it refused it.
                Map<String, float[]> after = floatValues(model);
                List<String> changed =
                        before.keySet().stream()
                                .filter(n -> !Arrays.equals(before.get(n), after.get(n)))
                                .toList();
                assertThat(changed).as(file + ": parameters changed").isEmpty();
            }
        }
        try (ZooModel<NDList, NDList> model = load("resnet20_cifar10.pt", false)) {
            assertThatThrownBy(() -> Quantizers.apply(model, int8(QuantConfig.Mode.COMPRESSED)))
                    .hasMessageContaining("COMPRESSED mode needs DJL-native layers")
                    .hasMessageContaining("or use SIMULATE");
            assertThatThrownBy(() -> Quantizers.apply(model, int8(QuantConfig.Mode.QAT)))
                    .hasMessageContaining("Quantization-aware training needs DJL-native layers")
                    .hasMessageNotContaining("SIMULATE");
            assertThatThrownBy(
                            () -> QuantizedBlock.view(model.getBlock(), QuantConfig.of("int8@row")))
                    .hasMessageContaining("Evaluating a block as quantized")
                    .hasMessageNotContaining("SIMULATE");
        }
    }

    private static QuantConfig int8(QuantConfig.Mode mode) {
        return QuantConfig.builder().setScheme("int8").optMode(mode).build();
    }

    private static Map<String, float[]> floatValues(ZooModel<NDList, NDList> model) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (var p : model.getBlock().getParameters()) {
            values.put(
                    p.getKey(),
                    p.getValue().getArray().toType(DataType.FLOAT32, true).toFloatArray());
        }
        return values;
    }

    @Test
    void float16WeightsAreQuantizedInFloat32AndWrittenBackInFloat16() throws Exception {
        try (ZooModel<NDList, NDList> model = load("alexnet_cifar10_fp16.pt", true)) {
            Parameter fc = model.getBlock().getParameters().get("classifier.6.weight");
            assertThat(fc.getArray().getDataType()).isEqualTo(DataType.FLOAT16);
            float[] before = fc.getArray().toType(DataType.FLOAT32, true).toFloatArray();
            Quantizers.apply(
                    model,
                    QuantConfig.builder()
                            .setScheme("dt4@row")
                            .addInclude("classifier\\.6\\.weight")
                            .build());
            assertThat(fc.getArray().getDataType()).isEqualTo(DataType.FLOAT16);
            float[] expected =
                    Quantizer.parse("dt4@row").roundTrip("w", before, new long[] {10, 1024});
            NDArray expectedHalf =
                    model.getNDManager()
                            .create(expected)
                            .toType(DataType.FLOAT16, false)
                            .toType(DataType.FLOAT32, false);
            assertThat(fc.getArray().toType(DataType.FLOAT32, true).toFloatArray())
                    .containsExactly(expectedHalf.toFloatArray());
        }
    }
}
