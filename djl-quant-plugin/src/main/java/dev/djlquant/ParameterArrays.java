package dev.djlquant;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Moves values between DJL arrays and Java: parameters are read as float32 (in place through a view
 * of the engine's memory where it is exposed), computed on in Java and written back in place in
 * their own data type (DJL refuses {@code setArray} once a shape is set); new arrays are filled in
 * the engine's memory where it is exposed.
 *
 * <p>A view of an array that is not contiguous, or not on the CPU, is the engine's CPU copy of it,
 * which DJL keeps with the array's manager until that closes: read such arrays once, not per step.
 */
final class ParameterArrays {

    private static final Map<String, Boolean> WRITABLE_VIEWS = new ConcurrentHashMap<>();

    private ParameterArrays() {}

    /**
     * Returns the values of an initialized parameter as float32, row-major: for float32 a view of
     * the engine's memory (or of the engine's contiguous copy of it) to read in place, so that
     * quantizing does not first copy the whole tensor out; for other data types a converted copy.
     */
    static FloatBuffer values(String name, Parameter parameter) {
        return values(name, arrayOf(name, parameter));
    }

    /** Returns the parameter's array, or throws naming it if it has none yet. */
    static NDArray arrayOf(String name, Parameter parameter) {
        if (!parameter.isInitialized()) {
            throw new IllegalStateException(
                    "Parameter "
                            + name
                            + " has no values: initialize the block or load the model first");
        }
        return parameter.getArray();
    }

    /** Returns the values of {@code array} as {@link #values(String, Parameter)} does. */
    static FloatBuffer values(String name, NDArray array) {
        if (array.getDataType() == DataType.FLOAT32) {
            return view(array);
        }
        checkConvertible(name, array.getDataType());
        float[] values;
        try (NDArray converted = array.toType(DataType.FLOAT32, true)) {
            values = converted.toFloatArray();
        }
        if (array.getDataType() == DataType.FLOAT64) {
            checkFloatRange(name, array, values);
        }
        return FloatBuffer.wrap(values);
    }

    /**
     * Rejects a float64 value that became infinite in float32, naming it as it was: the non-finite
     * check afterwards would report "Infinity" for a weight of 1e300.
     */
    static void checkFloatRange(String name, NDArray array, float[] converted) {
        for (int i = 0; i < converted.length; i++) {
            if (Float.isInfinite(converted[i])) {
                double original = array.toDoubleArray()[i];
                if (Double.isFinite(original)) {
                    throw new IllegalArgumentException(
                            name
                                    + ": value "
                                    + original
                                    + " at flat index "
                                    + i
                                    + " is beyond float32's range (largest "
                                    + Float.MAX_VALUE
                                    + ")");
                }
                return;
            }
        }
    }

    /** Values {@link #sample} takes at most. */
    private static final long SAMPLES = 64;

    /**
     * Returns up to 64 of the parameter's values, evenly spaced in row-major order, as float32: a
     * fingerprint of its values that training would change, read through a few engine calls.
     */
    static float[] sample(Parameter parameter) {
        NDArray array = parameter.getArray();
        long step = Math.max(1, array.size() / SAMPLES);
        try (NDManager scratch = array.getManager().newSubManager()) {
            NDArray flat = array.reshape(-1);
            flat.attach(scratch);
            NDArray picked = flat.get(new NDIndex("::{}", step));
            picked.attach(scratch);
            NDArray floats = picked.toType(DataType.FLOAT32, true);
            floats.attach(scratch);
            return floats.toFloatArray();
        }
    }

    /**
     * Overwrites the parameter's values in place through the engine, converting to its data type
     * (the engine checks that they may be changed: TorchScript refuses inference tensors).
     */
    static void write(String name, Parameter parameter, float[] values) {
        NDArray array = parameter.getArray();
        if (array.getDataType() != DataType.FLOAT32) {
            checkConvertible(name, array.getDataType());
        }
        try (NDManager scratch = array.getManager().newSubManager()) {
            NDArray source = scratch.create(values, array.getShape());
            if (array.getDataType() != DataType.FLOAT32) {
                source = source.toType(array.getDataType(), false);
            }
            InPlaceWrite.set(array, new NDIndex("..."), source);
        } catch (EngineException e) {
            throw refused(name, e);
        }
    }

    /**
     * Throws as {@link #write} would if the engine refuses in-place updates of the parameter,
     * changing nothing: it writes the first value over itself. PyTorch wrote a whole refused update
     * before it reported the refusal, so a pass must ask before it writes its first parameter.
     */
    static void checkWritable(String name, Parameter parameter) {
        NDArray array = parameter.getArray();
        if (array.size() == 0) {
            return;
        }
        try (NDManager scratch = array.getManager().newSubManager()) {
            NDIndex first = new NDIndex(new long[array.getShape().dimension()]);
            NDArray value = array.get(first);
            value.attach(scratch);
            InPlaceWrite.set(array, first, value);
        } catch (EngineException e) {
            throw refused(name, e);
        }
    }

    private static IllegalStateException refused(String name, EngineException e) {
        return new IllegalStateException(
                "Cannot write quantized values into "
                        + name
                        + ": the engine refused an in-place update ("
                        + e.getMessage()
                        + "). A TorchScript model must be loaded with"
                        + " Criteria...optOption(\"trainParam\", \"true\") to be quantized in"
                        + " SIMULATE mode.",
                e);
    }

    /**
     * Returns a new float32 array of {@code shape} whose values {@code fill} writes from index 0.
     * Where the engine exposes an array's memory ({@code toByteBuffer(true)} on PyTorch's CPU
     * arrays) the values go there directly; otherwise through a Java array and a copy.
     */
    static NDArray create(NDManager manager, Shape shape, Consumer<FloatBuffer> fill) {
        if (writableViews(manager)) {
            NDArray array = manager.create(shape, DataType.FLOAT32);
            fill.accept(view(array));
            return array;
        }
        float[] values = new float[Math.toIntExact(shape.size())];
        fill.accept(FloatBuffer.wrap(values));
        return manager.create(values, shape);
    }

    /**
     * Returns a buffer over the parameter's own float32 memory, or null where there is none to
     * write: another data type, an engine without such views, or an array that is not contiguous,
     * whose view is a contiguous copy (PyTorch keeps that copy with the array). Writing through it
     * skips the engine's checks, so it is for DJL-native parameters only.
     */
    static FloatBuffer memoryOf(Parameter parameter) {
        NDArray array = parameter.getArray();
        if (array.getDataType() != DataType.FLOAT32 || !writableViews(array.getManager())) {
            return null;
        }
        FloatBuffer memory = view(array);
        return memory.capacity() == 0 || reaches(memory, array) ? memory : null;
    }

    /**
     * Whether a value written through {@code view} is what the engine then reads as the array's
     * first value; the first value is left as it was.
     */
    private static boolean reaches(FloatBuffer view, NDArray array) {
        float old = view.get(0);
        float probe = old == 1f ? 2f : 1f;
        view.put(0, probe);
        boolean reached;
        try (NDArray flat = array.reshape(-1);
                NDArray first = flat.get(0)) {
            reached = first.getFloat() == probe;
        }
        view.put(0, old);
        return reached;
    }

    /** The array's values as a float buffer over its memory where the engine exposes it. */
    static FloatBuffer view(NDArray array) {
        return array.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * Whether new arrays of this manager's engine and device are written through their {@code
     * toByteBuffer(true)} view: found once per engine and device by writing a value through the
     * view and reading it back (an engine may hand out a copy, or a read-only buffer).
     */
    static boolean writableViews(NDManager manager) {
        String key = manager.getEngine().getEngineName() + "/" + manager.getDevice();
        return WRITABLE_VIEWS.computeIfAbsent(key, k -> probeViews(manager));
    }

    private static boolean probeViews(NDManager manager) {
        try (NDManager probe = manager.newSubManager()) {
            NDArray array = probe.create(new Shape(1), DataType.FLOAT32);
            ByteBuffer bytes = array.toByteBuffer(true);
            return bytes.isDirect()
                    && !bytes.isReadOnly()
                    && reaches(bytes.order(ByteOrder.nativeOrder()).asFloatBuffer(), array);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void checkConvertible(String name, DataType type) {
        // BFLOAT16 conversion aborts the JVM in this DJL build, so it is refused up front.
        if (type != DataType.FLOAT16 && type != DataType.FLOAT64) {
            throw new IllegalArgumentException(
                    "Parameter "
                            + name
                            + " has data type "
                            + type.name()
                            + "; only FLOAT32, FLOAT16 and FLOAT64 weights can be quantized");
        }
    }
}
