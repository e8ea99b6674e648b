package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.Quantizers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same packed file loads as COMPRESSED or, if written so, as float SIMULATE weights. */
class CheckpointModesTest {

    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"dt3@row", "nf4@block8+dq"})
    void simulateModeLoadsDequantizedFloatWeightsThatComputeTheSameOutputs(String spec)
            throws Exception {
        QuantizationReport[] report = new QuantizationReport[1];
        float[] expected;
        try (Model model = TinyNet.compressed(spec, 5, report);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray input = manager.randomNormal(TinyNet.INPUT);
            expected = forward(model.getBlock(), input);
            CheckpointWriter.builder()
                    .build()
                    .writeNative(model, report[0], TinyNet.class.getName(), tmp.resolve("c"));
            CheckpointWriter.builder()
                    .optLoadMode(QuantConfig.Mode.SIMULATE)
                    .build()
                    .writeNative(model, report[0], TinyNet.class.getName(), tmp.resolve("s"));
            try (ZooModel<NDList, NDList> c =
                            CheckpointReader.load(tmp.resolve("c"), NDList.class, NDList.class);
                    ZooModel<NDList, NDList> s =
                            CheckpointReader.load(tmp.resolve("s"), NDList.class, NDList.class)) {
                assertThat(c.getBlock()).isInstanceOf(QuantizedBlock.class);
                assertThat(s.getBlock()).isInstanceOf(SequentialBlock.class);
                assertThat(forward(c.getBlock(), input)).containsExactly(expected);
                float[] simulated = forward(s.getBlock(), input);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(simulated[i]).isCloseTo(expected[i], within(expected[i]));
                }
                // The float weights hold quantized values: quantizing them again is refused.
                assertThatThrownBy(() -> Quantizers.apply(s, QuantConfig.of("int4@row")))
                        .hasMessageContaining("already holds values quantized with " + spec);
            }
        }
        assertThat(CheckpointReader.verify(tmp.resolve("s")).loadingCost())
                .contains("dequantizes every weight once");
    }

    /**
     * A layer used twice has one weight under two names: the checkpoint stores it once and loads
     * back into a block that computes the same outputs.
     */
    @Test
    void aLayerUsedTwiceIsWrittenOnceAndLoadsBack() throws Exception {
        try (Model model = Model.newInstance("tied", "PyTorch");
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            QuantizationReport report = TiedNet.compress(model);
            NDArray input = manager.randomNormal(TiedNet.INPUT);
            float[] expected = forward(model.getBlock(), input);
            CheckpointManifest manifest =
                    CheckpointWriter.builder()
                            .build()
                            .writeNative(model, report, TiedNet.class.getName(), tmp.resolve("t"));
            assertThat(manifest.tensors())
                    .extracting(CheckpointManifest.TensorEntry::name)
                    .containsExactly("01Linear_weight");
            assertThat(manifest.unquantized())
                    .extracting(CheckpointManifest.ParameterEntry::name)
                    .containsExactly("01Linear_bias");
            try (ZooModel<NDList, NDList> loaded =
                    CheckpointReader.load(tmp.resolve("t"), NDList.class, NDList.class)) {
                assertThat(forward(loaded.getBlock(), input)).containsExactly(expected);
            }
        }
    }

    /**
     * A layer used twice and selected only by its second name (the first excluded) is still one
     * weight named by its first name: the report, the packed weights and the checkpoint agree, and
     * the checkpoint loads back.
     */
    @Test
    void aLayerUsedTwiceSelectedByItsSecondNameIsNamedByItsFirst() throws Exception {
        try (Model model = Model.newInstance("tied", "PyTorch");
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TiedNet.initialize(model);
            QuantizationReport report =
                    Quantizers.apply(
                            model,
                            QuantConfig.builder()
                                    .setScheme("int8@row")
                                    .addExclude("01Linear")
                                    .optMode(QuantConfig.Mode.COMPRESSED)
                                    .build());
            assertThat(report.rows())
                    .extracting(QuantizationReport.Row::name)
                    .containsExactly("01Linear_weight");
            assertThat(report.warnings())
                    .containsExactly(
                            "02Linear_weight is the parameter of 01Linear_weight, which the config"
                                    + " does not select: quantized once with int8@row, as"
                                    + " 01Linear_weight");
            assertThat(((QuantizedBlock) model.getBlock()).getCompressed())
                    .containsOnlyKeys("01Linear_weight");
            NDArray input = manager.randomNormal(TiedNet.INPUT);
            float[] expected = forward(model.getBlock(), input);
            CheckpointWriter.builder()
                    .build()
                    .writeNative(model, report, TiedNet.class.getName(), tmp.resolve("t2"));
            try (ZooModel<NDList, NDList> loaded =
                    CheckpointReader.load(tmp.resolve("t2"), NDList.class, NDList.class)) {
                assertThat(forward(loaded.getBlock(), input)).containsExactly(expected);
            }
        }
    }

    /**
     * A model compressed without statistics writes a checkpoint whose manifest leaves the error and
     * entropy out, renders them as "-", and loads back computing what the model computed.
     */
    @Test
    void aCheckpointOfAnApplyWithoutStatisticsLeavesItsMetricsOutAndLoads() throws Exception {
        QuantConfig config =
                QuantConfig.builder()
                        .setScheme("dt4@row")
                        .optMode(QuantConfig.Mode.COMPRESSED)
                        .optStatistics(false)
                        .build();
        QuantizationReport[] report = new QuantizationReport[1];
        try (Model model = TinyNet.compressed(config, 3, report);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray input = manager.randomNormal(TinyNet.INPUT);
            float[] expected = forward(model.getBlock(), input);
            CheckpointWriter.builder()
                    .build()
                    .writeNative(model, report[0], TinyNet.class.getName(), tmp.resolve("u"));
            CheckpointManifest read = CheckpointReader.verify(tmp.resolve("u"));
            assertThat(read.tensors()).isNotEmpty();
            for (CheckpointManifest.TensorEntry t : read.tensors()) {
                assertThat(t.mae()).as(t.name()).isNull();
                assertThat(t.sqnrDb()).as(t.name()).isNull();
                assertThat(t.entropyBits()).as(t.name()).isNull();
                assertThat(t.storageBytes()).as(t.name()).isPositive();
            }
            assertThat(read.toMarkdown()).contains("| - | - | - | - | - |").doesNotContain("NaN");
            try (ZooModel<NDList, NDList> loaded =
                    CheckpointReader.load(tmp.resolve("u"), NDList.class, NDList.class)) {
                assertThat(forward(loaded.getBlock(), input)).containsExactly(expected);
            }
        }
    }

    private static org.assertj.core.data.Offset<Float> within(float x) {
        return org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(x)));
    }

    @Test
    void writerRefusesModelsThatAreNotCompressedOrDoNotMatchTheArchitecture() throws Exception {
        try (Model model = Model.newInstance("plain", "PyTorch")) {
            model.setBlock(TinyNet.block());
            model.getBlock()
                    .initialize(
                            model.getNDManager(),
                            ai.djl.ndarray.types.DataType.FLOAT32,
                            TinyNet.INPUT);
            QuantizationReport simulate = Quantizers.apply(model, QuantConfig.of("int8@row"));
            assertThatThrownBy(
                            () ->
                                    CheckpointWriter.builder()
                                            .build()
                                            .writeNative(
                                                    model,
                                                    simulate,
                                                    TinyNet.class.getName(),
                                                    tmp.resolve("x")))
                    .hasMessageContaining("COMPRESSED");
        }
        QuantizationReport[] report = new QuantizationReport[1];
        try (Model model = TinyNet.compressed("int8@row", 1, report)) {
            assertThatThrownBy(
                            () ->
                                    CheckpointWriter.builder()
                                            .build()
                                            .writeNative(
                                                    model,
                                                    report[0],
                                                    CifarArchitectures.ALEXNET,
                                                    tmp.resolve("y")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Architecture alexnet-cifar10 has the parameters");
        }
        assertThat(tmp.resolve("x")).doesNotExist();
        assertThat(tmp.resolve("y")).doesNotExist();
    }

    private static float[] forward(Block block, NDArray input) {
        try (NDManager scope = input.getManager().newSubManager()) {
            return block.forward(new ParameterStore(scope, false), new NDList(input), false)
                    .head()
                    .toFloatArray();
        }
    }
}
