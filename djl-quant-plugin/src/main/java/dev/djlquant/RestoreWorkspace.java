package dev.djlquant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;

/**
 * The float32 memory that COMPRESSED forwards restore weights into: one engine array per
 * parameter-store manager (a predictor's) and thread, reused from layer to layer and call to call.
 * Fresh engine memory for every layer cost more than the restore itself: each first touch of a page
 * faults (2,300 faults, about 5 ms, for one 9.4 MB VGG16 weight against 0.7 ms to decode it). Pages
 * that no restore touches are never made resident; an array is freed with its manager.
 */
final class RestoreWorkspace {

    private record Key(NDManager manager, Thread thread) {}

    private final Map<Key, NDArray> arrays = new HashMap<>();

    /**
     * Returns the workspace of {@code owner} for the calling thread, at least {@code capacity}
     * floats, or null where the engine does not expose arrays' memory for writing.
     */
    synchronized NDArray memory(NDManager owner, long capacity) {
        if (!ParameterArrays.writableViews(owner)) {
            return null;
        }
        arrays.values().removeIf(NDArray::isReleased);
        Key key = new Key(owner, Thread.currentThread());
        NDArray memory = arrays.get(key);
        if (memory == null || memory.size() < capacity) {
            if (memory != null) {
                memory.close();
            }
            memory = owner.create(new Shape(capacity), DataType.FLOAT32);
            arrays.put(key, memory);
        }
        return memory;
    }
}
