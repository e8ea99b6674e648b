package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QatAndViewTest extends ManagerPerTest {

    private Block net(Map<String, float[]> weights) {
        Block net = tinyConvNet(11);
        if (weights != null) {
            for (Pair<String, Parameter> p : net.getParameters()) {
                p.getValue().getArray().set(weights.get(p.getKey()));
            }
        }
        return net;
    }

    private static Map<String, float[]> values(Block block) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    /** Forward with gradients; returns the output and the weight gradients of sum(output * g). */
    private Map<String, float[]> gradients(
            Block block, Block owner, NDArray input, NDArray g, NDArray[] output) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray out =
                    block.forward(new ParameterStore(manager, false), new NDList(input), true)
                            .singletonOrThrow();
            output[0] = out.duplicate();
            collector.backward(out.mul(g).sum());
        }
        Map<String, float[]> grads = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : owner.getParameters()) {
            grads.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
        }
        return grads;
    }

    @Test
    void qatForwardIsTheQuantizedModelAndGradientsPassStraightThrough() {
        NDArray input = manager.randomNormal(new Shape(2, 2, 5, 5));
        NDArray g = manager.randomNormal(new Shape(2, 5));
        Block qatNet = net(null);
        Map<String, float[]> original = values(qatNet);
        QuantizedBlock qat = qat(qatNet, "dt3@row");
        // Reference: a copy whose weights were replaced by their quantized values.
        Block reference = net(original);
        Quantizers.apply(reference, QuantConfig.of("dt3@row"));

        NDArray[] qatOut = new NDArray[1];
        NDArray[] refOut = new NDArray[1];
        Map<String, float[]> qatGrads = gradients(qat, qatNet, input, g, qatOut);
        Map<String, float[]> refGrads = gradients(reference, reference, input, g, refOut);
        assertThat(qatOut[0].toFloatArray()).containsExactly(refOut[0].toFloatArray());
        for (String name : qatGrads.keySet()) {
            // d/dw of q(w) is taken as identity: the float weights get the quantized model's
            // gradient.
            float[] a = qatGrads.get(name);
            float[] b = refGrads.get(name);
            for (int i = 0; i < a.length; i++) {
                assertThat(a[i])
                        .as(name)
                        .isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
        // The float weights were not modified by the forward.
        assertThat(values(qatNet).get("01Conv2d_weight"))
                .containsExactly(original.get("01Conv2d_weight"));
    }

    @Test
    void afterTrainingApplyReproducesTheQatForward() {
        NDArray input = manager.randomNormal(new Shape(2, 2, 5, 5));
        Block trained = net(null);
        QuantizedBlock qat = qat(trained, "int4@row");
        // A stand-in for an optimizer step: move every weight.
        for (Parameter p : trained.getParameters().values()) {
            NDArray a = p.getArray();
            a.set(a.mul(1.1f).add(0.01f).toFloatArray());
        }
        float[] qatOut = forward(qat, input);
        Quantizers.apply(trained, QuantConfig.of("int4@row"));
        assertThat(forward(trained, input)).containsExactly(qatOut);
    }

    @Test
    void viewsRunTheQuantizedModelWithoutTouchingIt() {
        NDArray input = manager.randomNormal(new Shape(2, 2, 5, 5));
        Block model = net(null);
        Map<String, float[]> before = values(model);
        float[] floatOut = forward(model, input);
        QuantizedBlock view = QuantizedBlock.view(model, QuantConfig.of("int4@row"));
        float[] viewOut = forward(view, input);
        assertThat(values(model)).usingRecursiveComparison().isEqualTo(before);
        assertThat(forward(model, input)).containsExactly(floatOut);
        Block simulated = net(before);
        Quantizers.apply(simulated, QuantConfig.of("int4@row"));
        SummationOrder.assertSameUpToSummationOrder(viewOut, forward(simulated, input));
    }

    /**
     * A weight that training drove to NaN fails the next QAT forward with the parameter's full name
     * (the one reports and regexes use), not just "weight", which every layer's weight is called.
     */
    @Test
    void aNonFiniteWeightInTrainingIsNamedByItsFullName() {
        Block net = net(null);
        QuantizedBlock qat = qat(net, "int8@row");
        net.getParameters().get("04Linear_weight").getArray().set(new NDIndex("1, 2"), Float.NaN);
        NDArray input = manager.randomNormal(new Shape(2, 2, 5, 5));
        assertThatThrownBy(() -> forward(qat, input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("04Linear_weight: ");
    }

    private float[] forward(Block block, NDArray input) {
        return block.forward(new ParameterStore(manager, false), new NDList(input), false)
                .singletonOrThrow()
                .toFloatArray();
    }

    /** Wraps {@code block} for quantization-aware training with {@code spec}. */
    private static QuantizedBlock qat(Block block, String spec) {
        return (QuantizedBlock)
                Quantizers.apply(
                                block,
                                QuantConfig.builder()
                                        .setScheme(spec)
                                        .optMode(QuantConfig.Mode.QAT)
                                        .build())
                        .block();
    }
}
