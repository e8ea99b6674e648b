package dev.djlquant;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;

/**
 * Hands DJL-native layers their weights dequantized on demand, keeping at most one dequantized
 * weight alive: layers read their weights at the start of their forward and run one after another,
 * so a new request means the previous weight is no longer needed. Other parameters come from the
 * wrapped store. One instance serves one forward pass.
 */
final class DequantizingParameterStore extends ParameterStore implements AutoCloseable {

    private final ParameterStore delegate;
    private final Map<Parameter, QuantizedTensor> tensors;
    private Parameter current;
    private NDArray currentValue;

    DequantizingParameterStore(ParameterStore delegate, Map<Parameter, QuantizedTensor> tensors) {
        super(delegate.getManager(), false);
        this.delegate = delegate;
        this.tensors = tensors;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        QuantizedTensor t = parameter == null ? null : tensors.get(parameter);
        if (t == null) {
            return delegate.getValue(parameter, device, training);
        }
        if (parameter != current) {
            close();
            NDManager manager = delegate.getManager();
            NDArray value = manager.create(t.dequantize(), new Shape(t.shape()));
            currentValue = value.getDevice().equals(device) ? value : value.toDevice(device, false);
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
        if (currentValue != null) {
            currentValue.close();
            currentValue = null;
            current = null;
        }
    }
}
