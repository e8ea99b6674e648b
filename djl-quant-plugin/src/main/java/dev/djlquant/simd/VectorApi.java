package dev.djlquant.simd;

import java.util.function.BooleanSupplier;

/**
 * Whether this JVM may run the library's SIMD kernels, written with the incubating Vector API: the
 * module {@code jdk.incubator.vector} is in the boot layer ({@code java --add-modules
 * jdk.incubator.vector}) and {@code -Ddjlquant.vector=false} is not set. Each family of kernels
 * adds its own check against its scalar loops before it is used.
 */
public final class VectorApi {

    /** Set {@code -Ddjlquant.vector=false} to keep the scalar loops with the module present. */
    public static final String DISABLE_PROPERTY = "djlquant.vector";

    private VectorApi() {}

    /**
     * Whether the module is present and the kernels are not turned off.
     *
     * @return true if {@code jdk.incubator.vector} is in the boot layer and {@code
     *     -Ddjlquant.vector} is not {@code false} (in any case)
     */
    public static boolean enabled() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                && !"false".equalsIgnoreCase(System.getProperty(DISABLE_PROPERTY));
    }

    /**
     * Whether a family of kernels may run: {@link #enabled()} and {@code check} (its comparison
     * with the scalar loops) passes. A check that throws, such as an incubator API this JDK
     * changed, counts as failed, so the library falls back to its scalar loops instead of failing.
     *
     * @param check the family's comparison with the scalar loops; runs only if {@link #enabled()}
     * @return true if enabled and {@code check} returns true; false if it throws a {@link
     *     LinkageError} or a {@link RuntimeException}
     */
    public static boolean passes(BooleanSupplier check) {
        if (!enabled()) {
            return false;
        }
        try {
            return check.getAsBoolean();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
