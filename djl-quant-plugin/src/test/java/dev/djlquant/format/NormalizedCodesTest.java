package dev.djlquant.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.simd.VectorApi;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bulk {@link ScalarFormat#normalizedCodes} gives {@link ScalarFormat#code(float)} for every
 * value: random floats of every exponent, the exact boundaries and ties the tables hand back to
 * {@code code}, both ends and the middle of every 16-bit bucket the tables are built on,
 * infinities, and signed zeros; NaN, which has no nearest code and which the kernel rejects before
 * encoding, is left out. (All 2^32 floats were checked once by hand for the table-driven formats;
 * this keeps the cases that matter.)
 */
class NormalizedCodesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "int2", "int3", "int4", "int8", "fp8e4m3", "fp8e5m2", "dt2", "dt3", "dt4", "dt8",
                "nf2", "nf4", "nf8", "seeddt3", "seeddt8"
            })
    void bulkCodesEqualSingleCodes(String name) {
        ScalarFormat format = Formats.parse(name);
        float range = format.range();
        SplittableRandom random = new SplittableRandom(name.hashCode());
        float[] y = new float[200_000];
        int n = 0;
        while (n < 120_000) {
            y[n++] = (float) ((random.nextDouble() * 2 - 1) * range);
            float bits = Float.intBitsToFloat(random.nextInt()) % range;
            y[n++] = Float.isFinite(bits) ? bits : 0.25f; // the kernel never passes NaN
        }
        // Values with zero low bits: half-integers, FP8 midpoints, codebook entries and their
        // neighbours, powers of two.
        for (int k = -300; k <= 300 && n < y.length - 4; k++) {
            y[n++] = k / 2f;
            y[n++] = Math.scalb(1f, k % 40 - 30);
            y[n++] = -Math.scalb(1.5f, k % 40 - 30);
        }
        for (int c = 0; c < 1 << format.codeBits() && n < y.length - 3; c++) {
            float v = format.value(c);
            if (Float.isFinite(v) && Math.abs(v) <= range) {
                y[n++] = v;
                y[n++] = Math.nextUp(v);
                y[n++] = Math.nextDown(v);
            }
        }
        y[n++] = 0f;
        y[n++] = -0f;
        int[] out = new int[n];
        format.normalizedCodes(y, 0, n, out);
        for (int i = 0; i < n; i++) {
            assertThat(out[i]).as("code of %s", y[i]).isEqualTo(format.code(y[i]));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "int2", "int8", "fp8e4m3", "fp8e5m2", "dt2", "dt3", "dt8", "seedfp8", "seeddt4"
            })
    void everyBucketAgreesAtItsEdgesAndMiddle(String name) {
        ScalarFormat format = Formats.parse(name);
        int[] lowBits = {0, 1, 2, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
        float[] y = new float[(1 << 16) * lowBits.length];
        int n = 0;
        for (int top = 0; top < 1 << 16; top++) {
            for (int low : lowBits) {
                float v = Float.intBitsToFloat(top << 16 | low);
                if (!Float.isNaN(v) && accepts(format, v)) {
                    y[n++] = v;
                }
            }
        }
        int[] out = new int[n];
        format.normalizedCodes(y, 0, n, out);
        // The codebook formats' single-value code shares the table; check it against the argmin
        // where float32 distances still separate the entries (beyond about 2^16 they round to
        // ties, which the argmin breaks towards lower entries; the quantizer's |y| is at most 1).
        float[] codebook = format instanceof NearestCodebookFormat ? format.valueTable() : null;
        for (int i = 0; i < n; i++) {
            int expected =
                    codebook != null && Math.abs(y[i]) <= 1024f
                            ? Argmin.of(codebook, y[i])
                            : format.code(y[i]);
            if (out[i] != expected) {
                assertThat(out[i]).as("code of %s", y[i]).isEqualTo(expected);
            }
        }
        assertThat(n).isGreaterThan(100_000);
    }

    /**
     * The tests' JVM has the Vector API, so where vectors hold 256 bits or more the SIMD encoders
     * must be on (else the tests above would cover only the tables); called directly, from an odd
     * offset, they give {@code code} for every float of a sweep over all bit patterns, NaN and
     * infinities included, and stop less than a vector before the end.
     */
    @Test
    void simdEncodersRunHereAndGiveTheFormatsCodes() {
        boolean wide = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
        assertThat(SimdEncoding.ENABLED).isEqualTo(VectorApi.enabled() && wide);
        float[] y = new float[(1 << 20) + 5];
        for (int i = 0; i < y.length; i++) {
            y[i] = Float.intBitsToFloat(i * 4099 + (i & 7)); // every exponent, both signs
        }
        Map<ScalarFormat, SimdEncoding.Encoder> encoders =
                Map.of(
                        IntFormat.of(2),
                        IntFormat.of(2)::simdCodes,
                        IntFormat.of(5),
                        IntFormat.of(5)::simdCodes,
                        IntFormat.of(8),
                        IntFormat.of(8)::simdCodes,
                        Fp8Format.E4M3,
                        Fp8Format.E4M3::simdCodes,
                        Fp8Format.E5M2,
                        Fp8Format.E5M2::simdCodes,
                        DynamicTree.of(2),
                        DynamicTree.of(2)::simdCodes,
                        DynamicTree.of(3),
                        DynamicTree.of(3)::simdCodes,
                        NormalFloat.of(3),
                        NormalFloat.of(3)::simdCodes);
        // The comparison encoder takes four vectors at a time.
        int slack = 4 * FloatVector.SPECIES_PREFERRED.length();
        encoders.forEach(
                (format, encoder) -> {
                    int[] out = new int[y.length];
                    int done = encoder.codes(y, 3, y.length, out);
                    assertThat(done).as("%s stops", format).isGreaterThan(y.length - slack - 1);
                    for (int i = 3; i < done; i++) {
                        if (out[i] != format.code(y[i])) {
                            assertThat(out[i])
                                    .as("%s code of %s", format, y[i])
                                    .isEqualTo(format.code(y[i]));
                        }
                    }
                });
    }

    /**
     * The comparison encoder at the floats where codes switch: every threshold, and the floats
     * either side of it, in every lane of a four-vector step.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dt2", "dt3", "nf2", "nf3"})
    void comparisonCodesSwitchExactlyAtTheThresholds(String name) {
        NearestCodebookFormat format = (NearestCodebookFormat) Formats.parse(name);
        int step = 4 * FloatVector.SPECIES_PREFERRED.length();
        float[] thresholds = new NearestEntry(format.sortedCodebook()).thresholds();
        float[] y = new float[3 * thresholds.length * step];
        int n = 0;
        for (float t : thresholds) {
            for (float v : new float[] {Math.nextDown(t), t, Math.nextUp(t)}) {
                Arrays.fill(y, n, n + step, v);
                n += step;
            }
        }
        int[] out = new int[y.length];
        assertThat(format.simdCodes(y, 0, y.length, out)).isEqualTo(y.length);
        for (int i = 0; i < y.length; i++) {
            assertThat(out[i])
                    .as("code of %s in lane %d", y[i], i % step)
                    .isEqualTo(format.code(y[i]));
        }
    }

    private static boolean accepts(ScalarFormat format, float y) {
        try {
            format.code(y);
            return true;
        } catch (IllegalArgumentException rejected) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"seedfp8", "seedfp8e5"})
    void seedFp8BulkCodesAgreeAndRejectWhatCodeRejects(String name) {
        ScalarFormat format = Formats.parse(name);
        SplittableRandom random = new SplittableRandom(7);
        float[] y = new float[50_000];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) (random.nextDouble() * 2 - 1);
        }
        y[0] = 1f;
        y[1] = -1f;
        y[2] = 0f;
        y[3] = -0f;
        int[] out = new int[y.length];
        format.normalizedCodes(y, 0, y.length, out);
        for (int i = 0; i < y.length; i++) {
            assertThat(out[i]).isEqualTo(format.code(y[i]));
        }
        float[] tooLarge = {0.5f, 2.5f};
        assertThatThrownBy(() -> format.normalizedCodes(tooLarge, 0, 2, new int[2]))
                .isInstanceOf(IllegalArgumentException.class);
        // 2 is the first magnitude code() rejects: the bulk path must send it there too, and keep
        // the float just below it.
        assertThatThrownBy(() -> format.code(2f)).isInstanceOf(IllegalArgumentException.class);
        float[] atTheLimit = {0.5f, -2f};
        assertThatThrownBy(() -> format.normalizedCodes(atTheLimit, 0, 2, new int[2]))
                .isInstanceOf(IllegalArgumentException.class);
        float[] belowTheLimit = {0.5f, Math.nextDown(2f), -Math.nextDown(2f)};
        int[] codes = new int[3];
        format.normalizedCodes(belowTheLimit, 0, 3, codes);
        for (int i = 0; i < 3; i++) {
            assertThat(codes[i]).isEqualTo(format.code(belowTheLimit[i]));
        }
    }
}
