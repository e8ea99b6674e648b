package dev.djlquant;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The compact parameter format of a {@link QuantizedBlock}: its {@link QuantizedBlock#VERSION}, a
 * mark, then a {@link CheckedBody} holding the input names and shapes, the packed weights by name,
 * and last the wrapped block's own parameters. {@link #read} checks all of it but those last
 * parameters, which only the wrapped block can read, before the caller changes anything.
 */
final class CompactParameters {

    /**
     * "DJQB", after the version byte: DJL's blocks start their parameters with versions 1-6 too, so
     * the version alone cannot tell a float block's parameters from these.
     */
    private static final int MARK = 0x444A5142;

    /** Most inputs, and most dimensions of one, that the header may describe. */
    private static final int MAX_INPUTS = 1024;

    private static final int MAX_DIMENSIONS = 64;

    private CompactParameters() {}

    /**
     * What a read found ahead of the wrapped block's parameters, and the stream positioned at them.
     */
    record Read(
            List<String> inputNames,
            List<Shape> inputShapes,
            Map<String, QuantizedTensor> packed,
            DataInputStream rest) {}

    /**
     * Writes the format: {@code inner} writes the wrapped block's parameters last, inside the
     * checked body.
     */
    static void write(
            DataOutputStream os,
            PairList<String, Shape> inputs,
            Map<String, QuantizedTensor> packed,
            CheckedBody.Writer inner)
            throws IOException {
        os.writeByte(QuantizedBlock.VERSION);
        os.writeInt(MARK);
        CheckedBody.write(
                os,
                body -> {
                    body.writeInt(inputs.size());
                    for (Pair<String, Shape> p : inputs) {
                        body.writeUTF(p.getKey() == null ? "" : p.getKey());
                        body.write(p.getValue().getEncoded());
                    }
                    QuantizedTensor.writeNamed(packed, body);
                    inner.write(body);
                });
    }

    /**
     * Reads the version, the mark and the checked body up to the wrapped block's parameters.
     *
     * @throws MalformedModelException if the parameters are of another format or version, cut short
     *     or damaged (a CRC-32 mismatch, or a packed weight that fails its own checks)
     */
    static Read read(DataInputStream is) throws IOException, MalformedModelException {
        DataInputStream body;
        List<String> names = new ArrayList<>();
        List<Shape> shapes = new ArrayList<>();
        try {
            readVersionAndMark(is);
            body = CheckedBody.read(is);
            readInputs(body, names, shapes);
        } catch (EOFException e) {
            throw new MalformedModelException(
                    "The parameters end inside their header: truncated", e);
        }
        try {
            return new Read(names, shapes, QuantizedTensor.readNamed(body), body);
        } catch (CorruptTensorException e) {
            throw new MalformedModelException(e.getMessage(), e);
        } catch (EOFException e) {
            throw new MalformedModelException(
                    "The parameters end inside the packed weights: truncated", e);
        }
    }

    /** Reads the version and the mark after it: refuses parameters in any other format. */
    private static void readVersionAndMark(DataInputStream is)
            throws IOException, MalformedModelException {
        byte version = is.readByte();
        int mark = version == QuantizedBlock.VERSION ? is.readInt() : 0;
        if (version != QuantizedBlock.VERSION || mark != MARK) {
            // The first byte of any block's parameters is its version: a float model's
            // parameters (the commoner mistake) start with the wrapped block's, so say both.
            throw new MalformedModelException(
                    "The parameters start with version "
                            + version
                            + (version == QuantizedBlock.VERSION
                                    ? " but without its mark"
                                    : ", not " + QuantizedBlock.VERSION)
                            + ": they are not those of a QuantizedBlock this library wrote."
                            + " Float parameters load into the float block itself (quantize it"
                            + " after loading); a checkpoint of another djl-quant version needs"
                            + " that version");
        }
    }

    /**
     * Reads the input names and shapes, every count bounded before it is used: a damaged count
     * would otherwise allocate without limit (DJL's {@code Shape.decode} trusts its own).
     */
    private static void readInputs(DataInputStream is, List<String> names, List<Shape> shapes)
            throws MalformedModelException, IOException {
        try {
            int inputs = is.readInt();
            if (inputs < 0 || inputs > MAX_INPUTS) {
                throw damagedHeader("it describes " + inputs + " inputs");
            }
            for (int i = 0; i < inputs; i++) {
                names.add(is.readUTF());
                int dims = is.readInt();
                if (dims < 0 || dims > MAX_DIMENSIONS) {
                    throw damagedHeader("input " + i + " has " + dims + " dimensions");
                }
                long[] shape = new long[dims];
                for (int d = 0; d < dims; d++) {
                    shape[d] = is.readLong();
                    if (shape[d] < -1) {
                        throw damagedHeader("input " + i + " has the dimension " + shape[d]);
                    }
                }
                int layout = is.readInt();
                if (layout != dims) {
                    throw damagedHeader(
                            "input " + i + " has a layout of " + layout + " for " + dims);
                }
                char[] axes = new char[dims];
                for (int d = 0; d < dims; d++) {
                    axes[d] = is.readChar();
                }
                shapes.add(new Shape(shape, new String(axes)));
            }
        } catch (UTFDataFormatException | IllegalArgumentException e) {
            throw new MalformedModelException(
                    "The parameters' header is damaged (" + e.getMessage() + ")", e);
        }
    }

    private static MalformedModelException damagedHeader(String what) {
        return new MalformedModelException("The parameters' header is damaged: " + what);
    }
}
