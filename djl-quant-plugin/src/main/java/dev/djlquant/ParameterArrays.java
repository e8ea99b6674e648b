package dev.djlquant;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;

/**
 * Moves parameter values between DJL arrays and Java {@code float[]}: read once as float32, compute
 * in Java, write back in place in the parameter's own data type (DJL refuses {@code setArray} once
 * a shape is set).
 */
final class ParameterArrays {

    private ParameterArrays() {}

    /** Returns the values of an initialized parameter as float32, row-major. */
    static float[] read(String name, Parameter parameter) {
        if (!parameter.isInitialized()) {
            throw new IllegalStateException(
                    "Parameter "
                            + name
                            + " has no values: initialize the block or load the model"
                            + " before quantizing it");
        }
        NDArray array = parameter.getArray();
        if (array.getDataType() == DataType.FLOAT32) {
            return array.toFloatArray();
        }
        checkConvertible(name, array.getDataType());
        try (NDArray converted = array.toType(DataType.FLOAT32, true)) {
            return converted.toFloatArray();
        }
    }

    /** Overwrites the parameter's values in place, converting to its data type. */
    static void write(String name, Parameter parameter, float[] values) {
        NDArray array = parameter.getArray();
        try (NDManager scratch = array.getManager().newSubManager()) {
            NDArray source = scratch.create(values, array.getShape());
            if (array.getDataType() != DataType.FLOAT32) {
                source = source.toType(array.getDataType(), false);
            }
            array.set(new NDIndex("..."), source);
        } catch (EngineException e) {
            throw new IllegalStateException(
                    "Cannot write quantized values into "
                            + name
                            + ": the engine refused an in-place update ("
                            + e.getMessage()
                            + "). A TorchScript model must be loaded with"
                            + " Criteria...optOption(\"trainParam\", \"true\") to be quantized in"
                            + " SIMULATE mode.",
                    e);
        }
    }

    private static void checkConvertible(String name, DataType type) {
        // BFLOAT16 conversion aborts the JVM in this DJL build, so it is refused up front.
        if (type != DataType.FLOAT16 && type != DataType.FLOAT64) {
            throw new IllegalArgumentException(
                    "Parameter "
                            + name
                            + " has data type "
                            + type
                            + "; only FLOAT32, FLOAT16 and FLOAT64 weights can be quantized");
        }
    }
}
