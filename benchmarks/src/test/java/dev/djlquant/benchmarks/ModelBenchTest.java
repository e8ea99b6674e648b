package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizers;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ModelBenchTest {

    @Test
    void readWriteAllLeavesEveryValueAsItWas() {
        assertRoundTripKeepsValues(ModelBench::readWriteAll);
    }

    @Test
    void readWriteThroughViewsLeavesEveryValueAsItWas() {
        assertRoundTripKeepsValues(
                block ->
                        ModelBench.readWriteAllThroughViews(
                                block, new float[ModelBench.largestParameter(block)]));
    }

    private static void assertRoundTripKeepsValues(Consumer<Block> roundTrip) {
        try (Model model = Model.newInstance("rw", "PyTorch")) {
            Linear linear = Linear.builder().setUnits(3).build();
            model.setBlock(linear);
            linear.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 4));
            Parameter weight = linear.getParameters().get("weight");
            float[] before = weight.getArray().toFloatArray();
            roundTrip.accept(linear);
            assertThat(weight.getArray().toFloatArray()).isEqualTo(before);
            assertThat(weight.getArray().getShape()).isEqualTo(new Shape(3, 4));
        }
    }

    /** The quantize-alone row times the weights that apply quantizes, no more and no fewer. */
    @Test
    void quantizeAloneTakesTheWeightsApplySelects() {
        try (Model model = Model.newInstance("sel", "PyTorch")) {
            SequentialBlock block =
                    new SequentialBlock()
                            .add(
                                    Conv2d.builder()
                                            .setKernelShape(new Shape(3, 3))
                                            .setFilters(4)
                                            .build())
                            .add(Blocks.batchFlattenBlock())
                            .add(Linear.builder().setUnits(2).build());
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 2, 5, 5));
            QuantConfig config = QuantConfig.of("int8@row");
            List<ModelBench.Weight> selected = ModelBench.selection(block, config);
            float[] convWeight = block.getParameters().get(0).getValue().getArray().toFloatArray();
            QuantizationReport report = Quantizers.apply(block, config);
            assertThat(selected.stream().map(ModelBench.Weight::name))
                    .containsExactlyElementsOf(
                            report.rows().stream().map(QuantizationReport.Row::name).toList());
            assertThat(selected.get(0).values()).isEqualTo(convWeight);
            assertThat(selected.get(0).shape()).containsExactly(4, 2, 3, 3);
        }
    }

    @Test
    void sharedModelPathFollowsTheSharedLayout() {
        assertThat(ModelBench.sharedModel(Path.of("/s"), "vgg16"))
                .isEqualTo(Path.of("/s/models/vgg16_cifar10_fp16.pt"));
    }

    @Test
    void residentMemoryCountsOnlyArraysThatHoldValues() {
        try (Model model = Model.newInstance("mem", "PyTorch")) {
            Linear linear = Linear.builder().setUnits(3).build();
            model.setBlock(linear);
            linear.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 4));
            // weight 3x4 + bias 3, float32
            assertThat(ResidentMemory.nativeParameterBytes(linear)).isEqualTo(4L * (12 + 3));
            linear.getParameters().get("bias").close();
            assertThat(ResidentMemory.nativeParameterBytes(linear)).isEqualTo(4L * 12);
        }
    }
}
