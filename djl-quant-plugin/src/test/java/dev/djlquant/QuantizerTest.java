package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.format.DynamicTree;
import dev.djlquant.format.Fp8Format;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantizerTest {

    private static final String[] FORMATS = {
        "int2",
        "int4",
        "int8",
        "fp8e4m3",
        "fp8e5m2",
        "dt2",
        "dt3",
        "dt4",
        "dt8",
        "nf2",
        "nf4",
        "nf8",
        "seedfp8",
        "seedfp8e5",
        "seeddt3",
        "seeddt5",
        "seeddt8",
        "seedlinear8"
    };
    private static final String[] GRANULARITIES = {
        "tensor", "row", "lastaxis", "block1", "block7", "block64", "sorted1", "sorted5", "sorted64"
    };

    static Stream<String> specs() {
        return Stream.of(FORMATS).flatMap(f -> Stream.of(GRANULARITIES).map(g -> f + "@" + g));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void specRoundTripsThroughParse(String spec) {
        assertThat(Quantizer.parse(spec).spec()).isEqualTo(spec);
        assertThat(Quantizer.parse(Quantizer.parse(spec).spec())).isEqualTo(Quantizer.parse(spec));
    }

    @Test
    void granularityDefaultsToRowAndParsingIsLenient() {
        assertThat(Quantizer.parse("dt4").spec()).isEqualTo("dt4@row");
        assertThat(Quantizer.parse(" DT4@Block64 ").spec()).isEqualTo("dt4@block64");
        assertThat(Quantizer.linearPerTensor(8).spec()).isEqualTo("int8@tensor");
        assertThat(Quantizer.rowwiseFp8().spec()).isEqualTo("fp8e4m3@row");
        assertThat(Quantizer.dynamicTree(3).spec()).isEqualTo("dt3@row");
        assertThat(Quantizer.stableEmbedding(256, DynamicTree.of(8)).spec())
                .isEqualTo("dt8@sorted256");
        assertThat(Quantizer.parse("nf4+dq").spec()).isEqualTo("nf4@row+dq");
        assertThat(Quantizer.parse(" NF4@Block64+DQ ").spec()).isEqualTo("nf4@block64+dq");
        assertThat(Quantizer.parse("int8@block0000000000000064").spec()).isEqualTo("int8@block64");
        assertThat(Quantizer.parse("INT0008 @ Block064").spec()).isEqualTo("int8@block64");
        assertThat(Quantizer.parse("nf4@block64+dq").quantizesScales()).isTrue();
        assertThat(Quantizer.parse("nf4@block64").quantizesScales()).isFalse();
        assertThat(Quantizer.parse("nf4@block64+dq")).isNotEqualTo(Quantizer.parse("nf4@block64"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "  ",
                "@row",
                "dt4@",
                "dt4@row@x",
                "dt4@block0",
                "dt4@block",
                "dt4@sorted-3",
                "dt4@cols",
                "xx@row",
                "dt10@row",
                "dt4@block2000000000",
                "int8@block99999999999",
                "+dq",
                "dt4@+dq",
                "dt4@row+dq+dq",
                "dt4@row+dqx",
                "seedlinear8+dq",
                "seedlinear4"
            })
    void rejectsMalformedSpecs(String spec) {
        assertThatThrownBy(() -> Quantizer.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dt4@row+dq+dq", "nf4+DQ+dq", "int8@block64 +dq+dq "})
    void aRepeatedPlusDqIsCalledThat(String spec) {
        assertThatThrownBy(() -> Quantizer.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Malformed quantizer spec '" + spec + "': +dq twice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dt4@block0", "dt4@sorted-3", "int8@block99999999999999999999"})
    void aGroupSizeOutOfRangeIsCalledThatWithTheRange(String spec) {
        String size = spec.replaceAll(".*@(block|sorted)", "");
        assertThatThrownBy(() -> Quantizer.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be 1.." + Granularity.MAX_GROUP + ", got " + size);
    }

    static Stream<Arguments> matchesReferenceCases() {
        return specs().flatMap(
                        spec ->
                                Stream.of(
                                        Arguments.of(spec, new long[] {6, 3, 3, 3}),
                                        Arguments.of(spec, new long[] {13, 10}),
                                        Arguments.of(spec, new long[] {37})));
    }

    @ParameterizedTest
    @MethodSource("matchesReferenceCases")
    void matchesTheNaiveReferenceBitForBit(String spec, long[] shape) {
        float[] x = randomWeights(new SplittableRandom(spec.hashCode()), (int) product(shape));
        x[3] = 0f;
        x[4] = -x[5]; // equal magnitudes exercise the stable sort
        float[] expected = ReferenceQuantizer.roundTrip(spec, x, shape);
        float[] actual = Quantizer.parse(spec).roundTrip("w", x, shape);
        assertBitsEqual(spec, x, expected, actual);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "int8@tensor",
                "fp8e4m3@row",
                "dt4@row",
                "dt3@block64",
                "nf4@block64",
                "seeddt3@lastaxis",
                "int4@block100000",
                "int4@sorted1000",
                "seedlinear8@tensor",
                "seedlinear8@row"
            })
    void largeTensorsTakeTheParallelPathAndStillMatch(String spec) throws Exception {
        // 700,000 values: two parallel tasks and three packed segments, the last ones short.
        long[] shape = {700, 1000};
        float[] x = randomWeights(new SplittableRandom(7), 700_000);
        float[] expected = ReferenceQuantizer.roundTrip(spec, x, shape);
        QuantizedTensor t = Quantizer.parse(spec).quantize("w", x, shape);
        assertBitsEqual(spec, x, expected, t.dequantize());
        assertBitsEqual(spec, x, expected, QuantizedTensor.fromBytes(t.toBytes()).dequantize());
        // Read in place from a direct buffer (an engine tensor's memory), its position untouched.
        FloatBuffer memory = QuantizedTensorTest.direct(x.length);
        memory.put(0, x).position(5);
        QuantizedTensor fromMemory = Quantizer.parse(spec).quantize("w", memory, shape, true);
        assertBitsEqual(spec, x, expected, fromMemory.dequantize());
        assertThat(memory.position()).isEqualTo(5);
    }

    @Test
    void storageBytesFollowsTheDesignFormula() {
        long[] shape = {10, 33};
        float[] x = randomWeights(new SplittableRandom(1), 330);
        // codes ceil(330*4/8) = 165, 10 scales of 4 bytes.
        assertThat(Quantizer.parse("dt4@row").quantize(x, shape).storageBytes())
                .isEqualTo(165 + 40);
        // 3 bits: ceil(990/8) = 124; blocks of 64 -> 6 groups.
        assertThat(Quantizer.parse("int3@block64").quantize(x, shape).storageBytes())
                .isEqualTo(124 + 24);
        // sorted100: 4 groups; the permutation needs ceil(log2 330) = 9 bits: ceil(2970/8) = 372.
        QuantizedTensor sorted = Quantizer.parse("dt8@sorted100").quantize(x, shape);
        assertThat(sorted.storageBytes()).isEqualTo(330 + 16 + 372);
        assertThat(sorted.studyEstimateBytes()).isEqualTo((330 * 8 + 32 * 4) / 8.0);
        // The study's 3-bit tree really needs 8-bit codes (116 top-decade levels a sign); its
        // estimate says 3.
        QuantizedTensor seed = Quantizer.parse("seeddt3@row").quantize(x, shape);
        assertThat(seed.storageBytes()).isEqualTo(330 + 40);
        assertThat(seed.studyEstimateBytes()).isEqualTo((330 * 3 + 320) / 8.0);
    }

    @Test
    void zeroGroupsRestoreExactZeros() {
        float[] x = new float[20];
        for (int i = 10; i < 20; i++) {
            x[i] = i;
        }
        List<String> specs = new ArrayList<>();
        for (String format : FORMATS) {
            specs.add(format + "@row");
            // Formats whose zero restores to 0 keep that with scales stored at 8 bits.
            if (!format.equals("seedlinear8") && !format.startsWith("seedfp8")) {
                specs.add(format + "@row+dq");
            }
        }
        for (String spec : specs) {
            float[] back = Quantizer.parse(spec).roundTrip("w", x, new long[] {2, 10});
            for (int i = 0; i < 10; i++) {
                assertThat(back[i]).as(spec).isZero();
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"int8@row, 127", "int3@row, 3", "fp8e4m3@row, 448", "fp8e5m2@row, 57344"})
    void aScaleThatUnderflowsGivesTheLargestCodesOfDesignsArithmetic(String spec, float max) {
        // a = 2^-149 (the least float) and s = a / max rounds to 0 in float32: DESIGN's x / s is
        // then +-infinity for the nonzero values, which clamp (saturate) to +-max; 0 stays 0.
        float a = Float.MIN_VALUE;
        assertThat(a / max).isZero();
        float[] pattern = {a, -a, 0f, a, -0f};
        float[] expected = {max, -max, 0f, max, 0f};
        // 13 times the pattern: whole SIMD steps and a scalar tail.
        int n = 13 * pattern.length;
        float[] x = new float[n];
        float[] codes = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = pattern[i % pattern.length];
            codes[i] = expected[i % pattern.length];
        }
        QuantizedTensor t = Quantizer.parse(spec).quantize(x, new long[] {1, n});
        assertThat(t.scales()).containsExactly(0f);
        assertThat(t.normalizedValues()).containsExactly(codes);
        for (float v : t.dequantize()) {
            assertThat(v == 0f).as("restored %s", v).isTrue();
        }
    }

    @Test
    void refusesDoubleQuantizationOfAScaleThatUnderflows() {
        // Row 1's scale 2^-149 / 127 is 0 in float32 while its values are not: with +dq that 0
        // would restore near, not to, 0 and turn its +-127 codes into values far from 2^-149.
        float[] x = {1f, -0.5f, 0f, Float.MIN_VALUE, 0f, 0f};
        assertThatThrownBy(() -> Quantizer.parse("int8@row+dq").quantize(x, new long[] {3, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group 1 underflows to 0")
                .hasMessageContaining("index 3")
                .hasMessageContaining("without +dq");
        // An all-zero row (2) is fine: its codes are 0.
        float[] back =
                Quantizer.parse("int8@row+dq")
                        .roundTrip("w", new float[] {1f, -0.5f, 0f, 0f}, new long[] {2, 2});
        assertThat(back[2]).isZero();
        assertThat(back[3]).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"seedfp8@row+dq", "seedfp8e5@block64+dq"})
    void refusesDoubleQuantizationWhereZeroDoesNotRestoreToZero(String spec) {
        // The study's FP8 restores 0 as 2^-14 (2^-30 with 5 exponent bits) times the scale, and
        // an 8-bit scale of an all-zero group is rarely exactly 0.
        assertThatThrownBy(() -> Quantizer.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maps 0 to")
                .hasMessageContaining("+dq does not apply");
    }

    @Test
    void rejectsValuesWhoseLargestCodeWouldRestoreToInfinity() {
        // 127 * (MAX / 127) rounds above MAX in float32: the code for MAX restores to infinity.
        float scale = Float.MAX_VALUE / 127f;
        assertThat(127f * scale).isInfinite();
        float[] x = {1f, 2f, -Float.MAX_VALUE, 0f};
        for (String spec : new String[] {"int8@row", "int8@tensor", "int8@block2"}) {
            assertThatThrownBy(() -> Quantizer.parse(spec).quantize("big", x, new long[] {2, 2}))
                    .as(spec)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("big: group " + (spec.endsWith("tensor") ? 0 : 1))
                    .hasMessageContaining("restore to infinity");
        }
        // With +dq the scale of MAX is restored as (MAX - mean) at 8 bits plus the mean, which
        // rounds above MAX here (found by search): the stored scales are checked as well.
        float[] spread = {Float.MAX_VALUE, 0f, -0.7f * Float.MAX_VALUE};
        assertThat(Quantizer.parse("nf4@block1").quantize(spread, new long[] {3}).scales())
                .containsExactly(Float.MAX_VALUE, 0f, 0.7f * Float.MAX_VALUE);
        assertThatThrownBy(
                        () ->
                                Quantizer.parse("nf4@block1+dq")
                                        .quantize("big", spread, new long[] {3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("big: the scale of group 0")
                .hasMessageContaining("restore to infinity at 8 bits");
        // One outlier row among small ones: restored relative to the mean (about 0.4), each small
        // scale (0.01) lands within a few percent of 100 of itself, often at or below zero.
        float[] outlier = new float[256 * 4];
        for (int i = 0; i < outlier.length; i++) {
            outlier[i] = (i % 2 == 0 ? 1 : -1) * 0.01f * (1 + i % 4) / 4;
        }
        outlier[0] = 100f;
        assertThatThrownBy(
                        () ->
                                Quantizer.parse("nf4@row+dq")
                                        .quantize("fc", outlier, new long[] {256, 4}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fc: the scale of group ")
                .hasMessageContaining("without +dq");
        // Without the outlier the same rows keep their signs.
        outlier[0] = 0.01f;
        float[] back = Quantizer.parse("nf4@row+dq").roundTrip("fc", outlier, new long[] {256, 4});
        for (int i = 0; i < back.length; i++) {
            assertThat(Math.signum(back[i])).as("value %d", i).isEqualTo(Math.signum(outlier[i]));
        }
        // The dynamic tree's largest code is 1.0 times the group's maximum: nothing overflows.
        float[] top = {1f, 2f, Float.MAX_VALUE, 0f};
        QuantizedTensor t = Quantizer.parse("dt4@row").quantize(top, new long[] {2, 2});
        assertThat(Quantizer.parse("dt4@row").dequantize(t)[2]).isEqualTo(Float.MAX_VALUE);
    }

    @Test
    void rejectsNonFiniteValuesNamingTensorAndIndex() {
        float[] x = {1f, 2f, Float.NaN, Float.POSITIVE_INFINITY};
        for (String spec : new String[] {"int8@row", "dt4@sorted2", "fp8e4m3@tensor"}) {
            assertThatThrownBy(
                            () -> Quantizer.parse(spec).quantize("conv1.weight", x, new long[] {4}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("conv1.weight")
                    .hasMessageContaining("index 2")
                    .hasMessageContaining("NaN");
        }
        float[] inf = {1f, Float.NEGATIVE_INFINITY};
        assertThatThrownBy(() -> Quantizer.parse("dt4").quantize("w", inf, new long[] {2}))
                .hasMessageContaining("index 1");
        // The same from memory outside the heap, with a group long enough to be measured apart.
        for (String spec : new String[] {"int8@row", "int8@tensor", "dt4@sorted2"}) {
            for (int at : new int[] {3, 123_456, 199_999}) {
                FloatBuffer memory = QuantizedTensorTest.direct(200_000);
                memory.put(at, Float.NaN);
                assertThatThrownBy(
                                () ->
                                        Quantizer.parse(spec)
                                                .quantize(
                                                        "fc.weight",
                                                        memory,
                                                        new long[] {2, 100_000},
                                                        false))
                        .as(spec)
                        .hasMessage("fc.weight: value NaN at flat index " + at + " is not finite");
            }
        }
    }

    @Test
    void nonFiniteValuesGiveTheSameMessageWhicheverThreadFindsThem() {
        // A million values are split into tasks for both the caller and the common pool; a value
        // found on a pool thread once came back as "java.lang.IllegalArgumentException: w: ...".
        float[] x = randomWeights(new SplittableRandom(7), 1 << 20);
        for (String spec : new String[] {"int8@row", "int8@tensor", "dt4@block64"}) {
            for (int at : new int[] {3, 300_000, 600_000, 900_000, (1 << 20) - 1}) {
                for (int repeat = 0; repeat < 3; repeat++) {
                    float[] y = x.clone();
                    y[at] = Float.NaN;
                    assertThatThrownBy(
                                    () ->
                                            Quantizer.parse(spec)
                                                    .quantize("w", y, new long[] {1024, 1024}))
                            .as(spec)
                            .isInstanceOf(IllegalArgumentException.class)
                            .hasMessage("w: value NaN at flat index " + at + " is not finite");
                }
            }
        }
    }

    @Test
    void rejectsEmptyAndMismatchedShapes() {
        Quantizer q = Quantizer.parse("int8@row");
        assertThatThrownBy(() -> q.quantize("w", new float[0], new long[] {0, 4}))
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> q.quantize("w", new float[6], new long[] {4, 2}))
                .hasMessageContaining("holds 8 values but 6");
        assertThatThrownBy(() -> q.quantize("w", new float[6], new long[] {-2, -3}))
                .hasMessageContaining("Negative dimension");
        // 2^62 * 2 fits a long, times 2 again does not: the size is checked, not wrapped around.
        assertThatThrownBy(() -> q.quantize("w", new float[6], new long[] {1L << 62, 2, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[4611686018427387904, 2, 2] holds more than 2^63 - 1");
        assertThatThrownBy(() -> q.quantize("w", null, new long[] {2}))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("w: values are null");
    }

    @Test
    void dequantizeChecksTheScheme() {
        QuantizedTensor t = Quantizer.parse("dt4").quantize(new float[] {1, 2}, new long[] {2});
        assertThatThrownBy(() -> Quantizer.parse("dt8").dequantize(t))
                .hasMessageContaining("dt4@row");
        assertThat(Quantizer.parse("dt4@row").dequantize(t)).hasSize(2);
    }

    /**
     * Memory outside the heap, at any size and group length, quantizes to the very bytes the same
     * values give from an array: the direct-buffer path of the kernel reads exactly what the array
     * path reads.
     */
    @Property(tries = 60)
    void aDirectBufferQuantizesLikeTheArray(
            @ForAll @IntRange(min = 1, max = 300) int rows,
            @ForAll @IntRange(min = 1, max = 700) int columns,
            @ForAll("directSpecs") String spec,
            @ForAll long seed) {
        long[] shape = {rows, columns};
        float[] x = randomWeights(new SplittableRandom(seed), rows * columns);
        FloatBuffer memory = QuantizedTensorTest.direct(x.length);
        memory.put(0, x);
        Quantizer q = Quantizer.parse(spec);
        QuantizedTensor fromMemory = q.quantize("w", memory, shape, true);
        QuantizedTensor fromArray = q.quantize("w", x, shape, true);
        assertThat(fromMemory.toBytes()).isEqualTo(fromArray.toBytes());
        assertThat(fromMemory.codeUsage().histogram()).isEqualTo(fromArray.codeUsage().histogram());
    }

    @Provide
    Arbitrary<String> directSpecs() {
        return Arbitraries.of(
                "int8@row",
                "dt4@row",
                "dt3@tensor",
                "fp8e4m3@lastaxis",
                "nf4@block100",
                "int4@sorted64");
    }

    @DisabledIfSystemProperty(
            named = "djlquant.vector",
            matches = "false",
            disabledReason =
                    "checks that the SIMD kernels are picked; this run keeps the scalar loops")
    @Test
    void simdMaximaRunInThisTestJvm() {
        assertThat(GroupScales.VECTOR_MAXIMA)
                .as(
                        "the plugin's tests run with jdk.incubator.vector on a 256-bit machine or wider")
                .isEqualTo(
                        jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256);
    }

    /**
     * Each row's scale is its largest magnitude over the range, wherever in the row it sits (SIMD
     * steps and scalar tails alike), and a NaN or infinity anywhere fails naming its index.
     */
    @Property(tries = 300)
    void rowScalesAreTheLargestMagnitudeAndNonFiniteValuesAreFound(
            @ForAll @IntRange(min = 1, max = 3) int rows,
            @ForAll @IntRange(min = 1, max = 700) int columns,
            @ForAll @IntRange(min = 0, max = 2099) int at,
            @ForAll boolean negative,
            @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = randomWeights(random, rows * columns);
        int top = at % x.length;
        float peak = (negative ? -1 : 1) * (1f + random.nextInt(1000));
        x[top] = peak;
        long[] shape = {rows, columns};
        float[] scales = Quantizer.parse("int8@row").quantize(x, shape).scales();
        for (int r = 0; r < rows; r++) {
            float largest = 0f;
            for (int c = 0; c < columns; c++) {
                largest = Math.max(largest, Math.abs(x[r * columns + c]));
            }
            assertThat(scales[r]).as("row %d", r).isEqualTo(largest / 127f);
        }
        assertThat(scales[top / columns]).isEqualTo(Math.abs(peak) / 127f);
        for (float bad :
                new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] y = x.clone();
            y[top] = bad;
            assertThatThrownBy(() -> Quantizer.parse("int8@row").quantize("w", y, shape))
                    .hasMessageContaining("at flat index " + top + " ");
        }
    }

    @Property(tries = 200)
    void intErrorIsAtMostHalfAStep(
            @ForAll @IntRange(min = 2, max = 8) int bits, @ForAll long seed) {
        float[] x = randomWeights(new SplittableRandom(seed), 64);
        QuantizedTensor t = Quantizer.parse("int" + bits + "@tensor").quantize(x, new long[] {64});
        float step = t.scales()[0];
        float[] back = t.dequantize();
        for (int i = 0; i < x.length; i++) {
            assertThat(Math.abs(back[i] - x[i])).isLessThanOrEqualTo(step / 2 * 1.0001f);
        }
    }

    @Property(tries = 200)
    void fp8RelativeErrorIsBoundedAndSignsSurvive(@ForAll long seed) {
        float[] x = randomWeights(new SplittableRandom(seed), 128);
        float a = 0;
        for (float v : x) {
            a = Math.max(a, Math.abs(v));
        }
        float[] back = Quantizer.parse("fp8e4m3@tensor").roundTrip("w", x, new long[] {128});
        float subnormalStep = a / Fp8Format.E4M3.max() * 0x1p-9f;
        for (int i = 0; i < x.length; i++) {
            // 3 mantissa bits: relative error at most 2^-4, or half a subnormal step near zero.
            float bound = Math.max(Math.abs(x[i]) * 0x1p-4f, subnormalStep / 2) * 1.0001f;
            assertThat(Math.abs(back[i] - x[i])).isLessThanOrEqualTo(bound);
            assertThat(back[i] * x[i]).isGreaterThanOrEqualTo(0f);
        }
    }

    @Property(tries = 100)
    void errorShrinksAsBitsGrow(@ForAll long seed) {
        float[] x = randomWeights(new SplittableRandom(seed), 4096);
        long[] shape = {16, 256};
        double previous = Double.MAX_VALUE;
        for (int bits = 2; bits <= 8; bits++) {
            float[] back = Quantizer.parse("dt" + bits).roundTrip("w", x, shape);
            double mse = 0;
            for (int i = 0; i < x.length; i++) {
                mse += (back[i] - x[i]) * (back[i] - x[i]);
            }
            assertThat(mse).as("dt%d", bits).isLessThan(previous);
            previous = mse;
        }
    }

    private static void assertBitsEqual(String spec, float[] x, float[] expected, float[] actual) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < x.length; i++) {
            assertThat(Float.floatToIntBits(actual[i]))
                    .as("%s value %d (%s): %s vs %s", spec, i, x[i], actual[i], expected[i])
                    .isEqualTo(Float.floatToIntBits(expected[i]));
        }
    }

    /** Roughly normal weights, like a trained layer's. */
    static float[] randomWeights(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble(1e-12, 1);
            double v = random.nextDouble();
            x[i] = (float) (0.05 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        return x;
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
