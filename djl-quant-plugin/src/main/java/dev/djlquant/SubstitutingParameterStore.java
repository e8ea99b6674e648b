package dev.djlquant;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * Hands DJL-native layers substituted weights (dequantized, or fake-quantized for training) without
 * touching the parameters, keeping at most one substitute alive: layers read their weights at the
 * start of their forward and run one after another, so a new request means the previous substitute
 * is no longer needed (autograd keeps its own references). Other parameters come from the wrapped
 * store. One instance serves one forward pass.
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
    private Parameter current;
    private NDArray currentValue;
    private NDManager currentManager;

    SubstitutingParameterStore(ParameterStore delegate, Substitution substitution) {
        super(delegate.getManager(), false);
        this.delegate = delegate;
        this.substitution = substitution;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null || !substitution.covers(parameter)) {
            return delegate.getValue(parameter, device, training);
        }
        if (parameter != current) {
            close();
            currentManager = delegate.getManager().newSubManager(device);
            currentValue =
                    substitution.apply(parameter, currentManager, delegate, device, training);
            current = parameter;
        }
        return currentValue;
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
            currentValue = null;
            current = null;
        }
    }
}
