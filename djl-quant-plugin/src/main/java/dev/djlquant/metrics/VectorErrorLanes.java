package dev.djlquant.metrics;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD loop of {@link ErrorSums}: eight floats widened to eight doubles, one lane per lane of
 * the sums. Only {@link ErrorSums} calls it, after checking that the module is present, so the
 * library loads without it.
 */
final class VectorErrorLanes {

    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_512;

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;

    private VectorErrorLanes() {}

    /** Whether 512-bit vectors run natively here (narrower machines would emulate them). */
    static boolean supported() {
        return DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= DOUBLES.vectorBitSize()
                && DOUBLES.length() == ErrorSums.LANES;
    }

    /**
     * Adds whole steps of eight values from the start of the block to {@code lanes} (laid out as
     * {@link ErrorSums} says) and returns how many values it took.
     */
    static int add(float[] x, int xAt, float[] y, int yAt, int count, double[] lanes) {
        DoubleVector abs = DoubleVector.fromArray(DOUBLES, lanes, ErrorSums.ABS);
        DoubleVector square = DoubleVector.fromArray(DOUBLES, lanes, ErrorSums.SQUARE);
        DoubleVector signal = DoubleVector.fromArray(DOUBLES, lanes, ErrorSums.SIGNAL);
        // The errors are absolute values, whose bits order as longs do (a NaN's above all, so it
        // stays the maximum, as with Math.max): the integer maximum is one instruction, where the
        // double one (NaN and -0 rules) is a dependent sequence that bound this loop, 0.40
        // against 0.13 ns a value on one core.
        LongVector max = DoubleVector.fromArray(DOUBLES, lanes, ErrorSums.MAX).reinterpretAsLongs();
        int i = 0;
        for (; i + ErrorSums.LANES <= count; i += ErrorSums.LANES) {
            DoubleVector v =
                    (DoubleVector)
                            FloatVector.fromArray(FLOATS, x, xAt + i)
                                    .convertShape(VectorOperators.F2D, DOUBLES, 0);
            DoubleVector r =
                    (DoubleVector)
                            FloatVector.fromArray(FLOATS, y, yAt + i)
                                    .convertShape(VectorOperators.F2D, DOUBLES, 0);
            DoubleVector e = v.sub(r).abs();
            abs = abs.add(e);
            square = square.add(e.mul(e));
            signal = signal.add(v.mul(v));
            max = max.max(e.reinterpretAsLongs());
        }
        abs.intoArray(lanes, ErrorSums.ABS);
        square.intoArray(lanes, ErrorSums.SQUARE);
        signal.intoArray(lanes, ErrorSums.SIGNAL);
        max.reinterpretAsDoubles().intoArray(lanes, ErrorSums.MAX);
        return i;
    }
}
