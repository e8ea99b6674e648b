package dev.djlquant.zoo;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Rebuilds the DJL-native block a checkpoint names: one of {@link CifarArchitectures#names()}, or
 * the class name of a {@link BlockFactory} with a public no-argument constructor.
 */
final class Architectures {

    private Architectures() {}

    /** Returns a new uninitialized block of the named architecture. */
    static Block newBlock(String architecture, Model model, Path directory) throws IOException {
        if (CifarArchitectures.names().contains(architecture)) {
            return CifarArchitectures.byName(architecture);
        }
        return factory(architecture).newBlock(model, directory, Map.of());
    }

    private static BlockFactory factory(String className) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = Architectures.class.getClassLoader();
        }
        try {
            Class<?> type = Class.forName(className, true, loader);
            if (!BlockFactory.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(
                        "Architecture class " + className + " is not a " + BlockFactory.class);
            }
            return (BlockFactory) type.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(
                    "Unknown architecture '"
                            + className
                            + "': neither one of "
                            + CifarArchitectures.names()
                            + " nor a BlockFactory class on the class path",
                    e);
        } catch (NoSuchMethodException
                | InstantiationException
                | IllegalAccessException
                | InvocationTargetException e) {
            throw new IllegalArgumentException(
                    "Cannot create BlockFactory " + className + ": " + e, e);
        }
    }
}
