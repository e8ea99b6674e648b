package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.djlquant.metrics.ErrorMetrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantizedTensorTest {

    private static QuantizedTensor sample(String spec) {
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(3), 6 * 25);
        return Quantizer.parse(spec).quantize("w", x, new long[] {6, 5, 5});
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "int4@row",
                "fp8e5m2@lastaxis",
                "dt3@block16",
                "seeddt3@row",
                "dt8@sorted40",
                "int8@sorted1",
                "nf4@block8+dq",
                "dt4@sorted16+dq"
            })
    void serializationRoundTrips(String spec) throws Exception {
        QuantizedTensor t = sample(spec);
        QuantizedTensor back = QuantizedTensor.fromBytes(t.toBytes());
        assertThat(back.quantizer()).isEqualTo(t.quantizer());
        assertThat(back.shape()).containsExactly(6, 5, 5);
        assertThat(back.storageBytes()).isEqualTo(t.storageBytes());
        assertThat(back.dequantize()).containsExactly(t.dequantize());
        // The stream is the payload plus a small header.
        assertThat((long) t.toBytes().length).isBetween(t.storageBytes(), t.storageBytes() + 80);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dt4@row", "dt8@sorted40", "nf4@block4+dq"})
    void everyTruncationIsReported(String spec) {
        byte[] bytes = sample(spec).toBytes();
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> QuantizedTensor.fromBytes(cut))
                    .as("length %d", length)
                    .isInstanceOf(CorruptTensorException.class);
        }
    }

    @Test
    void namedTensorsRoundTripAndADamagedOneIsNamed() throws Exception {
        Map<String, QuantizedTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv.weight", sample("dt4@row"));
        tensors.put("fc.weight", sample("int8@block4+dq"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        QuantizedTensor.writeNamed(tensors, new DataOutputStream(bytes));
        byte[] written = bytes.toByteArray();

        Map<String, QuantizedTensor> back =
                QuantizedTensor.readNamed(new DataInputStream(new ByteArrayInputStream(written)));
        assertThat(back.keySet()).containsExactly("conv.weight", "fc.weight");
        for (String name : tensors.keySet()) {
            assertThat(back.get(name).toBytes()).isEqualTo(tensors.get(name).toBytes());
        }

        byte[] damaged = written.clone();
        damaged[damaged.length - 2] ^= 0x10; // inside the last tensor
        assertThatThrownBy(
                        () ->
                                QuantizedTensor.readNamed(
                                        new DataInputStream(new ByteArrayInputStream(damaged))))
                .isInstanceOf(CorruptTensorException.class)
                .hasMessageStartingWith("quantized weight fc.weight: ");
        byte[] negative = written.clone();
        negative[0] = (byte) 0xFF; // the count, big-endian: now negative
        assertThatThrownBy(
                        () ->
                                QuantizedTensor.readNamed(
                                        new DataInputStream(new ByteArrayInputStream(negative))))
                .isInstanceOf(CorruptTensorException.class)
                .hasMessageContaining("implausible tensor count");
    }

    @org.junit.jupiter.api.Test
    void bytesAfterTheEndAreReported() {
        byte[] bytes = sample("dt4@row").toBytes();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 10);
        assertThatThrownBy(() -> QuantizedTensor.fromBytes(longer))
                .isInstanceOf(CorruptTensorException.class)
                .hasMessageContaining("10 bytes follow the tensor's end (at byte " + bytes.length);
    }

    @Property(tries = 500)
    void anyFlippedByteIsReported(
            @ForAll @IntRange(min = 0, max = 10_000) int position,
            @ForAll @IntRange(min = 1, max = 255) int flip,
            @ForAll boolean quantizedScales) {
        byte[] bytes = sample(quantizedScales ? "dt4@block4+dq" : "dt4@sorted40").toBytes();
        int p = position % bytes.length;
        bytes[p] ^= (byte) flip;
        assertThatThrownBy(() -> QuantizedTensor.fromBytes(bytes))
                .isInstanceOf(CorruptTensorException.class);
    }

    /**
     * DESIGN: a group whose maximum is 0 dequantizes to exactly 0; with {@code +dq} its scale of 0
     * goes through the 8-bit scale code like any other, and neither it nor the groups beside it are
     * refused or disturbed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nf4@block8+dq", "int8@block8+dq", "dt4@row+dq"})
    void zeroGroupsStayZeroWithQuantizedScales(String spec) {
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(9), 6 * 24);
        Arrays.fill(x, 0, 24, 0f); // the first row: three blocks of 8, or one row group
        Quantizer q = Quantizer.parse(spec);
        float[] back = q.dequantize(q.quantize("w", x, new long[] {6, 24}));
        for (int i = 0; i < 24; i++) {
            // +0 bit for bit, although the 8-bit code of a scale of 0 may restore a little below 0.
            assertThat(Float.floatToRawIntBits(back[i])).as("value %d is %s", i, back[i]).isZero();
        }
        Quantizer exact = Quantizer.parse(spec.replace("+dq", ""));
        float[] plain = exact.dequantize(exact.quantize("w", x, new long[] {6, 24}));
        double error = 0;
        double plainError = 0;
        for (int i = 24; i < x.length; i++) {
            error += Math.abs(back[i] - x[i]);
            plainError += Math.abs(plain[i] - x[i]);
        }
        // 8-bit scales cost a little accuracy in the other groups, not an order of magnitude.
        assertThat(error).isLessThan(2 * plainError);
    }

    /**
     * {@code scaleDistortion()} is the largest factor, either way, between a group's restored scale
     * and its exact one, worked out here from the two tensors' scales: 1 without {@code +dq}, small
     * for scales of one order of magnitude, huge where a tiny group sits beside a large one (1e-30
     * beside 1: the tiny scale restores near 1/127 of the large one's block step), unknown once
     * read back from bytes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"int8@row+dq", "nf4@block4+dq", "dt4@row+dq"})
    void scaleDistortionIsTheWorstRestoredScaleFactor(String spec) throws Exception {
        float[] typical = QuantizerTest.randomWeights(new SplittableRandom(3), 64 * 16);
        float[] outlier = {1f, 0, 0, 0, 1e-30f, 0, 0, 0};
        for (float[] x : List.of(typical, outlier)) {
            long[] shape = {x.length / 4, 4};
            QuantizedTensor dq = Quantizer.parse(spec).quantize("w", x, shape);
            QuantizedTensor exact =
                    Quantizer.parse(spec.replace("+dq", "")).quantize("w", x, shape);
            double worst = 1;
            for (int g = 0; g < dq.groups(); g++) {
                double e = exact.scales()[g];
                double r = dq.scales()[g];
                if (e > 0) {
                    worst = Math.max(worst, Math.max(r / e, e / r));
                }
            }
            assertThat(dq.scaleDistortion()).isEqualTo(worst);
            assertThat(exact.scaleDistortion()).isEqualTo(1);
            assertThat(QuantizedTensor.fromBytes(dq.toBytes()).scaleDistortion()).isNaN();
            if (x == outlier) {
                assertThat(dq.scaleDistortion()).isGreaterThan(1e20);
            } else {
                assertThat(dq.scaleDistortion()).isBetween(1.0, 2.0);
            }
        }
    }

    /**
     * A stream whose checksum matches but whose fields disagree (a foreign or faulty writer, not
     * damage in transit) is refused by the field, before any tensor is built (offsets from {@link
     * #shapeEnd}, then the scales after the header's four ints).
     */
    @org.junit.jupiter.api.Test
    void fieldsThatDisagreeUnderAValidChecksumAreNamed() {
        byte[] plain = sample("dt4@row").toBytes(); // 6 groups of 25
        int header = shapeEnd("dt4@row", 3);
        assertRefused(plain, b -> b.putInt(header + 4, 7), "inconsistent group count 7");
        assertRefused(plain, b -> b.putInt(header + 12, 5), "inconsistent permutation bytes 5");
        assertRefused(plain, b -> b.putLong(header - 16, 0), "implausible shape [6, 0, 5]");
        assertRefused(plain, b -> b.putFloat(header + 16 + 4, -0.5f), "scale 1 is -0.5");

        byte[] dq = sample("nf4@block8+dq").toBytes(); // 19 groups: one block of 8-bit scales
        int dqScales = shapeEnd("nf4@block8+dq", 3) + 16;
        assertRefused(
                dq, b -> b.putFloat(dqScales, Float.NaN), "mean of the quantized scales is NaN");
        assertRefused(dq, b -> b.putFloat(dqScales + 4, -2f), "scale block 0 is -2.0");
    }

    /**
     * Changes a copy of {@code bytes}, re-checksums it, and expects it refused with {@code
     * message}.
     */
    private static void assertRefused(
            byte[] bytes, java.util.function.Consumer<java.nio.ByteBuffer> change, String message) {
        byte[] changed = bytes.clone();
        change.accept(java.nio.ByteBuffer.wrap(changed));
        assertThatThrownBy(() -> QuantizedTensor.fromBytes(withChecksum(changed)))
                .isInstanceOf(CorruptTensorException.class)
                .hasMessage(message);
    }

    /**
     * Where a stream's header shape ends, for a tensor of {@code rank} dimensions: magic 4, version
     * 1, spec (2 + its length), rank 1, each dimension 8. Four ints follow: group length, group
     * count, code bytes and permutation bytes.
     */
    private static int shapeEnd(String spec, int rank) {
        return 4 + 1 + 2 + spec.length() + 1 + 8 * rank;
    }

    /** The stream with its trailing CRC-32 recomputed over everything before it. */
    private static byte[] withChecksum(byte[] bytes) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        java.nio.ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }

    @org.junit.jupiter.api.Test
    void unknownVersionIsNamed() {
        byte[] bytes = sample("dt4@row").toBytes();
        bytes[4] = 9;
        assertThatThrownBy(() -> QuantizedTensor.fromBytes(bytes))
                .hasMessageContaining("version 9")
                .hasMessageContaining("versions 1 to " + QuantizedTensor.VERSION);
    }

    /**
     * A stream whose codes have another width (the study's seeddt3 at 9 bits, as written before its
     * codes became 8 bits wide) is refused with what this library expects.
     */
    @org.junit.jupiter.api.Test
    void codesOfAnotherWidthSayWhatIsExpected() {
        QuantizedTensor t =
                Quantizer.parse("seeddt3@row").quantize(new float[15], new long[] {3, 5});
        byte[] bytes = t.toBytes();
        // The header's shape, then group length and group count (4 bytes each).
        int at = shapeEnd("seeddt3@row", 2) + 4 + 4;
        assertThat(java.nio.ByteBuffer.wrap(bytes, at, 4).getInt()).isEqualTo(15);
        java.nio.ByteBuffer.wrap(bytes, at, 4).putInt(17); // ceil(15 * 9 / 8)
        assertThatThrownBy(() -> QuantizedTensor.fromBytes(bytes))
                .isInstanceOf(CorruptTensorException.class)
                .hasMessage(
                        "inconsistent code bytes 17: 15 values of seeddt3@row take 15 bytes at 8"
                                + " bits");
    }

    /**
     * Float32 scales keep the layout of earlier releases (version 1); 8-bit scales need version 2,
     * and a version that cannot hold the spec is refused before its bytes are read as scales.
     */
    @org.junit.jupiter.api.Test
    void versionFollowsTheScales() {
        byte[] plain = sample("nf4@block8").toBytes();
        byte[] dq = sample("nf4@block8+dq").toBytes();
        assertThat(plain[4]).isEqualTo((byte) 1);
        assertThat(dq[4]).isEqualTo((byte) 2);
        plain[4] = 2;
        dq[4] = 1;
        assertThatThrownBy(() -> QuantizedTensor.fromBytes(plain))
                .isInstanceOf(CorruptTensorException.class)
                .hasMessage("format version 2 cannot hold nf4@block8");
        assertThatThrownBy(() -> QuantizedTensor.fromBytes(dq))
                .isInstanceOf(CorruptTensorException.class)
                .hasMessage("format version 1 cannot hold nf4@block8+dq");
    }

    /**
     * {@code +dq} composed from the public API: the exact scales minus their mean, through {@code
     * dt8@block256}, plus the mean, times each value's code value; the codes are those of the exact
     * scales. Sizes: one byte per scale, one float32 per 256 scales and the mean.
     */
    @org.junit.jupiter.api.Test
    void quantizedScalesAreTheDt8RoundTripOfTheScalesAboutTheirMean() {
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(5), 300 * 64);
        long[] shape = {300, 64};
        QuantizedTensor exact = Quantizer.parse("nf4@block32").quantize(x, shape);
        QuantizedTensor dq = Quantizer.parse("nf4@block32+dq").quantize(x, shape);
        float[] s = exact.scales();
        double sum = 0;
        for (float v : s) {
            sum += v;
        }
        float mean = (float) (sum / s.length);
        float[] centered = new float[s.length];
        for (int g = 0; g < s.length; g++) {
            centered[g] = s[g] - mean;
        }
        float[] expectedScales =
                Quantizer.parse("dt8@block256").roundTrip("s", centered, new long[] {s.length});
        for (int g = 0; g < s.length; g++) {
            expectedScales[g] += mean;
        }
        assertThat(dq.scales()).containsExactly(expectedScales);
        assertThat(dq.normalizedValues()).containsExactly(exact.normalizedValues());
        float[] codeValues = exact.normalizedValues();
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = codeValues[i] * expectedScales[i / 32];
        }
        assertThat(dq.dequantize()).containsExactly(expected);
        // 600 groups: 600 code bytes, three block scales and the mean.
        assertThat(dq.groups()).isEqualTo(600);
        assertThat(dq.storageBytes()).isEqualTo(x.length / 2 + 600 + 4 * 3 + 4);
        assertThat(exact.storageBytes()).isEqualTo(x.length / 2 + 4 * 600);
        assertThat(dq.quantizer().spec()).isEqualTo("nf4@block32+dq");
        assertThat(dq.quantizer()).isEqualTo(exact.quantizer().withQuantizedScales());
    }

    /**
     * Every 8-bit scale lies within half a step of the dynamic tree's top decade (0.9 / 64 wide) of
     * its block's largest deviation from the mean: the map's coarsest spacing, from DESIGN's
     * construction, not from the code.
     */
    @Property(tries = 60)
    void quantizedScalesStayWithinHalfTheMapsCoarsestStep(
            @ForAll @IntRange(min = 1, max = 900) int groups,
            @ForAll @IntRange(min = 1, max = 1_000_000) int seed) {
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(seed), groups * 8);
        Quantizer exact = Quantizer.parse("int4@block8");
        float[] s = exact.quantize(x, new long[] {x.length}).scales();
        float[] restored = exact.withQuantizedScales().quantize(x, new long[] {x.length}).scales();
        double mean = 0;
        for (float v : s) {
            mean += v;
        }
        mean /= s.length;
        for (int g = 0; g < groups; g++) {
            int from = g / 256 * 256;
            double deviation = 0;
            for (int k = from; k < Math.min(groups, from + 256); k++) {
                deviation = Math.max(deviation, Math.abs(s[k] - mean));
            }
            // Plus float rounding, in ulps of the largest operand: the mean and the deviation
            // (restored = mean + value * deviation), not of the scale itself.
            double operands = Math.max(Math.abs(mean) + deviation, s[g]);
            double bound = 0.9 / 64 / 2 * deviation + 4 * Math.ulp((float) operands);
            assertThat((double) Math.abs(restored[g] - s[g]))
                    .as("group %d", g)
                    .isLessThanOrEqualTo(bound);
        }
    }

    @org.junit.jupiter.api.Test
    void codeUsageCountsEveryValue() {
        QuantizedTensor t = sample("dt4@row");
        assertThat(t.codeUsage().total()).isEqualTo(150);
        assertThat(t.codeUsage().entropyBits()).isBetween(0.0, 4.0);
        assertThat(t.codeUsage().exponents().counts()).hasSize(4);
        long counted =
                Arrays.stream(t.codeUsage().exponents().counts()).sum()
                        + t.codeUsage().exponents().zeros();
        assertThat(counted).isEqualTo(150);
        assertThat(sample("int4@row").codeUsage().exponents()).isNull();
    }

    /** Codes counted while encoding (for reports) equal codes counted from the packed stream. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "int8@row",
                "dt3@block64",
                "seeddt3@row",
                "dt8@sorted40",
                "fp8e4m3@tensor",
                "nf4@row"
            })
    void codesCountedWhileEncodingEqualCodesCountedLater(String spec) {
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(11), 700 * 1000);
        long[] shape = {700, 1000};
        Quantizer q = Quantizer.parse(spec);
        var counted = q.quantize("w", x, shape, true).codeUsage();
        var later = q.quantize("w", x, shape, false).codeUsage();
        assertThat(counted.histogram()).isEqualTo(later.histogram());
        assertThat(counted.total()).isEqualTo(x.length);
        assertThat(counted.entropyBits()).isEqualTo(later.entropyBits());
        if (!spec.contains("@sorted")) {
            // Independently: the code of every value divided by its group's scale.
            QuantizedTensor t = q.quantize("w", x, shape);
            float[] scales = t.scales();
            long[] expected = new long[1 << q.format().codeBits()];
            for (int i = 0; i < x.length; i++) {
                expected[q.format().code(x[i] / scales[i / t.groupLength()])]++;
            }
            assertThat(counted.histogram()).isEqualTo(expected);
        }
    }

    /**
     * Counts taken a packed byte at a time (two 4-bit codes, four 2-bit codes) equal a count of
     * every value's code, at any length, a partial last byte included; so do counts of widths that
     * do not divide a byte and of the study's 9-bit codes ({@code seeddt8}).
     */
    @Property(tries = 200)
    void countedCodesEqualEveryValuesCodeAtAnyLength(
            @ForAll @IntRange(min = 1, max = 9000) int n,
            @ForAll @IntRange(min = 0, max = 6) int which,
            @ForAll long seed) {
        String spec =
                List.of(
                                "int2@row",
                                "nf2@row",
                                "dt3@row",
                                "dt4@row",
                                "nf4@block64",
                                "int8@row",
                                "seeddt8@row")
                        .get(which);
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(seed), n);
        Quantizer q = Quantizer.parse(spec);
        QuantizedTensor t = q.quantize("w", x, new long[] {n}, true);
        long[] expected = new long[1 << q.format().codeBits()];
        for (int i = 0; i < n; i++) {
            expected[q.format().code(x[i] / t.scales()[i / t.groupLength()])]++;
        }
        assertThat(t.codeUsage().histogram()).isEqualTo(expected);
        assertThat(q.quantize("w", x, new long[] {n}, false).codeUsage().histogram())
                .as("counted from the packed stream later")
                .isEqualTo(expected);
    }

    /**
     * The error measured block by block while decoding equals the error of the whole restore, and
     * the blocks written out are the restored values.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "int8@row",
                "dt3@block64",
                "seeddt3@row",
                "dt8@sorted40",
                "nf4@tensor",
                "nf4@block64+dq"
            })
    void errorMeasuredWhileDecodingEqualsTheErrorOfTheRestoredValues(String spec) {
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(13), 700 * 1001);
        QuantizedTensor t = Quantizer.parse(spec).quantize("w", x, new long[] {700, 1001});
        float[] expected = t.dequantize();
        assertThat(t.errorAgainst(FloatBuffer.wrap(x)))
                .isEqualTo(ErrorMetrics.between(x, expected));
        FloatBuffer direct = direct(x.length);
        direct.put(0, x);
        assertThat(t.errorAgainst(direct)).isEqualTo(ErrorMetrics.between(x, expected));
    }

    /**
     * The error measured while encoding (chunk by chunk, in parallel tasks, the last block short)
     * gives the same doubles as measuring the restored tensor afterwards, for heap and direct
     * inputs; so do the schemes that measure in a second pass ({@code sortedN}, {@code +dq}). The
     * tensor is the one {@code quantize} returns, its histogram counted.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "int8@row",
                "fp8e4m3@row",
                "dt4@row",
                "dt3@block64",
                "seeddt3@row",
                "seedlinear8@tensor",
                "nf4@tensor",
                "int5@lastaxis",
                "dt8@sorted40",
                "nf4@block64+dq"
            })
    void errorMeasuredWhileEncodingEqualsTheErrorOfTheRestoredValues(String spec) {
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(17), 700 * 1001);
        long[] shape = {700, 1001};
        Quantizer q = Quantizer.parse(spec);
        QuantizedTensor plain = q.quantize("w", x, shape);
        ErrorMetrics expected = ErrorMetrics.between(x, plain.dequantize());
        FloatBuffer memory = direct(x.length);
        memory.put(0, x);
        for (FloatBuffer input : List.of(FloatBuffer.wrap(x), memory)) {
            Quantizer.Measured m = q.quantizeMeasured("w", input, shape);
            assertThat(m.error()).isEqualTo(expected);
            // Arrays.mismatch, not containsExactly: AssertJ diffs arrays of millions in quadratic
            // time.
            assertThat(Arrays.mismatch(m.tensor().dequantize(), plain.dequantize()))
                    .as("first differing index")
                    .isEqualTo(-1);
            assertThat(m.tensor().codeUsage().histogram()).isEqualTo(plain.codeUsage().histogram());
        }
    }

    /** A direct buffer is written up to its limit: one below the size is refused by name. */
    @Test
    void dequantizeIntoRefusesABufferWhoseLimitIsTooSmall() {
        QuantizedTensor t = Quantizer.parse("int8@row").quantize(new float[12], new long[] {3, 4});
        FloatBuffer out = direct(12);
        out.limit(11);

        assertThatThrownBy(() -> t.dequantizeInto(out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("11 floats cannot hold 12");
    }

    /** Every format family at every kind of granularity but the sorted one. */
    static List<String> everyFormatAndGranularity() {
        List<String> formats = new ArrayList<>();
        for (int bits = 2; bits <= 8; bits++) {
            formats.addAll(List.of("int" + bits, "dt" + bits, "nf" + bits));
        }
        for (int bits = 3; bits <= 8; bits++) {
            formats.add("seeddt" + bits);
        }
        formats.addAll(List.of("fp8e4m3", "fp8e5m2", "seedfp8", "seedfp8e5", "seedlinear8"));
        List<String> specs = new ArrayList<>();
        for (String format : formats) {
            for (String granularity : List.of("tensor", "row", "lastaxis", "block20", "block64")) {
                specs.add(format + "@" + granularity);
            }
        }
        return specs;
    }

    /**
     * The same for every format and granularity, on groups that are not whole steps of the error
     * sums' eight lanes (rows of 1455 values, last-axis runs of 97, blocks of 20), a row of zeros
     * and a row whose scale underflows.
     */
    @ParameterizedTest
    @MethodSource("everyFormatAndGranularity")
    void errorMeasuredWhileEncodingIsTheErrorOfTheDequantizedValues(String spec) {
        long[] shape = {160, 3, 5, 97};
        int row = 3 * 5 * 97;
        float[] x = QuantizerTest.randomWeights(new SplittableRandom(spec.hashCode()), 160 * row);
        Arrays.fill(x, 2 * row, 3 * row, 0f);
        for (int i = 5 * row; i < 6 * row; i++) {
            x[i] = Float.MIN_VALUE * (i % 3 - 1);
        }
        Quantizer q = Quantizer.parse(spec);
        FloatBuffer memory = direct(x.length);
        memory.put(0, x);
        for (FloatBuffer input : List.of(FloatBuffer.wrap(x), memory)) {
            Quantizer.Measured m = q.quantizeMeasured("w", input, shape);
            assertThat(m.error())
                    .as(spec)
                    .isEqualTo(ErrorMetrics.between(x, m.tensor().dequantize()));
        }
    }

    static FloatBuffer direct(int length) {
        return ByteBuffer.allocateDirect(length * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }
}
