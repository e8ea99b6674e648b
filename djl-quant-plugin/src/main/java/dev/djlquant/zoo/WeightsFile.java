package dev.djlquant.zoo;

import dev.djlquant.CorruptTensorException;
import dev.djlquant.QuantizedTensor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The quantized weights of a TorchScript checkpoint ({@code weights.djlq}): a magic number, a
 * version, a count, then per weight its name and the tensor in {@link QuantizedTensor}'s own
 * CRC-checked serialization.
 */
final class WeightsFile {

    static final String NAME = "weights.djlq";

    private static final int MAGIC = 0x444A5157; // "DJQW"
    private static final byte VERSION = 1;

    private WeightsFile() {}

    static void write(Path file, Map<String, QuantizedTensor> tensors) throws IOException {
        try (DataOutputStream out =
                new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            QuantizedTensor.writeNamed(tensors, out);
        }
    }

    /**
     * Reads the weights file of the TorchScript checkpoint {@code dir} and checks it against the
     * manifest ({@link CheckpointManifest#checkTensors}).
     */
    static Map<String, QuantizedTensor> readListed(Path dir, CheckpointManifest manifest)
            throws CheckpointException {
        Path file = dir.resolve(NAME);
        Map<String, QuantizedTensor> tensors = read(file);
        manifest.checkTensors(tensors, file);
        return tensors;
    }

    static Map<String, QuantizedTensor> read(Path file) throws CheckpointException {
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new CheckpointException(file, "is not a djlq weights file (bad magic)");
            }
            byte version = in.readByte();
            if (version != VERSION) {
                throw new CheckpointException(
                        file,
                        "weights format version "
                                + version
                                + " is not supported (this library reads "
                                + VERSION
                                + ")");
            }
            Map<String, QuantizedTensor> tensors;
            try {
                tensors = QuantizedTensor.readNamed(in);
            } catch (CorruptTensorException e) {
                throw new CheckpointException(file, e.getMessage(), e);
            }
            if (in.read() != -1) {
                throw new CheckpointException(file, "has bytes after its last tensor");
            }
            return tensors;
        } catch (EOFException e) {
            throw new CheckpointException(file, "is truncated", e);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "unreadable (" + e.getMessage() + ")", e);
        }
    }
}
