package dev.djlquant;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What loading parameters may change in a DJL block, taken before the load so that {@link
 * #restoreAfter} can put it back when the file turns out to be another architecture's: each
 * parameter's array (the same object, not a copy) and shape, and the layers' own settings (a {@code
 * Linear}'s units, input shapes), which DJL reads from the file too. The settings are kept as the
 * block's saved parameters, so a block with float weights is held twice meanwhile; a block that was
 * never initialized cannot save itself (nor one whose float parameters do not fit in memory twice),
 * and then only its parameters are put back (DJL reads settings such as units again at its next
 * load, and initializing sets the input shapes).
 */
final class BlockSnapshot {

    /** A parameter as it was: its array, or null while it had none, and its shape. */
    private record Held(Parameter parameter, NDArray array, Shape shape) {}

    private final Block block;
    private final List<Held> held = new ArrayList<>();

    /** The block's saved parameters, settings included; null if it could not save them. */
    private final byte[] saved;

    private BlockSnapshot(Block block, byte[] saved) {
        this.block = block;
        this.saved = saved;
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter parameter = p.getValue();
            held.add(
                    new Held(
                            parameter,
                            parameter.isInitialized() ? parameter.getArray() : null,
                            parameter.getShape()));
        }
    }

    /** Takes the state of {@code block}. */
    static BlockSnapshot of(Block block) {
        return new BlockSnapshot(block, savedOrNull(block));
    }

    private static byte[] savedOrNull(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream os = new DataOutputStream(bytes)) {
            block.saveParameters(os);
        } catch (IOException | RuntimeException e) {
            // DJL's blocks write their input shapes, which a block never initialized lacks.
            return null;
        } catch (OutOfMemoryError e) {
            // Float parameters past 2 GB, or past the heap: the load goes on without the settings.
            return null;
        }
        return bytes.toByteArray();
    }

    /**
     * Puts the block back as it was after {@code failure}, the load's: its settings loaded again
     * from the snapshot, then every parameter given back its own array (closing any array the
     * failed load read) or, if it had none, its shape. If the block cannot read what it saved
     * itself, that is added to {@code failure} as suppressed, and the parameters are put back all
     * the same.
     */
    void restoreAfter(Exception failure, NDManager manager) {
        if (saved != null) {
            try {
                block.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(saved)));
            } catch (IOException | MalformedModelException e) {
                failure.addSuppressed(
                        new IllegalStateException(
                                "The block cannot read back the parameters it saved before the"
                                        + " load",
                                e));
            }
        }
        for (Held h : held) {
            putBack(h);
        }
    }

    private static void putBack(Held h) {
        Parameter p = h.parameter();
        NDArray now = p.isInitialized() ? p.getArray() : null;
        if (now == h.array()) {
            // Not read: DJL sets a parameter's array and shape together.
            return;
        }
        p.close();
        if (h.array() != null) {
            // setArray refuses once a shape is set.
            p.setShape(null);
            p.setArray(h.array());
        } else {
            p.setShape(h.shape());
        }
    }
}
