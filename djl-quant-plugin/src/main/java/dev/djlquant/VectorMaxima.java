package dev.djlquant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD loop of {@link GroupScales}' absolute maxima, written with the incubating Vector API. A
 * float's magnitude bits order like integers, NaN above infinity, so the maximum is an integer
 * maximum of the bits with the sign cleared: one instruction a vector, where {@code Math.max} on
 * floats takes a sequence that keeps its NaN and signed-zero rules (0.045 against 0.21 ns a value
 * on one core of this EPYC). Only {@link GroupScales} calls it, after its check through {@link
 * dev.djlquant.simd.VectorApi}, so the library loads without the module. The loop spells its
 * vectors out: C2 boxes a vector that a helper it did not inline returns.
 */
final class VectorMaxima {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;

    private static final int MAGNITUDE = 0x7FFFFFFF;

    private VectorMaxima() {}

    /** Whether the vectors here are wide enough to pay (256 bits: AVX2 on x86). */
    static boolean supported() {
        return FLOATS.vectorBitSize() >= 256 && INTS.length() == FLOATS.length();
    }

    /** Returns the longest prefix of {@code count} values that {@link #absMax} takes. */
    static int wholeSteps(int count) {
        int step = 4 * FLOATS.length();
        return count / step * step;
    }

    /**
     * Returns the largest {@code |x[i]|} over {@code [from, to)}, a length of {@link #wholeSteps},
     * or a NaN if one of them is NaN. Four running maxima, so that a step does not wait on the one
     * before.
     */
    static float absMax(float[] x, int from, int to) {
        int lanes = FLOATS.length();
        IntVector m0 = IntVector.zero(INTS);
        IntVector m1 = m0;
        IntVector m2 = m0;
        IntVector m3 = m0;
        for (int i = from; i < to; i += 4 * lanes) {
            m0 = m0.max(FloatVector.fromArray(FLOATS, x, i).reinterpretAsInts().and(MAGNITUDE));
            m1 =
                    m1.max(
                            FloatVector.fromArray(FLOATS, x, i + lanes)
                                    .reinterpretAsInts()
                                    .and(MAGNITUDE));
            m2 =
                    m2.max(
                            FloatVector.fromArray(FLOATS, x, i + 2 * lanes)
                                    .reinterpretAsInts()
                                    .and(MAGNITUDE));
            m3 =
                    m3.max(
                            FloatVector.fromArray(FLOATS, x, i + 3 * lanes)
                                    .reinterpretAsInts()
                                    .and(MAGNITUDE));
        }
        return Float.intBitsToFloat(m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX));
    }
}
