package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.djlquant.pack.CodeKernel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The inference forward of COMPRESSED blocks: linear layers with few input rows multiply from the
 * packed codes, and give what the restored weights give.
 */
class CompressedForwardTest extends ManagerPerTest {

    /** Linear layers with and without bias, nested sequences, one that returns intermediates. */
    private Block mlp(int seed) {
        SequentialBlock inner =
                new SequentialBlock()
                        .add(Linear.builder().setUnits(24).optBias(false).build())
                        .add(Activation::relu);
        SequentialBlock intermediates =
                new SequentialBlock()
                        .add(Linear.builder().setUnits(12).build())
                        .setReturnIntermediate(true);
        SequentialBlock net =
                new SequentialBlock()
                        .add(Linear.builder().setUnits(40).build())
                        .add(Activation::relu)
                        .add(inner)
                        .add(intermediates)
                        .add(Linear.builder().setUnits(10).build());
        manager.getEngine().setRandomSeed(seed);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 32));
        randomBiases(net);
        return net;
    }

    /** {@link #mlp} with seed {@code seed}, COMPRESSED with {@code spec}. */
    private QuantizedBlock compressedMlp(int seed, String spec) {
        return (QuantizedBlock)
                Quantizers.apply(
                                mlp(seed),
                                QuantConfig.builder()
                                        .setScheme(spec)
                                        .optMode(QuantConfig.Mode.COMPRESSED)
                                        .build())
                        .block();
    }

    private NDArray forward(Block block, NDArray input) {
        return block.forward(new ParameterStore(manager, false), new NDList(input), false)
                .singletonOrThrow();
    }

    /** Rows up to the limit take the packed path, more rows the restored one; 3-D inputs too. */
    @ParameterizedTest
    @CsvSource({
        "dt4@row, 1",
        "int8@row, 3",
        "dt3@block8, 8",
        "fp8e4m3@row, 9",
        "dt8@sorted64, 2",
        "nf4@block16, 20"
    })
    void matchesTheSimulatedModel(String spec, int rows) {
        Block simulated = mlp(11);
        Block compressed = mlp(11);
        Quantizers.apply(
                simulated,
                QuantConfig.builder().setScheme(spec).optMode(QuantConfig.Mode.SIMULATE).build());
        QuantizedBlock qb =
                (QuantizedBlock)
                        Quantizers.apply(
                                        compressed,
                                        QuantConfig.builder()
                                                .setScheme(spec)
                                                .optMode(QuantConfig.Mode.COMPRESSED)
                                                .build())
                                .block();
        assertThat(qb.getCompressed()).hasSize(4);
        for (Shape shape : new Shape[] {new Shape(rows, 32), new Shape(rows, 2, 32)}) {
            NDArray input = manager.randomNormal(shape);
            NDArray expected = forward(simulated, input);
            NDArray actual = forward(qb, input);
            assertThat(actual.getShape()).isEqualTo(expected.getShape());
            float scale = expected.abs().max().getFloat();
            assertThat(actual.sub(expected).abs().max().getFloat())
                    .as("%s %s", spec, shape)
                    .isLessThanOrEqualTo(1e-5f * Math.max(1f, scale));
        }
    }

    /**
     * The restore workspace holds the largest restored layer (none when every layer multiplies from
     * packed codes) and is freed with the parameter store's manager.
     */
    @Test
    void theRestoreWorkspaceHoldsTheLargestRestoredLayerUntilItsManagerCloses() {
        QuantizedBlock qb = compressedMlp(5, "int8@row");
        try (NDManager predictor = manager.newSubManager()) {
            ParameterStore store = new ParameterStore(predictor, false);
            qb.forward(store, new NDList(manager.randomNormal(new Shape(1, 32))), false);
            // Only the 12 x 24 layer inside the sequence that returns intermediates, which runs
            // its own forward, is restored.
            assertThat(qb.getWorkspaceBytes()).isEqualTo(12 * 24 * Float.BYTES);
            // int8 codes: the largest limit of any kernel.
            int rows = CompressedForward.packedRowsLimit(CodeKernel.SIGNED_BYTES) + 1;
            qb.forward(store, new NDList(manager.randomNormal(new Shape(rows, 32))), false);
            // The first layer's 40 x 32 weight is the largest.
            assertThat(qb.getWorkspaceBytes()).isEqualTo(40 * 32 * Float.BYTES);
        }
        assertThat(qb.getWorkspaceBytes()).isZero();
    }

    /**
     * A predictor's manager lives as long as the predictor: forwards leave nothing in it after the
     * first (which creates the restore workspace), however many calls follow.
     */
    @Test
    void forwardsLeaveNothingBehindInALongLivedManager() {
        QuantizedBlock qb = compressedMlp(7, "dt4@row");
        int rows = CompressedForward.packedRowsLimit(CodeKernel.NIBBLES) + 1;
        try (NDManager predictor = manager.newSubManager()) {
            ParameterStore store = new ParameterStore(predictor, false);
            int[] managed = new int[3];
            for (int call = 0; call < managed.length; call++) {
                // Both paths: restored weights (many rows) and packed products (one row).
                for (int batch : new int[] {rows, 1}) {
                    try (NDManager perCall = manager.newSubManager()) {
                        NDArray input = perCall.randomNormal(new Shape(batch, 32));
                        NDList out = qb.forward(store, new NDList(input), false);
                        out.attach(perCall);
                    }
                }
                managed[call] = predictor.getManagedArrays().size();
            }
            assertThat(managed[2])
                    .as("arrays after calls 1, 2, 3: %s", managed)
                    .isEqualTo(managed[0]);
        }
    }

    /** A thread's restore workspace is freed once the thread has ended. */
    @Test
    void theWorkspaceOfAnEndedThreadIsFreed() throws Exception {
        QuantizedBlock qb = compressedMlp(8, "int8@row");
        int rows = CompressedForward.packedRowsLimit(CodeKernel.SIGNED_BYTES) + 1;
        try (NDManager predictor = manager.newSubManager()) {
            ParameterStore store = new ParameterStore(predictor, false);
            Runnable call =
                    () -> {
                        try (NDManager perCall = manager.newSubManager()) {
                            qb.forward(
                                            store,
                                            new NDList(perCall.randomNormal(new Shape(rows, 32))),
                                            false)
                                    .attach(perCall);
                        }
                    };
            call.run();
            long one = qb.getWorkspaceBytes();
            assertThat(one).isPositive();
            for (int t = 0; t < 4; t++) {
                Thread thread = new Thread(call);
                thread.start();
                thread.join();
            }
            // Four ended threads' workspaces are gone; the caller's remains.
            assertThat(qb.getWorkspaceBytes()).isEqualTo(one);
        }
    }

    /**
     * Threads running one COMPRESSED block at once, on one parameter store, restore into workspaces
     * of their own: every thread gets what a lone forward gets.
     */
    @Test
    void concurrentForwardsOnOneStoreDoNotShareRestoredWeights() throws Exception {
        QuantizedBlock qb = compressedMlp(9, "dt4@row");
        int rows = CompressedForward.packedRowsLimit(CodeKernel.NIBBLES) + 5;
        ParameterStore store = new ParameterStore(manager, false);
        List<NDArray> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            NDArray x = manager.randomNormal(new Shape(rows, 32));
            inputs.add(x);
            expected.add(qb.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int k = t;
                results.add(
                        pool.submit(
                                () -> {
                                    for (int repeat = 0; repeat < 50; repeat++) {
                                        float[] y =
                                                qb.forward(store, new NDList(inputs.get(k)), false)
                                                        .singletonOrThrow()
                                                        .toFloatArray();
                                        if (!Arrays.equals(y, expected.get(k))) {
                                            return false;
                                        }
                                    }
                                    return true;
                                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static NDList plusOne(NDList outputs) {
        return new NDList(outputs.singletonOrThrow().add(1f));
    }

    /** A layer that adds one to what its DJL class computes. */
    private static final class ShiftedLinear extends Linear {
        ShiftedLinear(long units) {
            super(Linear.builder().setUnits(units));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            return plusOne(super.forwardInternal(store, inputs, training, params));
        }
    }

    /** The same for a convolution. */
    private static final class ShiftedConv2d extends Conv2d {
        ShiftedConv2d() {
            super(Conv2d.builder().setFilters(3).setKernelShape(new Shape(1, 1)));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            return plusOne(super.forwardInternal(store, inputs, training, params));
        }
    }

    /** A sequence that adds one to what its children compute. */
    private static final class ShiftedSequence extends SequentialBlock {
        @Override
        protected NDList forwardInternal(
                ParameterStore store,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            return plusOne(super.forwardInternal(store, inputs, training, params));
        }
    }

    /**
     * Subclasses of the layers that multiply from packed codes, and of the sequence that runs its
     * children one by one, keep their own forward: a COMPRESSED block gives what SIMULATE gives, at
     * batch 1, where the packed paths would otherwise take over.
     */
    @Test
    void subclassesOfThePackedLayersKeepTheirOwnForward() {
        for (int variant = 0; variant < 3; variant++) {
            Block simulated = shiftedNet(variant);
            Block compressed = shiftedNet(variant);
            QuantConfig.Builder config = QuantConfig.builder().setScheme("int8@row");
            Quantizers.apply(simulated, config.optMode(QuantConfig.Mode.SIMULATE).build());
            Block qb =
                    Quantizers.apply(
                                    compressed, config.optMode(QuantConfig.Mode.COMPRESSED).build())
                            .block();
            NDArray x = manager.randomNormal(new Shape(1, 4, 1, 1));
            NDArray expected = forward(simulated, x);
            NDArray actual = forward(qb, x);
            float scale = expected.abs().max().getFloat();
            assertThat(actual.sub(expected).abs().max().getFloat())
                    .as("variant %d", variant)
                    .isLessThanOrEqualTo(1e-5f * Math.max(1f, scale));
        }
    }

    /** A shifted convolution, a shifted linear layer, or both plain in a shifted sequence. */
    private Block shiftedNet(int variant) {
        SequentialBlock net = variant == 2 ? new ShiftedSequence() : new SequentialBlock();
        net.add(
                        variant == 0
                                ? new ShiftedConv2d()
                                : Conv2d.builder()
                                        .setFilters(3)
                                        .setKernelShape(new Shape(1, 1))
                                        .build())
                .add(Blocks.batchFlattenBlock())
                .add(variant == 1 ? new ShiftedLinear(5) : Linear.builder().setUnits(5).build());
        manager.getEngine().setRandomSeed(29);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 1, 1));
        randomBiases(net);
        return net;
    }

    @Test
    void anEmptyBatchGivesAnEmptyOutput() {
        QuantizedBlock qb = compressedMlp(3, "int8@row");
        NDArray out = forward(qb, manager.zeros(new Shape(0, 32)));
        assertThat(out.getShape()).isEqualTo(new Shape(0, 10));
    }

    /** Within the limit the layer's weight is never restored; beyond it, it is. */
    @Test
    void linearLayersWithFewRowsNeverRestoreTheirWeight() {
        Linear linear = Linear.builder().setUnits(16).build();
        linear.initialize(manager, DataType.FLOAT32, new Shape(1, 64));
        randomBiases(linear);
        Parameter weight = linear.getParameters().get("weight");
        float[] w = weight.getArray().toFloatArray();
        QuantizedTensor t = Quantizer.parse("dt4@row").quantize("w", w, new long[] {16, 64});
        CompressedForward forward =
                new CompressedForward(Map.of(weight, t), new FreshRows(1 << 20));
        ParameterStore refusing = storeRefusing(weight);
        int limit = CompressedForward.packedRowsLimit(t.linearKernel());
        assertThat(limit).isPositive();
        NDArray x = manager.randomNormal(new Shape(limit, 64));
        NDArray y = forward.run(linear, refusing, new NDList(x), null).singletonOrThrow();
        float[] expected = t.linear(x.toFloatArray(), limit);
        float[] bias = linear.getParameters().get("bias").getArray().toFloatArray();
        float[] actual = y.toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isEqualTo(expected[i] + bias[i % 16]);
        }
        NDArray more = manager.randomNormal(new Shape(limit + 1, 64));
        assertThatThrownBy(() -> forward.run(linear, refusing, new NDList(more), null))
                .hasMessage("weight restored");
    }

    /** Restores rows into fresh arrays, recording each block; weights above {@code limit} split. */
    private static final class FreshRows implements CompressedForward.RowBlocks {
        final long limit;
        final List<String> blocks = new ArrayList<>();

        FreshRows(long limit) {
            this.limit = limit;
        }

        @Override
        public long blockValues() {
            return limit;
        }

        @Override
        public NDArray rows(
                QuantizedTensor weight, int from, int to, NDManager owner, NDManager manager) {
            blocks.add(from + ":" + to);
            int in = (int) weight.shape()[1];
            float[] values = new float[(to - from) * in];
            weight.dequantizeRowsInto(from, to, FloatBuffer.wrap(values));
            return manager.create(values, new Shape(to - from, in));
        }
    }

    /**
     * A weight larger than the reusable memory is restored and multiplied a block of rows at a
     * time, never whole, and gives the layer's own forward with the whole weight restored; 3-D
     * inputs too.
     */
    @Test
    void largeWeightsMultiplyByBlocksOfRows() {
        Linear linear = Linear.builder().setUnits(37).build();
        linear.initialize(manager, DataType.FLOAT32, new Shape(1, 64));
        randomBiases(linear);
        Parameter weight = linear.getParameters().get("weight");
        float[] w = weight.getArray().toFloatArray();
        QuantizedTensor t = Quantizer.parse("dt8@row").quantize("w", w, new long[] {37, 64});
        FreshRows rows = new FreshRows(10 * 64 + 5);
        CompressedForward forward = new CompressedForward(Map.of(weight, t), rows);
        NDArray restored = manager.create(t.dequantize(), new Shape(37, 64));
        NDArray bias = linear.getParameters().get("bias").getArray();
        // More input rows than the limit of products from packed codes, in 2-D and 3-D.
        int limit = CompressedForward.packedRowsLimit(t.linearKernel());
        for (Shape shape :
                new Shape[] {new Shape(limit + 1, 64), new Shape(3, limit / 3 + 1, 64)}) {
            rows.blocks.clear();
            NDArray x = manager.randomNormal(shape);
            NDArray y =
                    forward.run(linear, storeRefusing(weight), new NDList(x), null)
                            .singletonOrThrow();
            NDArray expected = Linear.linear(x, restored, bias).singletonOrThrow();
            assertThat(rows.blocks).containsExactly("0:10", "10:20", "20:30", "30:37");
            assertThat(y.getShape()).isEqualTo(expected.getShape());
            float scale = expected.abs().max().getFloat();
            assertThat(y.sub(expected).abs().max().getFloat())
                    .as("%s", shape)
                    .isLessThanOrEqualTo(1e-5f * Math.max(1f, scale));
        }
    }

    /**
     * A COMPRESSED block restores a linear weight larger than its workspace by blocks of rows into
     * that workspace (no more memory kept than it holds) and gives the simulated model's outputs.
     */
    @Test
    void weightsLargerThanTheWorkspaceRestoreByRowsIntoIt() {
        int in = 1100; // 4096 x 1100 values: more than RestoreWorkspace.LIMIT
        Block simulated = wideLinear(in);
        Block compressed = wideLinear(in);
        QuantConfig.Builder config = QuantConfig.builder().setScheme("int8@row");
        Quantizers.apply(simulated, config.optMode(QuantConfig.Mode.SIMULATE).build());
        QuantizedBlock qb =
                (QuantizedBlock)
                        Quantizers.apply(
                                        compressed,
                                        config.optMode(QuantConfig.Mode.COMPRESSED).build())
                                .block();
        int batch = CompressedForward.packedRowsLimit(CodeKernel.SIGNED_BYTES) + 1;
        try (NDManager predictor = manager.newSubManager()) {
            ParameterStore store = new ParameterStore(predictor, false);
            NDArray x = manager.randomNormal(new Shape(batch, in));
            NDArray expected = forward(simulated, x);
            NDArray actual = qb.forward(store, new NDList(x), false).singletonOrThrow();
            float scale = expected.abs().max().getFloat();
            assertThat(actual.sub(expected).abs().max().getFloat())
                    .isLessThanOrEqualTo(1e-5f * Math.max(1f, scale));
            assertThat(qb.getWorkspaceBytes())
                    .isPositive()
                    .isLessThanOrEqualTo(RestoreWorkspace.LIMIT * Float.BYTES);
        }
    }

    private Block wideLinear(int in) {
        Block linear = Linear.builder().setUnits(4096).build();
        manager.getEngine().setRandomSeed(5);
        linear.initialize(manager, DataType.FLOAT32, new Shape(1, in));
        randomBiases(linear);
        return linear;
    }
}
