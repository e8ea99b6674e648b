package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.basicmodelzoo.cv.classification.AlexNet;
import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.basicmodelzoo.cv.classification.VGG;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.djlquant.QuantConfig.Mode;
import dev.djlquant.metrics.ErrorMetrics;
import dev.djlquant.zoo.CifarArchitectures;
import dev.djlquant.zoo.TiedNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizersTest extends ManagerPerTest {

    /** A small conv net with a batch norm: weights, biases, gammas and running statistics. */
    private Block smallNet(long seed) {
        return smallNet(seed, 16);
    }

    private Block smallNet(long seed, int hidden) {
        SequentialBlock net =
                new SequentialBlock()
                        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(8).build())
                        .add(BatchNorm.builder().build())
                        .add(Activation::relu)
                        .add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(hidden).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(10).build());
        manager.getEngine().setRandomSeed((int) seed);
        net.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 8, 8));
        return net;
    }

    /** {@link #smallNet} with seed 6, its weights packed at {@code int4@row} (COMPRESSED). */
    private Block compressedSmallNet() {
        return compressed(smallNet(6));
    }

    private Map<String, float[]> snapshot(Block block) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            values.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return values;
    }

    private NDArray forward(Block block, NDArray input) {
        return block.forward(new ParameterStore(manager, false), new NDList(input), false)
                .singletonOrThrow();
    }

    /**
     * The README's COMPRESSED example config, on the DJL-native AlexNet-CIFAR it describes: its
     * regexes match the parameter names DJL gives (no warning), the last linear layer stays
     * float32, the convolutions take the override and the other linear layers the scheme.
     */
    @Test
    void theReadmeConfigSelectsWhatItSays() {
        try (Model model = Model.newInstance("readme", manager.getEngine().getEngineName())) {
            Block block = CifarArchitectures.byName(CifarArchitectures.ALEXNET);
            model.setBlock(block);
            block.initialize(
                    model.getNDManager(), DataType.FLOAT32, CifarArchitectures.INPUT_SHAPE);
            QuantConfig cfg =
                    QuantConfig.builder()
                            .setScheme("dt4@row")
                            .addExclude("08Linear")
                            .addOverride("Conv2d", "int8@row")
                            .optMode(QuantConfig.Mode.COMPRESSED)
                            .build();
            QuantizationReport report = Quantizers.apply(model, cfg);
            assertThat(report.warnings()).isEmpty();
            assertThat(report.rows())
                    .extracting(QuantizationReport.Row::name, QuantizationReport.Row::spec)
                    .containsExactly(
                            tuple("01SequentialBlock_01Conv2d_weight", "int8@row"),
                            tuple("01SequentialBlock_04Conv2d_weight", "int8@row"),
                            tuple("01SequentialBlock_07Conv2d_weight", "int8@row"),
                            tuple("01SequentialBlock_09Conv2d_weight", "int8@row"),
                            tuple("01SequentialBlock_11Conv2d_weight", "int8@row"),
                            tuple("02SequentialBlock_03Linear_weight", "dt4@row"),
                            tuple("02SequentialBlock_06Linear_weight", "dt4@row"));
            assertThat(model.getBlock()).isInstanceOf(QuantizedBlock.class);
        }
    }

    /**
     * A NaN in the last selected weight is found before any weight changes: SIMULATE has written
     * nothing and COMPRESSED has released nothing, so the block still computes what it did.
     */
    @Test
    void aNonFiniteWeightFailsTheWholeApplyBeforeAnythingChanges() {
        for (QuantConfig.Mode mode : QuantConfig.Mode.values()) {
            for (boolean statistics : new boolean[] {true, false}) {
                failsWithoutChanges(mode, statistics);
            }
        }
    }

    private void failsWithoutChanges(QuantConfig.Mode mode, boolean statistics) {
        Block net = smallNet(3);
        Parameter last = net.getParameters().get("07Linear_weight");
        last.getArray().set(new ai.djl.ndarray.index.NDIndex("1, 2"), Float.NaN);
        NDArray input = manager.randomNormal(new Shape(2, 3, 8, 8));
        Map<String, float[]> before = snapshot(net);
        float[] output = forward(net, input).toFloatArray();
        QuantConfig config =
                QuantConfig.builder()
                        .setScheme("int8@row")
                        .optMode(mode)
                        .optStatistics(statistics)
                        .build();
        assertThatThrownBy(() -> Quantizers.apply(net, config))
                .as(config.toString())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("07Linear_weight")
                .hasMessageContaining("index " + (16 + 2));
        Map<String, float[]> after = snapshot(net);
        for (String name : before.keySet()) {
            assertThat(after.get(name)).as(config + " " + name).containsExactly(before.get(name));
        }
        assertThat(forward(net, input).toFloatArray())
                .as(config.toString())
                .containsExactly(output);
    }

    @Test
    void simulateWritesTheQuantizersValuesIntoWeightsOnly() {
        Block net = smallNet(1);
        Map<String, float[]> before = snapshot(net);
        QuantizationReport report = Quantizers.apply(net, QuantConfig.of("dt4@row"));
        Map<String, float[]> after = snapshot(net);
        assertThat(report.rows())
                .extracting(QuantizationReport.Row::name)
                .containsExactly("01Conv2d_weight", "05Linear_weight", "07Linear_weight");
        for (Pair<String, Parameter> p : net.getParameters()) {
            String name = p.getKey();
            long[] shape = p.getValue().getArray().getShape().getShape();
            float[] expected =
                    report.rows().stream().anyMatch(r -> r.name().equals(name))
                            ? Quantizer.parse("dt4@row").roundTrip(name, before.get(name), shape)
                            : before.get(name);
            assertThat(after.get(name)).as(name).containsExactly(expected);
        }
        assertThat(report.block()).isSameAs(net);
        assertThat(report.totalParameters())
                .isEqualTo(before.values().stream().mapToLong(v -> v.length).sum());
        QuantizationReport.Row conv = report.rows().get(0);
        assertThat(conv.groups()).isEqualTo(8);
        assertThat(conv.storageBytes()).isEqualTo((8 * 27 * 4 + 7) / 8 + 32);
        assertThat(conv.exponents()).isNotNull();
        assertThat(conv.error().mae()).isPositive();
    }

    /**
     * Weights held as float16 keep the restored values rounded to float16: the report's errors are
     * those of the values the model then holds, computed here in double from before and after.
     */
    @Test
    void simulateReportsTheErrorOfTheValuesAFloat16ModelHolds() {
        SequentialBlock net =
                new SequentialBlock()
                        .add(Linear.builder().setUnits(64).build())
                        .add(Linear.builder().setUnits(10).build());
        manager.getEngine().setRandomSeed(4);
        net.initialize(manager, DataType.FLOAT16, new Shape(2, 96));
        Map<String, float[]> before = snapshot(net);
        QuantizationReport report = Quantizers.apply(net, QuantConfig.of("fp8e4m3@block16"));
        Map<String, float[]> after = snapshot(net);
        assertThat(report.rows()).hasSize(2);
        for (QuantizationReport.Row row : report.rows()) {
            float[] x = before.get(row.name());
            float[] y = after.get(row.name());
            double abs = 0;
            double squared = 0;
            double max = 0;
            for (int i = 0; i < x.length; i++) {
                double d = Math.abs((double) x[i] - y[i]);
                abs += d;
                squared += d * d;
                max = Math.max(max, d);
            }
            assertThat(row.error().maxAbsError()).as(row.name()).isEqualTo(max);
            assertThat(row.error().mae()).as(row.name()).isCloseTo(abs / x.length, within(1e-12));
            assertThat(row.error().mse())
                    .as(row.name())
                    .isCloseTo(squared / x.length, within(1e-15));
        }
    }

    @Test
    void aBlockNotYetInitializedIsRefusedSayingSo() {
        Block net =
                new SequentialBlock()
                        .add(Linear.builder().setUnits(4).build())
                        .add(Linear.builder().setUnits(2).build());
        for (Mode mode : Mode.values()) {
            assertThatThrownBy(() -> Quantizers.apply(net, mode("int8@row", mode)))
                    .as(mode.toString())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("initialize the block or load the model first");
        }
    }

    @Test
    void anEmptySelectionListsTheParametersAndTheirShapes() {
        Block net = new SequentialBlock().add(Linear.builder().setUnits(4).build());
        assertThatThrownBy(() -> Quantizers.apply(net, QuantConfig.of("int8@row")))
                .hasMessageContaining("01Linear_weight (WEIGHT not initialized)");
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
        assertThatThrownBy(
                        () ->
                                Quantizers.apply(
                                        net,
                                        QuantConfig.builder()
                                                .setScheme("int8@row")
                                                .addExclude("weight")
                                                .build()))
                .hasMessageContaining("01Linear_weight (WEIGHT (4, 3))")
                .hasMessageNotContaining("initialize");
    }

    @Test
    void applyingTwiceIsRefusedUntilTheWeightsChange() {
        Block net = smallNet(2);
        Quantizers.apply(net, QuantConfig.of("int8"));
        assertThatThrownBy(() -> Quantizers.apply(net, QuantConfig.of("int4")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already holds values quantized with int8@row");
        // Fine-tuned since (here: every weight moved a little), they may be quantized again.
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                p.getValue().getArray().addi(1e-3f);
            }
        }
        assertThat(Quantizers.apply(net, QuantConfig.of("int4")).rows()).hasSize(3);
    }

    @Test
    void quantizingACompressedOrQatBlockAgainIsRefusedAndSaysWhy() {
        NDArray input = manager.randomNormal(new Shape(2, 3, 8, 8));
        Block wrapped = smallNet(6);
        Block compressed = Quantizers.apply(wrapped, mode("dt4@row", Mode.COMPRESSED)).block();
        Block qat = Quantizers.apply(smallNet(6), mode("dt4@row", Mode.QAT)).block();
        float[] compressedOut = forward(compressed, input).toFloatArray();
        float[] qatOut = forward(qat, input).toFloatArray();
        for (Mode mode : Mode.values()) {
            assertThatThrownBy(() -> Quantizers.apply(compressed, mode("int8@row", mode)))
                    .as(mode.toString())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already holds 3 packed weights (dt4@row)")
                    .hasMessageContaining("quantize the float model instead");
            assertThatThrownBy(() -> Quantizers.apply(qat, mode("int8@row", mode)))
                    .as(mode.toString())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("quantization-aware training")
                    .hasMessageContaining("QatTraining.finish");
            // The block that was wrapped, used again, lends its released weights to no one.
            assertThatThrownBy(() -> Quantizers.apply(wrapped, mode("int8@row", mode)))
                    .as(mode.toString())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was compressed with dt4@row")
                    .hasMessageContaining("use the QuantizedBlock that apply returned");
        }
        assertThat(forward(compressed, input).toFloatArray()).containsExactly(compressedOut);
        assertThat(forward(qat, input).toFloatArray()).containsExactly(qatOut);
        assertThatThrownBy(() -> new QuantizedBlock(compressed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already holds 3 packed weights");
    }

    @Test
    void anEmptyQuantizedBlockIsQuantizedItselfNotWrappedAgain() {
        QuantizedBlock empty = new QuantizedBlock(smallNet(6));
        assertThatThrownBy(() -> new QuantizedBlock(empty))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("QuantizedBlock already");
        QuantizationReport report = Quantizers.apply(empty, mode("int8@row", Mode.COMPRESSED));
        assertThat(report.block()).isSameAs(empty);
        assertThat(report.rows()).hasSize(3);
    }

    private static QuantConfig mode(String spec, Mode mode) {
        return QuantConfig.builder().setScheme(spec).optMode(mode).build();
    }

    @Test
    void regexesThatMatchNothingAreReportedAndEmptySelectionsRefused() {
        Block net = smallNet(3);
        QuantizationReport r =
                Quantizers.apply(
                        net,
                        QuantConfig.builder().setScheme("int8").addExclude("classifier").build());
        assertThat(r.warnings()).containsExactly("regex 'classifier' matched no parameter");
        Block other = smallNet(4);
        assertThatThrownBy(
                        () ->
                                Quantizers.apply(
                                        other,
                                        QuantConfig.builder()
                                                .setScheme("int8")
                                                .addInclude("nope")
                                                .build()))
                .hasMessageContaining("No parameter to quantize")
                .hasMessageContaining("01Conv2d_weight");
    }

    @Test
    void compressedForwardMatchesSimulatedForward() {
        NDArray input = manager.randomNormal(new Shape(2, 3, 8, 8));
        for (String spec : new String[] {"dt4@row", "int8@tensor", "fp8e4m3@row", "dt3@sorted16"}) {
            Block simulated = smallNet(5);
            Quantizers.apply(simulated, QuantConfig.of(spec));
            Block compressed = smallNet(5);
            QuantizationReport report =
                    Quantizers.apply(
                            compressed,
                            QuantConfig.builder()
                                    .setScheme(spec)
                                    .optMode(QuantConfig.Mode.COMPRESSED)
                                    .build());
            QuantizedBlock qb = (QuantizedBlock) report.block();
            assertThat(qb.getCompressed()).hasSize(3);
            assertThat(qb.getCompressedBytes())
                    .isEqualTo(
                            report.rows().stream()
                                    .mapToLong(QuantizationReport.Row::storageBytes)
                                    .sum());
            // The float32 weights are released; only biases and norm parameters keep arrays.
            assertThat(compressed.getParameters().get("05Linear_weight").isInitialized()).isFalse();
            NDArray a = forward(simulated, input);
            NDArray b = forward(qb, input);
            Outputs.assertEqualToRounding(b, a, spec);
        }
    }

    @Test
    void compressedBlocksSaveCompactlyAndLoadBack(@TempDir Path dir) throws Exception {
        NDArray input = manager.randomNormal(new Shape(2, 3, 8, 8));
        try (Model model = Model.newInstance("net")) {
            model.setBlock(compressedSmallNet());
            assertThat(model.getBlock()).isInstanceOf(QuantizedBlock.class);
            NDArray expected = forward(model.getBlock(), input);
            model.save(dir, "net");
            try (Model loaded = Model.newInstance("net")) {
                // Loading into an architecture that was never initialized.
                loaded.setBlock(new QuantizedBlock(uninitializedSmallNet()));
                loaded.load(dir, "net");
                NDArray actual = forward(loaded.getBlock(), input);
                assertThat(actual.sub(expected).abs().max().getFloat()).isZero();
            }
        }
        try (Model plain = Model.newInstance("plain")) {
            plain.setBlock(smallNet(6));
            plain.save(dir, "plain");
        }
        long compact = Files.size(dir.resolve("net-0000.params"));
        long full = Files.size(dir.resolve("plain-0000.params"));
        // 4-bit codes of 8*27 + 16*288 + 10*16 weights; the metadata is small.
        assertThat(compact).isLessThan(full / 3);
    }

    /** Packed weights loaded into an architecture whose layer has another shape are refused. */
    @Test
    void packedWeightsOfAnotherShapeAreRefusedByName(@TempDir Path dir) throws Exception {
        assertSavedNetRefusedBy(
                dir,
                new QuantizedBlock(smallNet(6, 12)),
                "Quantized weight 05Linear_weight has shape (16, 288) but the"
                        + " architecture expects (12, 288)");
    }

    /**
     * Saves the compressed small net and loads it into {@code into}: refused as malformed with each
     * of {@code problems} in the message.
     */
    private void assertSavedNetRefusedBy(Path dir, Block into, String... problems)
            throws Exception {
        try (Model model = Model.newInstance("net")) {
            model.setBlock(compressedSmallNet());
            model.save(dir, "net");
        }
        try (Model other = Model.newInstance("net")) {
            other.setBlock(into);
            var refusal =
                    assertThatThrownBy(() -> other.load(dir, "net"))
                            .isInstanceOf(MalformedModelException.class);
            for (String problem : problems) {
                refusal.hasMessageContaining(problem);
            }
        }
    }

    /**
     * Float parameters of a block saved with another version than the QuantizedBlock format's (2: a
     * {@code ParallelBlock}, as a {@code BatchNorm} or {@code LambdaBlock} would be) fail as float
     * parameters, with both versions.
     */
    @Test
    void floatParametersOfAnotherVersionByteAreRefusedSayingSo(@TempDir Path dir) throws Exception {
        try (Model plain = Model.newInstance("parallel")) {
            plain.setBlock(parallelNet());
            plain.getBlock().initialize(plain.getNDManager(), DataType.FLOAT32, new Shape(1, 8));
            plain.save(dir, "parallel");
        }
        try (Model loaded = Model.newInstance("parallel")) {
            loaded.setBlock(new QuantizedBlock(parallelNet()));
            assertThatThrownBy(() -> loaded.load(dir, "parallel"))
                    .isInstanceOf(MalformedModelException.class)
                    .hasMessageContaining("start with version 2, not " + QuantizedBlock.VERSION)
                    .hasMessageContaining("not those of a QuantizedBlock")
                    .hasMessageContaining("float block");
        }
    }

    /** Two linear branches concatenated: a block that DJL saves with version 2. */
    private static Block parallelNet() {
        return new ParallelBlock(
                list ->
                        new NDList(
                                NDArrays.concat(
                                        new NDList(list.get(0).head(), list.get(1).head()), 1)),
                List.of(
                        Linear.builder().setUnits(4).build(),
                        Linear.builder().setUnits(4).build()));
    }

    /**
     * Float parameters loaded into a QuantizedBlock fail saying what they are, not as a damaged
     * QuantizedBlock, even where their first byte, the wrapped block's version, is the format's own
     * (3: a {@code SequentialBlock}, as a {@code Convolution} would be): the mark after the version
     * tells them apart.
     */
    @Test
    void floatParametersLoadedIntoAQuantizedBlockAreRefusedSayingSo(@TempDir Path dir)
            throws Exception {
        try (Model plain = Model.newInstance("plain")) {
            plain.setBlock(smallNet(6));
            plain.save(dir, "plain");
        }
        try (Model loaded = Model.newInstance("plain")) {
            loaded.setBlock(new QuantizedBlock(uninitializedSmallNet()));
            assertThatThrownBy(() -> loaded.load(dir, "plain"))
                    .isInstanceOf(MalformedModelException.class)
                    .hasMessageContaining(
                            "start with version "
                                    + QuantizedBlock.VERSION
                                    + " but without its mark")
                    .hasMessageContaining("not those of a QuantizedBlock")
                    .hasMessageContaining("float block");
        }
    }

    /**
     * A saved block with a byte damaged (one bit flipped, a different bit at each position: the
     * header, the packed weights, the wrapped block's float biases, the CRC-32 itself) or cut short
     * is refused as malformed: never an OutOfMemoryError or a bare EOF or array-size error, and
     * nothing of it loaded: a block that held the intact parameters still computes what it did. A
     * damaged length or CRC-32 says what it is.
     */
    @Test
    void everyDamagedOrTruncatedByteIsRefusedAsMalformedLeavingTheBlockAsItWas() throws Exception {
        byte[] intact = saved(compressedSmallNet());
        QuantizedBlock block = new QuantizedBlock(uninitializedSmallNet());
        loadSaved(block, intact);
        NDArray input = manager.randomNormal(new Shape(2, 3, 8, 8));
        float[] expected = forward(block, input).toFloatArray();
        for (int at = 0; at < intact.length; at = nextChecked(at, intact.length)) {
            byte[] damaged = intact.clone();
            damaged[at] ^= (byte) (1 << (at % 8));
            assertThatThrownBy(() -> loadSaved(block, damaged))
                    .as("bit %d of byte %d of %d flipped", at % 8, at, intact.length)
                    .isInstanceOf(MalformedModelException.class);
            assertThat(forward(block, input).toFloatArray())
                    .as("after byte %d of %d flipped", at, intact.length)
                    .containsExactly(expected);
        }
        for (int length = 0; length < intact.length; length = nextChecked(length, intact.length)) {
            byte[] truncated = Arrays.copyOf(intact, length);
            assertThatThrownBy(() -> loadSaved(block, truncated))
                    .as("cut to %d of %d bytes", length, intact.length)
                    .isInstanceOf(MalformedModelException.class);
            assertThat(forward(block, input).toFloatArray())
                    .as("after a cut to %d of %d bytes", length, intact.length)
                    .containsExactly(expected);
        }
        byte[] negative = intact.clone();
        negative[5] ^= (byte) 0x80; // the sign of the length, after the version and the mark
        assertThatThrownBy(() -> loadSaved(block, negative))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("The parameters' header is damaged: a length of -");
        byte[] empty = intact.clone();
        // A length of 0 and the CRC-32 of nothing: the body's own header is missing.
        Arrays.fill(empty, 5, 17, (byte) 0);
        assertThatThrownBy(() -> loadSaved(block, empty))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("The parameters end inside their header: truncated");
        byte[] wrongCrc = intact.clone();
        wrongCrc[16] ^= 1; // the CRC-32's last byte, after the length
        assertThatThrownBy(() -> loadSaved(block, wrongCrc))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("The parameters are damaged: their CRC-32 is");
        assertThatThrownBy(() -> loadSaved(block, Arrays.copyOf(intact, intact.length - 1)))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("The parameters end after " + (intact.length - 18));
    }

    /**
     * The next position to damage after {@code at}: every one of the first and last 96 bytes (the
     * header, the CRC-32 and what precedes it), every 7th in between (a load takes milliseconds).
     */
    private static int nextChecked(int at, int length) {
        return at < 96 || at >= length - 96 ? at + 1 : at + 7;
    }

    private void loadSaved(QuantizedBlock block, byte[] bytes) throws Exception {
        block.loadParameters(
                manager, new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes)));
    }

    /** A weight a COMPRESSED apply released cannot be restored into: it says why. */
    @Test
    void restoringIntoAReleasedWeightSaysItWasCompressed() {
        QuantizedBlock block = (QuantizedBlock) compressedSmallNet();
        Map.Entry<String, QuantizedTensor> packed =
                block.getCompressed().entrySet().iterator().next();
        Parameter released = block.getInner().getParameters().get(packed.getKey());
        assertThatThrownBy(() -> Quantizers.restoreInto(released, packed.getValue()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was compressed with int4@row and its float values released");
    }

    /**
     * Packed weights saved from one architecture and loaded into another say so: by name, before
     * anything is read into the wrapped block, where a packed weight has no parameter there, else
     * when the wrapped block cannot read its own parameters (here a batch norm's, where the other
     * architecture has none).
     */
    @Test
    void parametersOfAnotherArchitectureAreRefusedSayingSo(@TempDir Path dir) throws Exception {
        assertSavedNetRefusedBy(
                dir,
                new QuantizedBlock(Linear.builder().setUnits(10).build()),
                "Quantized weight 01Conv2d_weight has no parameter in Linear: wrong architecture?");
        assertSavedNetRefusedBy(
                dir,
                new QuantizedBlock(withoutNorm()),
                "The wrapped SequentialBlock cannot read the parameters",
                "saved from another architecture");
        // One more layer without parameters at the end: its bytes are left over.
        SequentialBlock longer = ((SequentialBlock) uninitializedSmallNet()).add(Activation::relu);
        longer.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 8, 8));
        byte[] saved = saved(compressed(longer));
        assertThatThrownBy(() -> loadSaved(new QuantizedBlock(uninitializedSmallNet()), saved))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining(
                        "The wrapped SequentialBlock read fewer bytes than were saved after the"
                                + " packed weights: saved from another architecture");
    }

    /**
     * An intact file of an architecture that differs only in a layer without quantized weights (no
     * batch norm) is refused after the wrapped block read some of it (the convolution's bias, a
     * batch norm's settings), and what it read is put back: a loaded block computes as before, and
     * one never initialized is left without values and then loads its own file.
     */
    @Test
    void anotherArchitecturesIntactFileLeavesTheBlockAsItWas() throws Exception {
        Block other = withoutNorm();
        other.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 8, 8));
        // A bias the small net's file does not have, so reading it shows.
        other.getParameters().get("01Conv2d_bias").getArray().addi(1f);
        byte[] otherFile = saved(compressed(other));
        byte[] intact = saved(compressedSmallNet());
        QuantizedBlock block = new QuantizedBlock(uninitializedSmallNet());
        loadSaved(block, intact);
        NDArray input = manager.randomNormal(new Shape(2, 3, 8, 8));
        float[] expected = forward(block, input).toFloatArray();
        assertThatThrownBy(() -> loadSaved(block, otherFile))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("saved from another architecture");
        assertThat(forward(block, input).toFloatArray()).containsExactly(expected);
        assertThat(saved(block)).isEqualTo(intact);

        QuantizedBlock fresh = new QuantizedBlock(uninitializedSmallNet());
        assertThatThrownBy(() -> loadSaved(fresh, otherFile))
                .isInstanceOf(MalformedModelException.class);
        assertThat(fresh.getInner().getParameters().values()).noneMatch(Parameter::isInitialized);
        loadSaved(fresh, intact);
        assertThat(forward(fresh, input).toFloatArray()).containsExactly(expected);

        // Float weights of other shapes (nothing packed) read into the weights that a COMPRESSED
        // apply released: they are released again, with their own shapes.
        Block fourFilters = withoutNorm(4);
        fourFilters.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 8, 8));
        byte[] floatFile = saved(new QuantizedBlock(fourFilters));
        QuantizedBlock applied = (QuantizedBlock) compressedSmallNet();
        byte[] appliedFile = saved(applied);
        float[] appliedOutput = forward(applied, input).toFloatArray();
        assertThatThrownBy(() -> loadSaved(applied, floatFile))
                .isInstanceOf(MalformedModelException.class)
                .hasMessageContaining("saved from another architecture");
        Parameter convWeight = applied.getInner().getParameters().get("01Conv2d_weight");
        assertThat(convWeight.isInitialized()).isFalse();
        assertThat(convWeight.getShape()).isEqualTo(new Shape(8, 3, 3, 3));
        assertThat(forward(applied, input).toFloatArray()).containsExactly(appliedOutput);
        assertThat(saved(applied)).isEqualTo(appliedFile);
    }

    /**
     * A file with fewer packed weights than the block holds replaces them all: the weights it holds
     * as floats are no longer read from the block's earlier codes, nor refused as released.
     */
    @Test
    void aLoadReplacesEveryPackedWeightTheBlockHeld() throws Exception {
        byte[] convOnly =
                saved(
                        Quantizers.apply(
                                        smallNet(7),
                                        QuantConfig.builder()
                                                .setScheme("int4@row")
                                                .addInclude("Conv2d_weight")
                                                .optMode(QuantConfig.Mode.COMPRESSED)
                                                .build())
                                .block());
        QuantizedBlock fresh = new QuantizedBlock(uninitializedSmallNet());
        loadSaved(fresh, convOnly);
        NDArray input = manager.randomNormal(new Shape(2, 3, 8, 8));
        QuantizedBlock block = (QuantizedBlock) compressedSmallNet();
        assertThat(block.getCompressed()).hasSize(3);
        loadSaved(block, convOnly);
        assertThat(block.getCompressed()).containsOnlyKeys("01Conv2d_weight");
        assertThat(forward(block, input).toFloatArray())
                .containsExactly(forward(fresh, input).toFloatArray());
        // The linear weights hold values again, so values may be restored into them.
        Parameter linear = block.getInner().getParameters().get("05Linear_weight");
        float[] values = linear.getArray().toFloatArray();
        Quantizers.restoreInto(
                linear, Quantizer.parse("int8@row").quantize(values, new long[] {16, 288}));
        assertThat(linear.getArray().toFloatArray()).isNotEqualTo(values);
    }

    /**
     * Values restored into a weight count as quantized, as a SIMULATE apply's do: quantizing it
     * again is refused, naming the scheme it holds.
     */
    @Test
    void aWeightRestoredIntoIsNotQuantizedAgain() {
        Block net = smallNet(9);
        Parameter weight = net.getParameters().get("05Linear_weight");
        float[] values = weight.getArray().toFloatArray();
        Quantizers.restoreInto(
                weight, Quantizer.parse("dt4@row").quantize(values, new long[] {16, 288}));
        assertThatThrownBy(() -> Quantizers.apply(net, QuantConfig.of("int8@row")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(
                        "Parameter 05Linear_weight already holds values quantized with dt4@row");
    }

    /**
     * SIMULATE applies and restores leave no arrays behind in the parameters' manager, which lives
     * as long as the model: each scratch array goes with the call that made it.
     */
    @Test
    void simulateLeavesNoArraysInTheParametersManager() {
        Block net = smallNet(10);
        Parameter weight = net.getParameters().get("05Linear_weight");
        QuantizedTensor t =
                Quantizer.parse("int8@row")
                        .quantize(weight.getArray().toFloatArray(), new long[] {16, 288});
        int before = manager.getManagedArrays().size();
        Quantizers.apply(net, QuantConfig.of("dt4@row"));
        Quantizers.restoreInto(weight, t);
        assertThat(manager.getManagedArrays()).hasSize(before);
    }

    private static Block withoutNorm() {
        return withoutNorm(8);
    }

    private static Block withoutNorm(int filters) {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(filters).build())
                .add(Activation::relu)
                .add(Activation::relu)
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(16).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(10).build());
    }

    private static Block compressed(Block block) {
        return Quantizers.apply(
                        block,
                        QuantConfig.builder()
                                .setScheme("int4@row")
                                .optMode(QuantConfig.Mode.COMPRESSED)
                                .build())
                .block();
    }

    private static byte[] saved(Block block) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        block.saveParameters(new java.io.DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    /**
     * A layer used twice lists its parameters under two names: they are one weight, quantized once
     * under the first name (its error measured against the float values, not against itself), in
     * both modes, and a COMPRESSED block with it computes what the SIMULATE one does and saves and
     * loads back.
     */
    @Test
    void aLayerUsedTwiceIsQuantizedOnce(@TempDir Path dir) throws Exception {
        NDArray input = manager.randomNormal(TiedNet.INPUT);
        NDArray simulated;
        try (Model model = Model.newInstance("tied-sim")) {
            TiedNet.initialize(model);
            QuantizationReport r = Quantizers.apply(model, QuantConfig.of("int8@row"));
            assertThat(r.rows())
                    .extracting(QuantizationReport.Row::name)
                    .containsExactly("01Linear_weight");
            assertThat(r.rows().get(0).error().mae()).isPositive();
            assertThat(r.warnings())
                    .containsExactly(
                            "02Linear_weight is the parameter of 01Linear_weight: quantized once");
            // 16 x 16 weights and 16 biases, counted once.
            assertThat(r.totalParameters()).isEqualTo(16 * 16 + 16);
            simulated = forward(model.getBlock(), input);
        }
        try (Model model = Model.newInstance("tied")) {
            TiedNet.compress(model);
            NDArray compressed = forward(model.getBlock(), input);
            Outputs.assertEqualToRounding(compressed, simulated, "tied");
            model.save(dir, "tied");
            try (Model loaded = Model.newInstance("tied")) {
                loaded.setBlock(new QuantizedBlock(TiedNet.block()));
                loaded.load(dir, "tied");
                NDArray back = forward(loaded.getBlock(), input);
                assertThat(back.sub(compressed).abs().max().getFloat()).isZero();
            }
        }
    }

    @Test
    void compressesABlockThatModelLoadRead(@TempDir Path dir) throws Exception {
        try (Model plain = Model.newInstance("plain")) {
            plain.setBlock(smallNet(8));
            plain.save(dir, "plain");
        }
        // After smallNet's seed: the same input whichever tests ran before.
        NDArray input = manager.randomNormal(new Shape(2, 3, 8, 8));
        try (Model loaded = Model.newInstance("plain")) {
            loaded.setBlock(uninitializedSmallNet());
            loaded.load(dir, "plain");
            NDArray expected = forward(loaded.getBlock(), input);
            QuantizationReport r =
                    Quantizers.apply(
                            loaded,
                            QuantConfig.builder()
                                    .setScheme("fp8e4m3@row")
                                    .optMode(QuantConfig.Mode.COMPRESSED)
                                    .build());
            NDArray actual = forward(loaded.getBlock(), input);
            assertThat(r.rows()).hasSize(3);
            // FP8 keeps 3 mantissa bits: each weight within 1/16 of itself.
            float scale = expected.abs().max().getFloat();
            assertThat(actual.sub(expected).abs().max().getFloat()).isLessThan(0.1f * scale);
            loaded.save(dir, "compressed");
        }
    }

    private static Block uninitializedSmallNet() {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(8).build())
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(16).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(10).build());
    }

    @Test
    void worksOnDjlModelZooResNet() {
        Block resnet =
                ResNetV1.builder()
                        .setImageShape(new Shape(3, 32, 32))
                        .setNumLayers(18)
                        .setOutSize(10)
                        .build();
        resnet.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
        NDArray input = manager.randomNormal(new Shape(1, 3, 32, 32));
        Map<String, float[]> before = snapshot(resnet);
        QuantizationReport report = Quantizers.apply(resnet, QuantConfig.of("dt8@row"));
        NDArray simulated = forward(resnet, input);
        assertThat(report.rows()).isNotEmpty();
        assertThat(report.rows())
                .allSatisfy(r -> assertThat(r.shape().length).isGreaterThanOrEqualTo(2));
        // Rebuild with the original weights and compress.
        Block fresh =
                ResNetV1.builder()
                        .setImageShape(new Shape(3, 32, 32))
                        .setNumLayers(18)
                        .setOutSize(10)
                        .build();
        fresh.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
        for (Pair<String, Parameter> p : fresh.getParameters()) {
            p.getValue().getArray().set(before.get(p.getKey()));
        }
        QuantizationReport compressed =
                Quantizers.apply(
                        fresh,
                        QuantConfig.builder()
                                .setScheme("dt8@row")
                                .optMode(QuantConfig.Mode.COMPRESSED)
                                .build());
        NDArray out = forward(compressed.block(), input);
        Outputs.assertEqualToRounding(out, simulated, "ResNet18");
    }

    @Test
    void worksOnDjlModelZooAlexNetAndVgg() {
        NDArray input = manager.randomNormal(new Shape(1, 3, 32, 32));
        Block[] blocks = {
            AlexNet.builder().setOutSize(10).build(),
            VGG.builder()
                    .setNumLayers(5)
                    .setOutSize(10)
                    .setConvArch(new int[][] {{1, 16}, {1, 32}})
                    .build()
        };
        Shape[] inputs = {new Shape(1, 3, 224, 224), new Shape(1, 3, 32, 32)};
        for (int i = 0; i < blocks.length; i++) {
            blocks[i].initialize(manager, DataType.FLOAT32, inputs[i]);
            QuantizationReport r = Quantizers.apply(blocks[i], QuantConfig.of("fp8e4m3@row"));
            assertThat(r.rows()).hasSizeGreaterThanOrEqualTo(3);
            assertThat(r.compressionRatio()).isGreaterThan(3.5);
            NDArray out = forward(blocks[i], i == 0 ? manager.randomNormal(inputs[0]) : input);
            assertThat(out.getShape().get(1)).isEqualTo(10);
            assertThat(out.isNaN().any().getBoolean()).isFalse();
        }
    }

    /**
     * The report's totals by DESIGN's accounting, computed here from the block's own parameters:
     * for each weight of 2 or more dimensions {@code ceil(n*K/8) + 4*groups + ceil(n*ceil(log2
     * n)/8)} ({@code sortedN}), the study's estimate {@code (n*K + 32*groups)/8}, float32 for every
     * other parameter; the total error is the rows' errors combined.
     */
    @Test
    void reportTotalsFollowTheStorageAccounting() {
        Block net = smallNet(3);
        long all = 0;
        long packed = 0;
        double estimate = 0;
        long quantizedValues = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            Shape shape = p.getValue().getArray().getShape();
            long n = shape.size();
            all += n;
            if (p.getValue().getType() != Parameter.Type.WEIGHT || shape.dimension() < 2) {
                continue;
            }
            long groups = (n + 99) / 100;
            int indexBits = 64 - Long.numberOfLeadingZeros(n - 1);
            packed += (n * 4 + 7) / 8 + 4 * groups + (n * indexBits + 7) / 8;
            estimate += (n * 4 + 32.0 * groups) / 8;
            quantizedValues += n;
        }
        long others = 4 * (all - quantizedValues);

        QuantizationReport r = Quantizers.apply(net, QuantConfig.of("dt4@sorted100"));
        assertThat(r.float32Bytes()).isEqualTo(4 * all);
        assertThat(r.quantizedBytes()).isEqualTo(packed + others);
        assertThat(r.studyEstimateBytes()).isEqualTo(estimate + others);
        assertThat(r.compressionRatio()).isEqualTo((double) (4 * all) / (packed + others));
        assertThat(r.packedBytes()).isEqualTo(packed);
        assertThat(r.bitsPerWeight()).isEqualTo(8.0 * packed / quantizedValues);
        assertThat(r.studyEstimateBitsPerWeight()).isEqualTo(8.0 * estimate / quantizedValues);
        assertThat(r.toMarkdown())
                .contains(
                        String.format(
                                Locale.ROOT,
                                "%d of %d parameter values quantized, %.2f bits each (the study's"
                                        + " estimate: %.2f). float32 %d bytes -> quantized %d bytes",
                                quantizedValues,
                                all,
                                8.0 * packed / quantizedValues,
                                8.0 * estimate / quantizedValues,
                                4 * all,
                                packed + others));
        com.google.gson.JsonObject totals =
                com.google.gson.JsonParser.parseString(r.toJson()).getAsJsonObject();
        assertThat(totals.get("bits_per_weight").getAsDouble())
                .isEqualTo(8.0 * packed / quantizedValues);
        assertThat(totals.get("study_estimate_bits_per_weight").getAsDouble())
                .isEqualTo(8.0 * estimate / quantizedValues);
        ErrorMetrics total = r.totalError();
        assertThat(total.count()).isEqualTo(quantizedValues);
        assertThat(total)
                .isEqualTo(
                        r.rows().stream()
                                .map(QuantizationReport.Row::error)
                                .reduce(ErrorMetrics::plus)
                                .orElseThrow());
        QuantizationReport unmeasured =
                Quantizers.apply(
                        smallNet(3),
                        QuantConfig.builder()
                                .setScheme("dt4@sorted100")
                                .optStatistics(false)
                                .build());
        assertThat(unmeasured.totalError()).isNull();
        assertThat(unmeasured.quantizedBytes()).isEqualTo(r.quantizedBytes());
    }

    @Test
    void reportRendersMarkdownCsvAndJson() {
        QuantizationReport r = Quantizers.apply(smallNet(7), QuantConfig.of("seeddt3@lastaxis"));
        assertThat(r.toMarkdown())
                .contains("| 01Conv2d_weight |")
                .contains("seeddt3@lastaxis")
                .contains("8/3");
        String[] csv = r.toCsv().split("\n");
        assertThat(csv).hasSize(4);
        assertThat(csv[0]).startsWith("parameter,shape,spec");
        assertThat(csv[1]).startsWith("01Conv2d_weight,8x3x3x3,seeddt3@lastaxis,216,");
        // The statistics cells carry the row's measurements: its MAE and SQNR, and an exponent
        // histogram in which each of the 216 values falls once (a decimal exponent, or zero).
        QuantizationReport.Row conv = r.rows().get(0);
        String[] cells = csv[1].split(",", -1);
        assertThat(Double.parseDouble(cells[9])).isCloseTo(conv.error().mae(), within(1e-9));
        assertThat(Double.parseDouble(cells[12])).isCloseTo(conv.error().sqnrDb(), within(1e-4));
        assertThat(
                        Arrays.stream(cells[14].replaceAll("[\\[\\]]", "").split(" "))
                                .mapToLong(Long::parseLong)
                                .sum())
                .isEqualTo(216);
        assertThat(r.toMarkdown())
                .contains(String.format(Locale.ROOT, "| %.2f |", conv.error().sqnrDb()));
        com.google.gson.JsonObject json =
                com.google.gson.JsonParser.parseString(r.toJson()).getAsJsonObject();
        assertThat(json.get("parameters").getAsJsonArray()).hasSize(3);
        assertThat(json.get("quantized_bytes").getAsLong()).isEqualTo(r.quantizedBytes());
        assertThat(r.quantizedBytes()).isLessThan(r.float32Bytes());
    }

    /**
     * Without statistics, apply holds and writes the same values as with them (SIMULATE, float32
     * and float16 weights) and keeps the same packed tensors (COMPRESSED, a {@code +dq} and a
     * sorted scheme among them); its rows keep every size and leave the statistics out.
     */
    @Test
    void withoutStatisticsApplyChangesTheSameWeightsAndReportsSizesOnly() {
        NDArray input = manager.randomNormal(new Shape(2, 3, 8, 8));
        for (String spec :
                new String[] {"dt4@row", "int8@tensor", "dt3@sorted16", "nf4@block8+dq"}) {
            for (Mode mode : new Mode[] {Mode.SIMULATE, Mode.COMPRESSED}) {
                QuantConfig measured = QuantConfig.builder().setScheme(spec).optMode(mode).build();
                QuantConfig unmeasured = measured.toBuilder().optStatistics(false).build();
                assertThat(unmeasured.statistics()).isFalse();
                Block a = smallNet(9);
                Block b = smallNet(9);
                QuantizationReport with = Quantizers.apply(a, measured);
                QuantizationReport without = Quantizers.apply(b, unmeasured);
                String where = spec + " " + mode;
                assertThat(without.rows()).as(where).hasSameSizeAs(with.rows());
                for (int k = 0; k < with.rows().size(); k++) {
                    QuantizationReport.Row x = with.rows().get(k);
                    QuantizationReport.Row y = without.rows().get(k);
                    assertThat(x.error()).as(where).isNotNull();
                    assertThat(y)
                            .as(where)
                            .isEqualTo(
                                    new QuantizationReport.Row(
                                            x.name(),
                                            x.shape(),
                                            x.spec(),
                                            x.count(),
                                            x.groups(),
                                            x.codeBits(),
                                            x.nominalBits(),
                                            x.storageBytes(),
                                            x.studyEstimateBytes(),
                                            null,
                                            Double.NaN,
                                            null));
                }
                assertThat(without.totalError()).as(where).isNull();
                assertThat(without.quantizedBytes()).as(where).isEqualTo(with.quantizedBytes());
                if (mode == Mode.SIMULATE) {
                    assertThat(snapshot(b)).as(where).containsExactlyEntriesOf(snapshot(a));
                } else {
                    Map<String, QuantizedTensor> x =
                            ((QuantizedBlock) with.block()).getCompressed();
                    Map<String, QuantizedTensor> y =
                            ((QuantizedBlock) without.block()).getCompressed();
                    assertThat(y.keySet()).as(where).isEqualTo(x.keySet());
                    x.forEach(
                            (name, t) ->
                                    assertThat(y.get(name).toBytes())
                                            .as(where + " " + name)
                                            .isEqualTo(t.toBytes()));
                    assertThat(forward(without.block(), input).toFloatArray())
                            .as(where)
                            .containsExactly(forward(with.block(), input).toFloatArray());
                }
            }
        }
        SequentialBlock[] halves = new SequentialBlock[2];
        for (int k = 0; k < 2; k++) {
            halves[k] = new SequentialBlock().add(Linear.builder().setUnits(24).build());
            manager.getEngine().setRandomSeed(11);
            halves[k].initialize(manager, DataType.FLOAT16, new Shape(2, 40));
        }
        Quantizers.apply(halves[0], QuantConfig.of("fp8e4m3@block16"));
        QuantizationReport half =
                Quantizers.apply(
                        halves[1],
                        QuantConfig.builder()
                                .setScheme("fp8e4m3@block16")
                                .optStatistics(false)
                                .build());
        assertThat(half.rows().get(0).error()).isNull();
        assertThat(snapshot(halves[1])).containsExactlyEntriesOf(snapshot(halves[0]));
    }

    /** A report without statistics renders empty cells, not NaN or null, in every format. */
    @Test
    void aReportWithoutStatisticsRendersItsSizesAndEmptyStatistics() {
        QuantizationReport r =
                Quantizers.apply(
                        smallNet(7),
                        QuantConfig.builder()
                                .setScheme("seeddt3@lastaxis")
                                .optStatistics(false)
                                .build());
        String md = r.toMarkdown();
        assertThat(md)
                .contains("| 01Conv2d_weight | [8, 3, 3, 3] | seeddt3@lastaxis | 216 | 72 | 8/3 |")
                .contains("| - | - | - | - | - |  |")
                .contains("Error not measured (statistics off).")
                .doesNotContain("NaN")
                .doesNotContain("null");
        String[] csv = r.toCsv().split("\n");
        assertThat(csv).hasSize(4);
        assertThat(csv[1].split(",", -1))
                .containsExactly(
                        "01Conv2d_weight",
                        "8x3x3x3",
                        "seeddt3@lastaxis",
                        "216",
                        "72",
                        "8",
                        "3",
                        String.valueOf(r.rows().get(0).storageBytes()),
                        String.format(
                                java.util.Locale.ROOT,
                                "%.3f",
                                r.rows().get(0).studyEstimateBytes()),
                        "",
                        "",
                        "",
                        "",
                        "",
                        "");
        com.google.gson.JsonObject row =
                com.google.gson.JsonParser.parseString(r.toJson())
                        .getAsJsonObject()
                        .get("parameters")
                        .getAsJsonArray()
                        .get(0)
                        .getAsJsonObject();
        assertThat(row.get("storage_bytes").getAsLong()).isEqualTo(r.rows().get(0).storageBytes());
        assertThat(row.keySet())
                .doesNotContain("mae", "mse", "max_error", "sqnr_db", "entropy_bits", "exponents");
    }
}
