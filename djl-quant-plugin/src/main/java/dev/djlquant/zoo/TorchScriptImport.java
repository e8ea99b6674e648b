package dev.djlquant.zoo;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.djlquant.InPlaceWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Loads TorchScript exports: as themselves ({@link #open}), or with their weights imported into a
 * DJL-native block ({@link #load}).
 *
 * <p>Parameters are matched by position: the i-th parameter of the TorchScript module goes into the
 * i-th parameter of the target block. Counts and every shape must agree; values are converted to
 * the target's data type (FLOAT32 for the reference models, whose exports hold float16).
 */
public final class TorchScriptImport {

    /** The DJL engine that reads TorchScript files. */
    public static final String ENGINE = "PyTorch";

    private TorchScriptImport() {}

    /**
     * Builds the named architecture and fills it with the weights of a TorchScript file.
     *
     * @param torchScript path of the {@code .pt} file
     * @param architecture one of {@link CifarArchitectures#names()}
     * @return a new model holding the initialized DJL-native block; the caller closes it
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the file is not a loadable TorchScript model
     * @throws IllegalArgumentException if the architecture is unknown or the weights do not fit
     */
    public static Model load(Path torchScript, String architecture)
            throws IOException, MalformedModelException {
        if (!Files.isRegularFile(torchScript)) {
            throw new NoSuchFileException(torchScript.toString(), null, "no TorchScript file");
        }
        Block block = CifarArchitectures.byName(architecture);
        Model model = Model.newInstance(architecture, ENGINE);
        try {
            model.setBlock(block);
            block.initialize(
                    model.getNDManager(), DataType.FLOAT32, CifarArchitectures.INPUT_SHAPE);
            try (ZooModel<NDList, NDList> source = open(torchScript, false)) {
                copyWeights(source.getBlock(), block);
            } catch (IllegalArgumentException e) {
                // Say which file and architecture did not fit: the message alone names neither.
                throw new IllegalArgumentException(
                        "Cannot import "
                                + torchScript
                                + " into "
                                + architecture
                                + ": "
                                + e.getMessage(),
                        e);
            }
            return model;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Copies every parameter of {@code source} into the parameter at the same position of {@code
     * target}, in place, converting to the target's data type.
     *
     * @param source the block to read, typically a TorchScript block
     * @param target an initialized block with the same parameter shapes in the same order
     * @throws IllegalArgumentException if counts or shapes differ, naming both parameters
     * @throws IllegalStateException if the target is not initialized
     */
    public static void copyWeights(Block source, Block target) {
        PairList<String, Parameter> from = source.getParameters();
        PairList<String, Parameter> to = target.getParameters();
        if (from.size() != to.size()) {
            throw new IllegalArgumentException(
                    "Parameter count differs: source has "
                            + from.size()
                            + " "
                            + names(from)
                            + ", target has "
                            + to.size()
                            + " "
                            + names(to));
        }
        for (int i = 0; i < from.size(); i++) {
            checkPair(i, from.get(i), to.get(i));
        }
        for (int i = 0; i < from.size(); i++) {
            copy(from.get(i).getValue().getArray(), to.get(i).getValue().getArray());
        }
    }

    /** The first few parameter names, enough to recognize a model without a line per name. */
    private static String names(PairList<String, Parameter> parameters) {
        int shown = Math.min(parameters.size(), 6);
        return "["
                + String.join(", ", parameters.keys().subList(0, shown))
                + (parameters.size() > shown ? ", ..." : "")
                + "]";
    }

    /**
     * A block factory that gives no block, so that the engine loads the module as its own block.
     * Without one, DJL takes any {@link BlockFactory} it finds in a jar beside the file (the
     * checkpoint factory gives none for a directory without a manifest; another library's may).
     */
    private static final BlockFactory NO_BLOCK = (model, path, arguments) -> null;

    /**
     * Loads a TorchScript file as itself. With {@code writableParameters} its parameters accept
     * in-place writes (libtorch's {@code trainParam}), which {@code SIMULATE} quantization needs.
     *
     * @param torchScript path of the {@code .pt} file
     * @param writableParameters whether to load the parameters writable
     * @return the loaded model; the caller closes it
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the engine cannot read the file as TorchScript, an entry
     *     of its archive fails its CRC-32 (a damaged file), or it is the module a djlq checkpoint
     *     embeds (without its quantized weights' values); the message names the file and the reason
     */
    public static ZooModel<NDList, NDList> open(Path torchScript, boolean writableParameters)
            throws IOException, MalformedModelException {
        if (!Files.isRegularFile(torchScript)) {
            throw new NoSuchFileException(torchScript.toString(), null, "no TorchScript file");
        }
        if (StrippedTorchScript.isStripped(torchScript)) {
            throw new MalformedModelException(
                    torchScript
                            + " is the TorchScript module of a djlq checkpoint, without the values"
                            + " of its quantized weights (they read NaN): load the checkpoint"
                            + " directory that holds it, with its manifest.json and "
                            + WeightsFile.NAME);
        }
        String damaged = ZipChecksums.firstMismatch(torchScript);
        if (damaged != null) {
            throw new MalformedModelException(
                    "Cannot load TorchScript model " + torchScript + ": " + damaged);
        }
        return openModule(torchScript, writableParameters);
    }

    /** {@link #open} without the check for a checkpoint's module, for the writer's own check. */
    static ZooModel<NDList, NDList> openModule(Path torchScript, boolean writableParameters)
            throws IOException, MalformedModelException {
        Criteria.Builder<NDList, NDList> criteria =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optModelPath(torchScript)
                        .optEngine(ENGINE)
                        .optArgument("blockFactory", NO_BLOCK);
        if (writableParameters) {
            criteria.optOption("trainParam", "true");
        }
        try {
            return criteria.build().loadModel();
        } catch (ModelNotFoundException | EngineException e) {
            // libtorch's own message ("PytorchStreamReader failed reading zip archive: ...") does
            // not say which file it was reading.
            throw new MalformedModelException(
                    "Cannot load TorchScript model " + torchScript + ": " + e.getMessage(), e);
        }
    }

    private static void checkPair(
            int index, Pair<String, Parameter> source, Pair<String, Parameter> target) {
        if (!target.getValue().isInitialized()) {
            throw new IllegalStateException(
                    "Target parameter " + target.getKey() + " is not initialized");
        }
        NDArray to = target.getValue().getArray();
        NDArray from = source.getValue().getArray();
        if (!from.getShape().equals(to.getShape())) {
            throw new IllegalArgumentException(
                    "Shape mismatch at parameter #"
                            + index
                            + ": source "
                            + source.getKey()
                            + " "
                            + from.getShape()
                            + " vs target "
                            + target.getKey()
                            + " "
                            + to.getShape());
        }
        checkDataType(source.getKey(), from.getDataType());
        checkDataType(target.getKey(), to.getDataType());
    }

    /** BFLOAT16 is refused: converting to or from it aborts the JVM in this DJL build. */
    private static void checkDataType(String parameter, DataType type) {
        if (!type.isFloating() || type == DataType.BFLOAT16) {
            throw new IllegalArgumentException(
                    "Unsupported data type "
                            + type
                            + " of parameter "
                            + parameter
                            + "; expected FLOAT16, FLOAT32 or FLOAT64");
        }
    }

    private static void copy(NDArray from, NDArray to) {
        NDArray converted = from.toType(to.getDataType(), false);
        try {
            InPlaceWrite.overwrite(to, converted);
        } finally {
            if (converted != from) {
                converted.close();
            }
        }
    }
}
