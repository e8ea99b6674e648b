package dev.djlquant.zoo;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.djlquant.InPlaceWrite;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.Quantizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The {@link BlockFactory} named in every checkpoint's {@code serving.properties} (and in the model
 * zoo's {@code metadata.json}): verifies the checkpoint ({@link CheckpointReader#verify}), then
 * returns the block to load. DJL-native COMPRESSED: the architecture wrapped in a {@code
 * QuantizedBlock} that DJL fills from {@code model-0000.params}. DJL-native SIMULATE: that block
 * read and dequantized into a float copy of the architecture. TorchScript: the module loaded with
 * {@code trainParam=true}, its quantized parameters overwritten in place.
 */
public final class CheckpointBlockFactory implements BlockFactory {

    /** The {@code metadata.json} argument holding the SHA-256 of the published manifest. */
    public static final String MANIFEST_SHA256 = "manifestSha256";

    private static final long serialVersionUID = 1L;

    /**
     * {@inheritDoc}
     *
     * <p>Returns null, so that DJL loads the model its own way, for a directory without a {@code
     * manifest.json} when the arguments do not name this factory: DJL offers every block factory it
     * finds in a jar in a model's directory (a TorchScript file beside a djl-quant jar, say). Named
     * (as a checkpoint's {@code serving.properties} does), a missing manifest is an error.
     */
    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments)
            throws IOException {
        if (!Files.exists(modelPath.resolve(CheckpointManifest.FILE_NAME))
                && !namesThisFactory(arguments)) {
            return null;
        }
        Object expected = arguments == null ? null : arguments.get(MANIFEST_SHA256);
        CheckpointManifest manifest = verify(modelPath, expected != null);
        if (expected != null && !expected.toString().equals(manifest.manifestSha256())) {
            throw new CheckpointException(
                    modelPath.resolve(CheckpointManifest.FILE_NAME),
                    "is not the checkpoint the repository published (sha256 "
                            + manifest.manifestSha256()
                            + ", metadata.json expects "
                            + expected
                            + "): if the checkpoint was published again since DJL cached it,"
                            + " delete this stale copy from DJL's cache; if not, the repository's"
                            + " metadata.json is damaged: publish the checkpoint again");
        }
        if (manifest.kind() == CheckpointManifest.Kind.TORCHSCRIPT) {
            return torchScript(model, modelPath, manifest);
        }
        Path parameters = modelPath.resolve(CheckpointWriter.PARAMETERS_FILE);
        Block architecture = Architectures.newBlock(manifest.architecture(), model, modelPath);
        CheckpointBlock block = new CheckpointBlock(architecture, manifest, parameters);
        if (!"SIMULATE".equals(manifest.mode())) {
            return block;
        }
        return dequantized(model, modelPath, manifest, block);
    }

    /**
     * Verifies the checkpoint; a damaged copy in DJL's cache ({@code fromZoo}: the repository's
     * metadata named the manifest) also says to delete it, since DJL never copies it again. (Damage
     * to a TorchScript file the checkpoint references by path is reported as it is.)
     */
    private static CheckpointManifest verify(Path modelPath, boolean fromZoo)
            throws CheckpointException {
        try {
            return CheckpointReader.verify(modelPath);
        } catch (CheckpointException e) {
            if (!fromZoo || !e.file().startsWith(modelPath)) {
                throw e; // a referenced TorchScript file lies outside the cached copy
            }
            throw new CheckpointException(
                    e.file(),
                    e.problem()
                            + "; this is DJL's cached copy of a published checkpoint, which DJL"
                            + " does not copy again: delete "
                            + modelPath
                            + " to have it copied afresh",
                    e);
        }
    }

    private static boolean namesThisFactory(Map<String, ?> arguments) {
        Object named = arguments == null ? null : arguments.get("blockFactory");
        return named != null && CheckpointBlockFactory.class.getName().equals(named.toString());
    }

    /** Reads the compact parameters into a scratch model, then fills a float architecture. */
    private static Block dequantized(
            Model model, Path dir, CheckpointManifest manifest, CheckpointBlock packed)
            throws IOException {
        Block target = Architectures.newBlock(manifest.architecture(), model, dir);
        Shape[] inputs = manifest.inputShapes().stream().map(Shape::new).toArray(Shape[]::new);
        try (Model scratch =
                Model.newInstance(
                        "djlq-scratch",
                        model.getNDManager().getDevice(),
                        model.getNDManager().getEngine().getEngineName())) {
            readInto(scratch, packed, dir);
            target.initialize(model.getNDManager(), DataType.FLOAT32, inputs);
            Map<String, Parameter> loaded = byName(packed.getInner());
            Map<String, QuantizedTensor> compressed = packed.getCompressed();
            for (Pair<String, Parameter> p : target.getParameters()) {
                NDArray into = p.getValue().getArray();
                QuantizedTensor t = compressed.get(p.getKey());
                if (t != null) {
                    restore(p.getValue(), t, p.getKey(), dir);
                } else {
                    InPlaceWrite.overwrite(into, loaded.get(p.getKey()).getArray());
                }
            }
        }
        return target;
    }

    /**
     * Reads a DJL-native checkpoint's parameter file into {@code packed} inside {@code scratch},
     * which then owns it: every tensor checked against the manifest ({@link CheckpointBlock}).
     */
    static void readInto(Model scratch, CheckpointBlock packed, Path dir) throws IOException {
        scratch.setBlock(packed);
        try {
            scratch.load(dir, CheckpointWriter.MODEL_NAME);
        } catch (MalformedModelException e) {
            throw new CheckpointException(
                    dir.resolve(CheckpointWriter.PARAMETERS_FILE), e.getMessage(), e);
        }
        packed.requireLoaded();
    }

    private static Block torchScript(Model model, Path dir, CheckpointManifest manifest)
            throws IOException {
        CheckpointManifest.TorchScript ts = manifest.torchscript();
        Path pt = ts.path(dir);
        Map<String, QuantizedTensor> tensors = WeightsFile.readListed(dir, manifest);
        CheckpointReader.checkModuleEntries(pt);
        Model module =
                Model.newInstance(
                        "torchscript", model.getNDManager().getDevice(), TorchScriptImport.ENGINE);
        try {
            module.load(pt, null, Map.of("trainParam", "true"));
            Map<String, Parameter> parameters = byName(module.getBlock());
            for (Map.Entry<String, QuantizedTensor> e : tensors.entrySet()) {
                Parameter p = parameters.get(e.getKey());
                if (p == null) {
                    throw new CheckpointException(
                            pt,
                            "has no parameter "
                                    + e.getKey()
                                    + " that "
                                    + WeightsFile.NAME
                                    + " quantizes: another model?");
                }
                NDArray array = p.getArray();
                if (!Arrays.equals(array.getShape().getShape(), e.getValue().shape())) {
                    throw new CheckpointException(
                            pt,
                            "parameter "
                                    + e.getKey()
                                    + " has shape "
                                    + array.getShape()
                                    + " but the quantized tensor has "
                                    + new Shape(e.getValue().shape()));
                }
                restore(p, e.getValue(), e.getKey(), pt);
            }
            module.getBlock().freezeParameters(true);
            // The module lives as long as the model that runs it.
            model.getNDManager().attachInternal("djlq-torchscript-" + UUID.randomUUID(), module);
            return module.getBlock();
        } catch (MalformedModelException e) {
            module.close();
            throw new CheckpointException(pt, "is not a loadable TorchScript model", e);
        } catch (IOException | RuntimeException e) {
            module.close();
            throw e;
        }
    }

    private static Map<String, Parameter> byName(Block block) {
        Map<String, Parameter> map = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            map.put(p.getKey(), p.getValue());
        }
        return map;
    }

    /**
     * Writes the restored values of {@code tensor} into {@code parameter} in place, marking it as
     * quantized so that {@code Quantizers.apply} refuses to quantize it again.
     */
    private static void restore(Parameter parameter, QuantizedTensor tensor, String name, Path file)
            throws CheckpointException {
        try {
            Quantizers.restoreInto(parameter, tensor);
        } catch (RuntimeException e) {
            throw new CheckpointException(
                    file, "cannot write the dequantized " + name + " (" + e.getMessage() + ")", e);
        }
    }
}
