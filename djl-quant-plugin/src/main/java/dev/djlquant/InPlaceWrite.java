package dev.djlquant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Writes into a parameter's array in place, outside autograd, as PyTorch's {@code torch.no_grad()}
 * would, on any thread. libtorch records gradients per thread and DJL turns that off only on the
 * thread that started the engine, so on any other (a server's pool, a request's thread) a direct
 * write into a parameter that requires gradients is refused ("a leaf Variable that requires grad is
 * being used in an in-place operation"). For the library's own DJL integration and loaders.
 */
public final class InPlaceWrite {

    private InPlaceWrite() {}

    /**
     * Does {@code target.set(index, value)}: on PyTorch through {@code stopGradient()}, a detached
     * alias of the same memory; tensors that may not be changed at all (TorchScript's inference
     * tensors, loaded without {@code trainParam}) are still refused. Other engines write directly:
     * their {@code stopGradient()} need not alias.
     *
     * @param target the array to change
     * @param index where
     * @param value the new values
     */
    public static void set(NDArray target, NDIndex index, NDArray value) {
        if (!"PyTorch".equals(target.getManager().getEngine().getEngineName())) {
            target.set(index, value);
            return;
        }
        try (NDManager scratch = target.getManager().newSubManager()) {
            NDArray alias = target.stopGradient();
            alias.attach(scratch);
            alias.set(index, value);
        }
    }

    /**
     * Writes {@code values} over all of {@code target} ({@link #set} at {@code "..."}).
     *
     * @param target the array to change
     * @param values the new values, of its shape
     */
    public static void overwrite(NDArray target, NDArray values) {
        set(target, new NDIndex("..."), values);
    }
}
