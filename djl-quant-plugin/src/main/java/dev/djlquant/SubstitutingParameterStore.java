package dev.djlquant;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Hands DJL-native layers substituted weights (dequantized, or fake-quantized for training) without
 * touching the parameters, keeping only the substitutes of the layer being run alive, and of the
 * blocks that enclose it: layers read their parameters in their forward and run one after another,
 * so a request for a parameter of another layer means the substitutes of every layer that is not an
 * enclosing one are no longer needed (autograd keeps its own references). A block's parameters are
 * those it holds directly (a Linear's weight and bias both stay alive when both are substituted; a
 * custom block's own weight stays alive while its children run). Other parameters come from the
 * wrapped store. One instance serves one forward pass.
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
    private Map<Block, Block> parents;

    /** The live substitutes, by the block that holds their parameters. */
    private final Map<Block, Held> held = new IdentityHashMap<>();

    /** One block's substitutes and the manager that holds them. */
    private record Held(NDManager manager, Map<Parameter, NDArray> values) {}

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
        Block owner = owner(parameter);
        Held h = held.get(owner);
        if (h == null) {
            releaseAllBut(owner);
            h = new Held(delegate.getManager().newSubManager(device), new IdentityHashMap<>());
            held.put(owner, h);
        }
        NDArray value = h.values().get(parameter);
        if (value == null) {
            value = substitution.apply(parameter, h.manager(), delegate, device, training);
            h.values().put(parameter, value);
        }
        return value;
    }

    /** Closes the substitutes of every block but {@code owner} and the blocks enclosing it. */
    private void releaseAllBut(Block owner) {
        Set<Block> enclosing = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Block b = owner; b != null; b = parents.get(b)) {
            enclosing.add(b);
        }
        held.entrySet()
                .removeIf(
                        e -> {
                            if (enclosing.contains(e.getKey())) {
                                return false;
                            }
                            e.getValue().manager().close();
                            return true;
                        });
    }

    /** The block holding the parameter directly (every covered parameter is under the root). */
    private Block owner(Parameter parameter) {
        if (owners == null) {
            owners = new IdentityHashMap<>();
            parents = new IdentityHashMap<>();
            collectOwners(root);
        }
        return owners.get(parameter);
    }

    private void collectOwners(Block block) {
        for (Parameter p : block.getDirectParameters().values()) {
            owners.put(p, block);
        }
        for (Block child : block.getChildren().values()) {
            parents.put(child, block);
            collectOwners(child);
        }
    }

    @Override
    public NDManager getManager() {
        return delegate.getManager();
    }

    @Override
    public void close() {
        held.values().forEach(h -> h.manager().close());
        held.clear();
    }
}
