package dev.djlquant;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Hands DJL-native layers substituted weights (dequantized, or fake-quantized for training) without
 * touching the parameters, keeping only the substitutes of one layer alive: layers read their
 * parameters at the start of their forward and run one after another, so a request for a parameter
 * of another layer means the previous layer's substitutes are no longer needed (autograd keeps its
 * own references). A layer's parameters are those it holds directly (a Linear's weight and bias
 * both stay alive when both are substituted). Other parameters come from the wrapped store. One
 * instance serves one forward pass.
 */
final class SubstitutingParameterStore extends ParameterStore implements AutoCloseable {

    /** Computes what a layer sees for a parameter. */
    interface Substitution {

        /** Returns whether this parameter is substituted. */
        boolean covers(Parameter parameter);

        /**
         * Returns the substitute, created in {@code manager}; {@code original} reads the
         * parameter's own value when the substitute derives from it.
         */
        NDArray apply(
                Parameter parameter,
                NDManager manager,
                ParameterStore original,
                Device device,
                boolean training);
    }

    private final ParameterStore delegate;
    private final Substitution substitution;
    private final Block root;
    private Map<Parameter, Block> owners;
    private final Map<Parameter, NDArray> current = new IdentityHashMap<>();
    private Block currentOwner;
    private NDManager currentManager;

    /**
     * Substitutes parameters of the blocks under {@code root}, reading the others from {@code
     * delegate}.
     */
    SubstitutingParameterStore(ParameterStore delegate, Substitution substitution, Block root) {
        super(delegate.getManager(), false);
        this.delegate = delegate;
        this.substitution = substitution;
        this.root = root;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null || !substitution.covers(parameter)) {
            return delegate.getValue(parameter, device, training);
        }
        NDArray value = current.get(parameter);
        if (value == null) {
            Block owner = owner(parameter);
            if (owner != currentOwner || currentManager == null) {
                close();
                currentManager = delegate.getManager().newSubManager(device);
                currentOwner = owner;
            }
            value = substitution.apply(parameter, currentManager, delegate, device, training);
            current.put(parameter, value);
        }
        return value;
    }

    /** The block holding the parameter directly (every covered parameter is under the root). */
    private Block owner(Parameter parameter) {
        if (owners == null) {
            owners = new IdentityHashMap<>();
            collectOwners(root);
        }
        return owners.get(parameter);
    }

    private void collectOwners(Block block) {
        for (Parameter p : block.getDirectParameters().values()) {
            owners.put(p, block);
        }
        for (Block child : block.getChildren().values()) {
            collectOwners(child);
        }
    }

    @Override
    public NDManager getManager() {
        return delegate.getManager();
    }

    @Override
    public void close() {
        if (currentManager != null) {
            currentManager.close();
            currentManager = null;
            currentOwner = null;
            current.clear();
        }
    }
}
