package dev.djlquant.zoo;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.QuantizedTensor;
import dev.djlquant.SharedParameters;
import dev.djlquant.files.Digests;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@link QuantizedBlock} of a DJL-native checkpoint: after DJL reads the parameter file into
 * it, every tensor is checked against the manifest (present, same shape and spec, same CRC-32), so
 * a file that parses but holds something else never yields a model.
 */
final class CheckpointBlock extends QuantizedBlock {

    private final CheckpointManifest manifest;
    private final Path parameterFile;

    /** Whether DJL read the parameter file into this block and every tensor passed its check. */
    private boolean checked;

    CheckpointBlock(Block inner, CheckpointManifest manifest, Path parameterFile) {
        super(inner);
        this.manifest = manifest;
        this.parameterFile = parameterFile;
    }

    @Override
    public void loadParameters(NDManager manager, DataInputStream is)
            throws IOException, MalformedModelException {
        try {
            super.loadParameters(manager, is);
        } catch (MalformedModelException e) {
            throw new MalformedModelException(
                    "Checkpoint file " + parameterFile + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(
                    parameterFile, "truncated or damaged (" + e.getMessage() + ")", e);
        }
        check();
        checked = true;
    }

    /**
     * Throws unless DJL read the parameter file into this block: DJL loads no parameters, and says
     * nothing, from a file that does not start with its magic bytes.
     */
    void requireLoaded() throws CheckpointException {
        if (!checked) {
            throw new CheckpointException(
                    parameterFile,
                    "was not read: it does not start as a DJL parameter file (damaged header)");
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        try {
            requireLoaded();
        } catch (CheckpointException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return super.forwardInternal(parameterStore, inputs, training, params);
    }

    private void check() throws CheckpointException {
        Map<String, QuantizedTensor> compressed = getCompressed();
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : getInner().getParameters()) {
            parameters.put(p.getKey(), p.getValue());
        }
        manifest.checkTensors(compressed, parameterFile);
        Set<String> listed = new HashSet<>(compressed.keySet());
        for (CheckpointManifest.ParameterEntry e : manifest.unquantized()) {
            listed.add(e.name());
            Parameter p = parameters.get(e.name());
            if (p == null || !p.isInitialized()) {
                throw new CheckpointException(
                        parameterFile,
                        "parameter " + e.name() + " listed in manifest.json is missing from it");
            }
            if (e.crc32() != null && !Digests.crc32(p.getArray().toByteArray()).equals(e.crc32())) {
                throw new CheckpointException(
                        parameterFile,
                        "parameter " + e.name() + " does not match its CRC-32 in manifest.json");
            }
        }
        // A layer used twice lists its parameters under two names; the manifest has the first.
        Map<Parameter, String> firstNames = SharedParameters.firstNames(getInner().getParameters());
        for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
            if (!listed.contains(firstNames.get(p.getValue()))) {
                throw new CheckpointException(
                        parameterFile,
                        "architecture parameter "
                                + p.getKey()
                                + " is in neither manifest.json list");
            }
        }
    }
}
