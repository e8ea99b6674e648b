package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizer;
import dev.djlquant.Quantizers;
import dev.djlquant.SharedFiles;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libtorch's gradient mode is per thread: DJL turns it off only on the thread that started the
 * engine, so a server thread (a pool's, a request's) records gradients by default and refuses
 * in-place writes into parameters that require them. Every in-place write of the library (SIMULATE,
 * restoreInto, imports, checkpoint loading) must work there as on the first thread.
 */
class WorkerThreadWritesTest {

    @TempDir Path tmp;

    private static ExecutorService worker;

    @BeforeAll
    static void startEngineHereAndOpenAWorker() {
        // The engine's gradient mode is switched off on this thread, not on the worker's.
        Engine.getEngine("PyTorch");
        worker = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void closeWorker() {
        worker.shutdownNow();
    }

    private static <T> T onWorker(java.util.concurrent.Callable<T> job) throws Exception {
        Future<T> f = worker.submit(job);
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    @Test
    void restoreIntoWritesADjlNativeWeightOnAnotherThread() throws Exception {
        try (Model model = Model.newInstance("w", "PyTorch")) {
            Block block = TinyNet.block();
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, TinyNet.INPUT);
            Parameter weight = block.getParameters().get(0).getValue();
            float[] values = weight.getArray().toFloatArray();
            long[] shape = weight.getArray().getShape().getShape();
            QuantizedTensor t = Quantizer.parse("int4@row").quantize(values, shape);
            onWorker(
                    () -> {
                        Quantizers.restoreInto(weight, t);
                        return null;
                    });
            assertThat(weight.getArray().toFloatArray()).containsExactly(t.dequantize());
        }
    }

    @Test
    void copyWeightsWritesOnAnotherThread() throws Exception {
        try (Model a = Model.newInstance("a", "PyTorch");
                Model b = Model.newInstance("b", "PyTorch")) {
            Block source = TinyNet.block();
            Block target = TinyNet.block();
            a.setBlock(source);
            b.setBlock(target);
            source.initialize(a.getNDManager(), DataType.FLOAT32, TinyNet.INPUT);
            target.initialize(b.getNDManager(), DataType.FLOAT32, TinyNet.INPUT);
            onWorker(
                    () -> {
                        TorchScriptImport.copyWeights(source, target);
                        return null;
                    });
            for (int i = 0; i < source.getParameters().size(); i++) {
                assertThat(target.getParameters().get(i).getValue().getArray().toFloatArray())
                        .containsExactly(
                                source.getParameters().get(i).getValue().getArray().toFloatArray());
            }
        }
    }

    @Test
    void simulateCheckpointLoadsOnAnotherThread() throws Exception {
        QuantizationReport[] report = new QuantizationReport[1];
        try (Model model = TinyNet.compressed("int8@row", 3, report)) {
            CheckpointWriter.builder()
                    .optLoadMode(QuantConfig.Mode.SIMULATE)
                    .build()
                    .writeNative(model, report[0], TinyNet.class.getName(), tmp.resolve("s"));
        }
        try (ZooModel<NDList, NDList> s =
                onWorker(
                        () ->
                                CheckpointReader.load(
                                        tmp.resolve("s"), NDList.class, NDList.class))) {
            assertThat(s.getBlock().isInitialized()).isTrue();
        }
    }

    @Test
    void torchScriptSimulateOnAnotherThreadWritesWithTrainParamAndRefusesWithout()
            throws Exception {
        Path pt = SharedFiles.require("models/resnet20_cifar10.pt");
        try (ZooModel<NDList, NDList> model = TorchScriptImport.open(pt, true)) {
            Parameter conv = model.getBlock().getParameters().get("conv1.weight");
            float[] before = conv.getArray().toFloatArray();
            long[] shape = conv.getArray().getShape().getShape();
            onWorker(() -> Quantizers.apply(model, QuantConfig.of("int8@row")));
            assertThat(conv.getArray().toFloatArray())
                    .containsExactly(
                            Quantizer.parse("int8@row").roundTrip("conv1.weight", before, shape));
        }
        try (ZooModel<NDList, NDList> model = TorchScriptImport.open(pt, false)) {
            float[] before =
                    model.getBlock().getParameters().get(0).getValue().getArray().toFloatArray();
            assertThatThrownBy(
                            () ->
                                    onWorker(
                                            () ->
                                                    Quantizers.apply(
                                                            model, QuantConfig.of("int8@row"))))
                    .hasMessageContaining("trainParam");
            assertThat(model.getBlock().getParameters().get(0).getValue().getArray().toFloatArray())
                    .containsExactly(before);
        }
    }
}
