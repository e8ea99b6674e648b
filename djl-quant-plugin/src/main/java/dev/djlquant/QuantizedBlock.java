package dev.djlquant;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SymbolBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Wraps any {@link Block} and quantizes its weights. In SIMULATE mode the wrapped block's weights
 * are overwritten in place; in COMPRESSED mode only packed codes and scales are kept (the float32
 * weights are released) and each weight is dequantized when a layer asks the {@link ParameterStore}
 * for it, one layer at a time, into engine memory that the store's manager keeps for the next call
 * ({@link #getWorkspaceBytes()}; a linear weight larger than that memory, a block of rows at a
 * time); linear layers with few input rows (4 or 16, by the kernel that sums their codes: {@link
 * dev.djlquant.pack.CodeKernel}), and 2-D convolutions with as few output positions, multiply from
 * the packed codes instead (their sums may round differently from the engine's, about 1e-6
 * relative). Saves and loads through {@code Model.save}/{@code Model.load} in the compact form
 * ({@link CompactParameters}), which a CRC-32 covers whole: a damaged or cut file fails the load
 * and leaves the block as it was (it is read and checked before anything changes); so does an
 * intact file of another architecture (what the wrapped block read of it before it failed is put
 * back: {@link BlockSnapshot}). COMPRESSED needs DJL-native layers.
 */
public class QuantizedBlock extends AbstractBlock {

    /**
     * Serialization version of the compact parameter format; 2 added the mark after it and a
     * CRC-32, 3 the length and CRC-32 of all that follows ahead of it ({@link CheckedBody}), so
     * that a load checks everything before it changes anything.
     */
    public static final byte VERSION = 3;

    private final Block inner;

    /**
     * The parameters that blocks with children hold directly: restored outside the workspace
     * ({@link Dequantization}). The block tree is fixed once wrapped, so found once.
     */
    private final Set<Parameter> ofEnclosingBlocks;

    private final Map<String, QuantizedTensor> compressed = new LinkedHashMap<>();
    private final Map<Parameter, QuantizedTensor> byParameter = new IdentityHashMap<>();
    private final Map<Parameter, FakeQuantized> fakeQuantized = new IdentityHashMap<>();
    private final RestoreWorkspace workspace = new RestoreWorkspace();
    private boolean releasesWeights = true;

    /**
     * Wraps {@code inner} with nothing quantized yet: call {@link #quantize(QuantConfig)}, or load
     * a checkpoint saved from a quantized block of the same architecture.
     *
     * @param inner the block to wrap
     * @throws IllegalArgumentException if {@code inner} is a {@link QuantizedBlock} itself
     * @throws IllegalStateException if it is one that holds quantized weights already
     */
    public QuantizedBlock(Block inner) {
        super(VERSION);
        Objects.requireNonNull(inner, "inner block");
        if (inner instanceof QuantizedBlock) {
            checkNotQuantized(inner);
            throw new IllegalArgumentException(
                    "The block is a QuantizedBlock already: call its quantize(config)");
        }
        this.inner = addChildBlock("quantized", inner);
        this.ofEnclosingBlocks = parametersOfEnclosingBlocks(inner);
    }

    /**
     * Returns a block that runs {@code inner} as it would be after quantizing with {@code config},
     * without changing {@code inner}: its weights stay as they are and in use. For evaluating
     * candidate schemes during training; DJL-native layers only.
     *
     * @param inner the block to evaluate; initialized, with DJL-native layers
     * @param config what to quantize; its mode and statistics setting are ignored (the view holds
     *     packed weights and returns no report)
     * @return a new block holding packed copies of the selected weights
     * @throws IllegalArgumentException if {@code inner} is not initialized, the config selects no
     *     parameter, or a selected weight cannot be quantized
     * @throws UnsupportedOperationException if {@code inner} has TorchScript layers
     */
    public static QuantizedBlock view(Block inner, QuantConfig config) {
        QuantizedBlock view = new QuantizedBlock(inner);
        view.releasesWeights = false;
        view.quantize(
                config.toBuilder()
                        .optMode(QuantConfig.Mode.COMPRESSED)
                        .optStatistics(false)
                        .build());
        return view;
    }

    /**
     * Quantizes the wrapped block's weights as {@code config} says, once.
     *
     * @param config what to quantize and how
     * @return the report; its block is this block
     * @throws IllegalArgumentException if the config selects no parameter, a selected weight cannot
     *     be quantized, or (COMPRESSED) the wrapped block is not initialized
     * @throws IllegalStateException if this block, or a block inside it, holds quantized weights
     *     already, or a selected weight holds quantized values
     * @throws UnsupportedOperationException if COMPRESSED or QAT meets TorchScript layers
     */
    public QuantizationReport quantize(QuantConfig config) {
        checkNotQuantized(this);
        // Before the initialized check below: released weights look uninitialized.
        ParameterQuantization.checkNotReleased(inner);
        switch (config.mode()) {
            case SIMULATE:
                return ParameterQuantization.run(
                        inner,
                        config,
                        this,
                        ParameterQuantization.simulate(inner, config.statistics()));
            case QAT:
                checkNativeLayers(inner, "Quantization-aware training");
                return ParameterQuantization.run(
                        inner,
                        config,
                        this,
                        (name, parameter, tensor, restored) ->
                                fakeQuantized.put(
                                        parameter, new FakeQuantized(name, tensor.quantizer())));
            default:
                checkNativeLayers(
                        inner,
                        releasesWeights
                                ? "COMPRESSED mode"
                                : "Evaluating a block as quantized (QuantizedBlock.view,"
                                        + " QuantizationListener)");
                if (!inner.isInitialized()) {
                    throw new IllegalArgumentException(
                            "The block is not initialized: weights are selected by their shapes;"
                                    + " initialize the block or load the model first");
                }
                // Released weights make the wrapped block look uninitialized; keep its inputs.
                // A block read by Model.load has input shapes but no names: keep the shapes only.
                inputShapes = inner.getInputShapes();
                inputNames = Collections.nCopies(inputShapes.length, "");
                return ParameterQuantization.run(inner, config, this, new Keeping());
        }
    }

    /** The COMPRESSED sink: keeps the packed tensors and, unless a view, releases the weights. */
    private final class Keeping implements ParameterQuantization.Sink {
        @Override
        public void checkAccepts(String name, Parameter parameter) {
            if (releasesWeights) {
                ParameterQuantization.checkNotInOpenTraining(name, parameter);
            }
        }

        @Override
        public void accept(
                String name, Parameter parameter, QuantizedTensor tensor, FloatBuffer restored) {
            keep(name, parameter, tensor);
        }
    }

    private void keep(String name, Parameter parameter, QuantizedTensor tensor) {
        compressed.put(name, tensor);
        byParameter.put(parameter, tensor);
        if (releasesWeights) {
            ParameterQuantization.released(parameter, tensor.quantizer().spec());
            parameter.close();
        }
    }

    /**
     * Refuses to quantize a block that already holds quantized weights, anywhere inside it: a
     * COMPRESSED block has released its float weights, and a QAT block would be quantized twice.
     */
    static void checkNotQuantized(Block block) {
        if (block instanceof QuantizedBlock q && !q.compressed.isEmpty()) {
            throw new IllegalStateException(
                    "The block already holds "
                            + q.compressed.size()
                            + " packed weights ("
                            + specsOf(q.compressed.values())
                            + "), their float values released: quantize the float model instead,"
                            + " loaded or imported again");
        }
        if (block instanceof QuantizedBlock q && !q.fakeQuantized.isEmpty()) {
            throw new IllegalStateException(
                    "The block is already in quantization-aware training ("
                            + q.fakeQuantized.size()
                            + " weights seen quantized): QatTraining.finish(model, config)"
                            + " quantizes it for inference");
        }
        block.getChildren().values().forEach(QuantizedBlock::checkNotQuantized);
    }

    private static String specsOf(Collection<QuantizedTensor> tensors) {
        return tensors.stream()
                .map(t -> t.quantizer().spec())
                .distinct()
                .collect(Collectors.joining(", "));
    }

    /** Refuses a block with TorchScript layers, which read their weights inside the engine. */
    private static void checkNativeLayers(Block block, String what) {
        if (block instanceof SymbolBlock) {
            throw new UnsupportedOperationException(
                    what
                            + " needs DJL-native layers, but "
                            + block.getClass().getSimpleName()
                            + " reads its weights inside the engine (TorchScript). Import the"
                            + " weights into a DJL-native block first (TorchScriptImport)"
                            + (what.startsWith("COMPRESSED") ? ", or use SIMULATE." : "."));
        }
        block.getChildren().values().forEach(child -> checkNativeLayers(child, what));
    }

    /**
     * Returns the wrapped block.
     *
     * @return the block given to the constructor
     */
    public Block getInner() {
        return inner;
    }

    /**
     * Returns the compressed weights by parameter name of the wrapped block.
     *
     * @return an unmodifiable view; empty until a COMPRESSED quantize (or {@link #view}) or a load
     *     of packed weights
     */
    public Map<String, QuantizedTensor> getCompressed() {
        return Collections.unmodifiableMap(compressed);
    }

    /**
     * Returns the engine memory that COMPRESSED forwards keep for restoring weights: the part of
     * each predictor's restore workspace that restores have touched (at most 16 MB per predictor
     * and thread; freed with the predictor's manager, or at the next restore after its thread
     * ended).
     *
     * @return the bytes of the live workspaces that restores have touched; 0 before any restore
     */
    public long getWorkspaceBytes() {
        return workspace.touchedBytes();
    }

    /**
     * Returns the packed bytes held for the compressed weights.
     *
     * @return the sum of the tensors' {@link QuantizedTensor#storageBytes()}
     */
    public long getCompressedBytes() {
        return compressed.values().stream().mapToLong(QuantizedTensor::storageBytes).sum();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        if (!fakeQuantized.isEmpty()) {
            try (SubstitutingParameterStore store =
                    new SubstitutingParameterStore(parameterStore, new FakeQuantization(), inner)) {
                return inner.forward(store, inputs, training, params);
            }
        }
        if (compressed.isEmpty()) {
            return inner.forward(parameterStore, inputs, training, params);
        }
        if (training) {
            throw new UnsupportedOperationException(
                    "A COMPRESSED block is for inference; train the float model (or use"
                            + " QuantConfig.Mode.QAT) and compress afterwards");
        }
        WaitPolicyHint.logOnce(parameterStore.getManager().getEngine().getEngineName());
        Dequantization restore = new Dequantization();
        try (SubstitutingParameterStore store =
                new SubstitutingParameterStore(parameterStore, restore, inner)) {
            return new CompressedForward(byParameter, restore).run(inner, store, inputs, params);
        }
    }

    /**
     * COMPRESSED: the weight is its packed codes, restored into consecutive pieces of the
     * workspace; the pieces start over with each layer (each has its own manager). A weight held by
     * a block with children is restored into memory of its own: the block may read it again after
     * its children's layers have taken the workspace.
     */
    private final class Dequantization
            implements SubstitutingParameterStore.Substitution, CompressedForward.RowBlocks {
        /**
         * The workspace a forward needs: the largest compressed weight (one instance a forward).
         */
        private final long capacity = largestCompressed();

        private NDManager layer;
        private long used;

        @Override
        public boolean covers(Parameter parameter) {
            return byParameter.containsKey(parameter);
        }

        @Override
        public NDArray apply(
                Parameter parameter,
                NDManager manager,
                ParameterStore original,
                Device device,
                boolean training) {
            QuantizedTensor t = byParameter.get(parameter);
            Shape shape = new Shape(t.shape());
            if (manager != layer) {
                layer = manager;
                used = 0;
            }
            NDArray piece =
                    ofEnclosingBlocks.contains(parameter)
                            ? null
                            : workspace.piece(
                                    original.getManager(), capacity, used, shape, manager);
            if (piece == null) {
                return ParameterArrays.create(manager, shape, t::dequantizeInto);
            }
            used += t.size();
            t.dequantizeInto(ParameterArrays.view(piece));
            return piece;
        }

        @Override
        public long blockValues() {
            return RestoreWorkspace.LIMIT;
        }

        /** The rows go to the start of the workspace: the layer's other pieces are not read. */
        @Override
        public NDArray rows(
                QuantizedTensor weight, int from, int to, NDManager owner, NDManager manager) {
            Shape shape = new Shape(to - from, weight.shape()[1]);
            NDArray piece = workspace.piece(owner, capacity, 0, shape, manager);
            if (piece != null) {
                weight.dequantizeRowsInto(from, to, ParameterArrays.view(piece));
            }
            return piece;
        }
    }

    /** The parameters that blocks with children hold directly. */
    private static Set<Parameter> parametersOfEnclosingBlocks(Block block) {
        Set<Parameter> parameters = Collections.newSetFromMap(new IdentityHashMap<>());
        if (!block.getChildren().isEmpty()) {
            parameters.addAll(block.getDirectParameters().values());
        }
        for (Block child : block.getChildren().values()) {
            parameters.addAll(parametersOfEnclosingBlocks(child));
        }
        return parameters;
    }

    private long largestCompressed() {
        return compressed.values().stream().mapToLong(QuantizedTensor::size).max().orElse(0);
    }

    /**
     * A weight in QAT: the name it has in the wrapped block (errors name it so; {@link
     * Parameter#getName()} is only "weight", as every layer's), and its scheme.
     */
    private record FakeQuantized(String name, Quantizer quantizer) {}

    /** QAT: the forward sees {@code q(w)}, the gradient flows to {@code w} unchanged. */
    private final class FakeQuantization implements SubstitutingParameterStore.Substitution {
        @Override
        public boolean covers(Parameter parameter) {
            return fakeQuantized.containsKey(parameter);
        }

        @Override
        public NDArray apply(
                Parameter parameter,
                NDManager manager,
                ParameterStore original,
                Device device,
                boolean training) {
            NDArray w = original.getValue(parameter, device, training);
            if (training) {
                ParameterQuantization.trainedThrough(parameter, original.getManager());
            }
            // Quantized where w lies and restored straight into the new array: 41-58 ms against
            // 63-81 ms a step for AlexNet's weights through toFloatArray, roundTrip and create.
            // DJL-native weights are contiguous, so the view is w's own memory, not a copy.
            FakeQuantized fake = fakeQuantized.get(parameter);
            QuantizedTensor t =
                    fake.quantizer()
                            .quantize(
                                    fake.name(),
                                    ParameterArrays.values(fake.name(), w),
                                    w.getShape().getShape(),
                                    false);
            NDArray quantized = ParameterArrays.create(manager, w.getShape(), t::dequantizeInto);
            // -stopGradient(w) + w is exactly zero with gradient one: the forward value is exactly
            // q. Results of an operation join the manager of its first operand, so every
            // intermediate is kept in the per-forward manager (w - ... would join the model's
            // manager and pile up there, one set per training batch).
            NDArray detached = w.stopGradient();
            detached.attach(manager);
            return quantized.add(detached.neg().add(w));
        }
    }

    @Override
    public PairList<String, Shape> describeInput() {
        return inputShapes == null
                ? inner.describeInput()
                : new PairList<>(inputNames, Arrays.asList(inputShapes));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inner.getOutputShapes(inputShapes);
    }

    /**
     * {@inheritDoc}
     *
     * @throws UnsupportedOperationException for a COMPRESSED block, which holds packed codes
     *     instead of the float weights to initialize: DJL's {@code Trainer.initialize} would fail
     *     on them with a message about child blocks
     */
    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        if (releasesWeights && !compressed.isEmpty()) {
            throw new UnsupportedOperationException(
                    "A COMPRESSED block holds packed weights, not float parameters to initialize"
                            + " (Trainer.initialize is for training): evaluate it without"
                            + " initializing, or train the float model (or use"
                            + " QuantConfig.Mode.QAT) and compress afterwards");
        }
        super.initialize(manager, dataType, inputShapes);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        if (compressed.isEmpty()) {
            inner.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public boolean isInitialized() {
        for (Parameter p : inner.getParameters().values()) {
            if (!p.isInitialized() && !(byParameter.containsKey(p) && releasesWeights)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the compact form ({@link CompactParameters}): the input names and shapes, the packed
     * weights and the wrapped block's own parameters, under a CRC-32. A damaged byte anywhere, in
     * the wrapped block's float parameters too, fails the load before anything is loaded.
     */
    @Override
    public void saveParameters(DataOutputStream os) throws IOException {
        // Released weights are uninitialized: the wrapped block writes a marker for them.
        CompactParameters.write(os, describeInput(), compressed, inner::saveParameters);
    }

    @Override
    public void loadParameters(NDManager manager, DataInputStream is)
            throws IOException, MalformedModelException {
        CompactParameters.Read read = CompactParameters.read(is);
        Map<String, Parameter> parameters = checkLoaded(read.packed());
        BlockSnapshot before = BlockSnapshot.of(inner);
        try {
            loadInner(manager, read.rest());
        } catch (MalformedModelException e) {
            before.restoreAfter(e, manager);
            throw e;
        }
        inputNames = read.inputNames();
        inputShapes = read.inputShapes().toArray(new Shape[0]);
        compressed.clear();
        byParameter.keySet().forEach(ParameterQuantization::holdsValues);
        byParameter.clear();
        read.packed().forEach((name, tensor) -> keep(name, parameters.get(name), tensor));
    }

    /**
     * Loads the wrapped block's own parameters, which follow the packed weights, and nothing may
     * follow them. Their bytes are intact (the CRC-32 was checked), so a failure means another
     * architecture, found as DJL reads them; the caller puts back what was read before it.
     */
    private void loadInner(NDManager manager, DataInputStream is)
            throws IOException, MalformedModelException {
        try {
            inner.loadParameters(manager, is);
        } catch (OutOfMemoryError e) {
            // DJL's Shape.decode trusts a damaged dimension count and asks for an array of up to
            // 2^31 longs, which fails at once without filling the heap.
            throw new MalformedModelException(
                    "The wrapped "
                            + inner.getClass().getSimpleName()
                            + " read an impossible size in the parameters saved after the packed"
                            + " weights: saved from another architecture",
                    e);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            // DJL's own words ("Unsupported encoding version: 2", a bare EOFException) name
            // neither the block nor the likely cause.
            throw new MalformedModelException(
                    "The wrapped "
                            + inner.getClass().getSimpleName()
                            + " cannot read the parameters saved after the packed weights ("
                            + (e.getMessage() == null ? e : e.getMessage())
                            + "): saved from another architecture",
                    e);
        }
        if (is.read() != -1) {
            throw new MalformedModelException(
                    "The wrapped "
                            + inner.getClass().getSimpleName()
                            + " read fewer bytes than were saved after the packed weights:"
                            + " saved from another architecture");
        }
    }

    /**
     * Checks that the wrapped block has a parameter of each loaded tensor's name and shape, before
     * anything is kept, and returns its parameters by name.
     */
    private Map<String, Parameter> checkLoaded(Map<String, QuantizedTensor> loaded)
            throws MalformedModelException {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : inner.getParameters()) {
            parameters.put(p.getKey(), p.getValue());
        }
        for (Map.Entry<String, QuantizedTensor> e : loaded.entrySet()) {
            Parameter p = parameters.get(e.getKey());
            if (p == null) {
                throw new MalformedModelException(
                        "Quantized weight "
                                + e.getKey()
                                + " has no parameter in "
                                + inner.getClass().getSimpleName()
                                + ": wrong architecture?");
            }
            checkShape(e.getKey(), p, e.getValue());
        }
        return parameters;
    }

    private static void checkShape(String name, Parameter p, QuantizedTensor t)
            throws MalformedModelException {
        Shape expected = p.isInitialized() ? p.getArray().getShape() : p.getShape();
        if (expected != null && !expected.equals(new Shape(t.shape()))) {
            throw new MalformedModelException(
                    "Quantized weight "
                            + name
                            + " has shape "
                            + new Shape(t.shape())
                            + " but the architecture expects "
                            + expected);
        }
    }

    @Override
    public String toString() {
        return "QuantizedBlock("
                + compressed.size()
                + " compressed weights, "
                + getCompressedBytes()
                + " bytes) of "
                + inner;
    }
}
