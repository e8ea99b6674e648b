package dev.djlquant.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ModelBenchTest {

    @Test
    void readWriteAllLeavesEveryValueAsItWas() {
        assertRoundTripKeepsValues(ModelBench::readWriteAll);
    }

    @Test
    void readWriteThroughViewsLeavesEveryValueAsItWas() {
        assertRoundTripKeepsValues(ModelBench::readWriteAllThroughViews);
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
