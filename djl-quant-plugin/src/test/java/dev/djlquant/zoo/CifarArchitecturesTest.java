package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CifarArchitecturesTest {

    @ParameterizedTest
    @CsvSource({"alexnet-cifar10, 23238474, 16", "vgg16-cifar10, 21021514, 32"})
    void parameterCountAndOutputShapeMatchTheDesign(String name, long params, int tensors) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = CifarArchitectures.byName(name);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));

            long count = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                count += p.getValue().getArray().size();
            }
            assertThat(count).isEqualTo(params);
            assertThat(block.getParameters().size()).isEqualTo(tensors);

            NDList out =
                    block.forward(
                            new ParameterStore(manager, false),
                            new NDList(manager.randomNormal(new Shape(1, 3, 32, 32))),
                            false);
            assertThat(out.singletonOrThrow().getShape()).isEqualTo(new Shape(1, 10));
        }
    }

    @Test
    void unknownNameListsTheValidNames() {
        assertThatThrownBy(() -> CifarArchitectures.byName("resnet20"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resnet20")
                .hasMessageContaining("alexnet-cifar10")
                .hasMessageContaining("vgg16-cifar10");
    }
}
