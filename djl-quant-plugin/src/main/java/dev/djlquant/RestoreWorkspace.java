package dev.djlquant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;

/**
 * The float32 memory that COMPRESSED forwards restore weights into: one engine array per
 * parameter-store manager (a predictor's) and thread, reused from layer to layer and call to call.
 * Fresh engine memory for every layer cost more than the restore itself: each first touch of a page
 * faults (2,300 faults, about 5 ms, for one 9.4 MB VGG16 weight against 0.7 ms to decode it). Only
 * pages that a restore touched become resident, and at most {@link #LIMIT} floats per array; larger
 * weights get fresh memory. An array is freed with its manager, or at the next restore after its
 * thread ended.
 */
final class RestoreWorkspace {

    /** Floats per array (16 MB): bounds what a predictor keeps between calls. */
    static final long LIMIT = 1L << 22;

    private record Key(NDManager manager, Thread thread) {}

    /** An engine array and how much of it restores have touched. */
    private static final class Memory {
        final NDArray array;
        long touched;

        Memory(NDArray array) {
            this.array = array;
        }
    }

    private final Map<Key, Memory> arrays = new HashMap<>();

    /**
     * Returns floats {@code [offset, offset + shape.size())} of the workspace of {@code owner} for
     * the calling thread, shaped and attached to {@code manager}; or null where the engine does not
     * expose arrays' memory for writing or the piece would end beyond {@code min(capacity, LIMIT)}.
     */
    synchronized NDArray piece(
            NDManager owner, long capacity, long offset, Shape shape, NDManager manager) {
        long end = offset + shape.size();
        long size = Math.min(capacity, LIMIT);
        if (end > size || !ParameterArrays.writableViews(owner)) {
            return null;
        }
        dropUnused();
        Key key = new Key(owner, Thread.currentThread());
        Memory memory = arrays.get(key);
        if (memory == null || memory.array.size() < size) {
            if (memory != null) {
                memory.array.close();
            }
            memory = new Memory(owner.create(new Shape(size), DataType.FLOAT32));
            arrays.put(key, memory);
        }
        memory.touched = Math.max(memory.touched, end);
        // The slice is a handle of its own, in the owner's manager unless moved: left there, one
        // per restored weight and call stayed until the predictor closed.
        NDArray slice = memory.array.get(new NDIndex("{}:{}", offset, end));
        slice.attach(manager);
        NDArray piece = slice.reshape(shape);
        piece.attach(manager);
        return piece;
    }

    /** Returns the bytes that restores have touched in the live arrays. */
    synchronized long touchedBytes() {
        dropUnused();
        return arrays.values().stream().mapToLong(m -> m.touched * Float.BYTES).sum();
    }

    /**
     * Forgets arrays whose manager closed, and frees those of threads that ended: a pool that
     * replaces its threads would otherwise leave one array per thread it ever ran.
     */
    private void dropUnused() {
        arrays.entrySet()
                .removeIf(
                        e -> {
                            NDArray array = e.getValue().array;
                            if (array.isReleased()) {
                                return true;
                            }
                            if (e.getKey().thread().isAlive()) {
                                return false;
                            }
                            array.close();
                            return true;
                        });
    }
}
