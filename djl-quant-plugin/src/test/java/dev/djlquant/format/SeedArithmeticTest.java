package dev.djlquant.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SeedArithmeticTest {

    @Test
    void fp8TruncatesTheMantissaWithoutSubnormals() {
        // 0.3 = 1.2 * 2^-2; 0.2 in binary is 0.0011..., three bits keep 0.001 = 0.125.
        assertThat(SeedArithmetic.roundFp8(0.3f)).isEqualTo(1.125f * 0.25f);
        assertThat(SeedArithmetic.roundFp8(-0.3f)).isEqualTo(-1.125f * 0.25f);
        assertThat(SeedArithmetic.roundFp8(1f)).isEqualTo(1f);
        // 0.99 = 1.98 * 2^-1; truncation keeps 1.875, where rounding would give 2.
        assertThat(SeedArithmetic.roundFp8(0.99f)).isEqualTo(1.875f * 0.5f);
        // No subnormals: zero and tiny values land on 2^-14 (e=4) or 2^-30 (e=5).
        assertThat(SeedArithmetic.roundFp8(0f)).isEqualTo(0x1p-14f);
        assertThat(SeedArithmetic.roundFp8(1e-30f)).isGreaterThanOrEqualTo(0x1p-14f);
        assertThat(SeedArithmetic.roundFp8(0f, 5)).isEqualTo(0x1p-30f);
        // Two mantissa bits with e=5: 0.3 -> 1.0 * 2^-2.
        assertThat(SeedArithmetic.roundFp8(0.3f, 5)).isEqualTo(0.25f);
    }

    @Test
    void dynamicTreeKeepsSevenBitsInTheTopDecadeWhateverTheWidth() {
        // floor(0.3 * 128) = 38.
        assertThat(SeedArithmetic.roundDt(0.3f, 8)).isEqualTo(38f / 128);
        assertThat(SeedArithmetic.roundDt(0.3f, 3)).isEqualTo(38f / 128);
        assertThat(SeedArithmetic.roundDt(1f, 8)).isEqualTo(127f / 128);
        // 0.05 -> one decade down, 8-2-1 = 5 bits: floor(0.5000000075 * 32) / 32 = 0.5, times 0.1.
        assertThat(SeedArithmetic.roundDt(0.05f, 8)).isEqualTo((float) (0.5 * 0.1));
        assertThat(SeedArithmetic.dtExponent(0.05f, 8)).isEqualTo(1);
        // With 3 bits, one decade down is already K-2: zero.
        assertThat(SeedArithmetic.roundDt(0.05f, 3)).isEqualTo(0f);
        assertThat(SeedArithmetic.dtExponent(0.05f, 3)).isEqualTo(1);
        assertThat(SeedArithmetic.dtExponent(1e-9f, 8)).isEqualTo(7);
        assertThat(SeedArithmetic.roundDt(0f, 8)).isEqualTo(0f);
        assertThat(SeedArithmetic.dtExponent(0f, 8)).isEqualTo(DecimalExponents.ZERO);
        assertThat(SeedArithmetic.roundDt(-0.3f, 8)).isEqualTo(-38f / 128);
    }

    /** The study's functions take only the widths it defined; others are refused by value. */
    @Test
    void widthsTheStudyDidNotDefineAreRefused() {
        for (int e : new int[] {3, 6}) {
            assertThatThrownBy(() -> SeedArithmetic.roundFp8(0.5f, e))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("4 or 5 exponent bits, got " + e);
            assertThatThrownBy(() -> SeedFp8.of(e))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("got " + e);
        }
        for (int k : new int[] {2, 9}) {
            assertThatThrownBy(() -> SeedArithmetic.roundDt(0.5f, k))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("got " + k);
            assertThatThrownBy(() -> SeedArithmetic.dtExponent(0.5f, k))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("got " + k);
        }
    }

    @Property(tries = 20_000)
    void packedFp8AgreesWithTheStudyArithmetic(
            @ForAll("normalized") float y, @ForAll @IntRange(min = 4, max = 5) int e) {
        SeedFp8 format = SeedFp8.of(e);
        float packed = format.value(format.code(y));
        assertThat(Float.floatToIntBits(packed))
                .as("y = %s", y)
                .isEqualTo(Float.floatToIntBits(SeedArithmetic.roundFp8(y, e)));
    }

    @Property(tries = 20_000)
    void packedDynamicTreeAgreesWithTheStudyArithmetic(
            @ForAll("normalized") float y, @ForAll @IntRange(min = 3, max = 8) int bits) {
        SeedDynamicTree format = SeedDynamicTree.of(bits);
        int code = format.code(y);
        assertThat(code).isBetween(0, (1 << format.codeBits()) - 1);
        assertThat(Float.floatToIntBits(format.value(code)))
                .as("y = %s", y)
                .isEqualTo(Float.floatToIntBits(SeedArithmetic.roundDt(y, bits)));
        assertThat(format.exponentOf(code)).isEqualTo(SeedArithmetic.dtExponent(y, bits));
    }

    @ParameterizedTest
    @CsvSource({"3, 237, 8", "4, 241, 8", "5, 249, 8", "6, 265, 9", "7, 295, 9", "8, 353, 9"})
    void seedDynamicTreeCodesAreAsWideAsItsValuesAndExponentsNeed(
            int bits, int expectedCodes, int expectedCodeBits) {
        // Counted from DESIGN's arithmetic: a magnitude scaled into its decade is at least 0.1,
        // so decade k keeps levels floor(0.1 * 2^b)..2^b - 1 of its b fraction bits (7 at the
        // top: 12..127); decades K-2 and K-1 give zero; both signs of each, plus exact zero.
        int magnitudes = 128 - 12 + 2;
        for (int k = 1; k < bits - 2; k++) {
            int b = bits - 2 - k;
            magnitudes += (1 << b) - (int) Math.floor(0.1 * (1 << b));
        }
        assertThat(2 * magnitudes + 1).isEqualTo(expectedCodes);
        // What the study's arithmetic reaches, pairs of (value bits, exponent), over a sweep of
        // every decade: each must have its own code.
        Set<Long> reached = new HashSet<>();
        for (int d = 0; d < 10; d++) {
            for (int i = 0; i <= 200_000; i++) {
                float y = (float) (Math.pow(10, -d) * (0.1 + 0.9 * i / 200_000.0));
                for (float x : new float[] {y, -y}) {
                    reached.add(
                            ((long) Float.floatToIntBits(SeedArithmetic.roundDt(x, bits)) << 8)
                                    | (SeedArithmetic.dtExponent(x, bits) & 0xFF));
                }
            }
        }
        reached.add((long) Float.floatToIntBits(SeedArithmetic.roundDt(0f, bits)) << 8 | 0xFF);
        assertThat(reached).hasSize(expectedCodes);
        SeedDynamicTree format = SeedDynamicTree.of(bits);
        assertThat(format.nominalBits()).isEqualTo(bits);
        assertThat(format.codeBits()).isEqualTo(expectedCodeBits);
        assertThat(1 << expectedCodeBits).isGreaterThanOrEqualTo(expectedCodes);
        assertThat(1 << (expectedCodeBits - 1)).isLessThan(expectedCodes);
    }

    /** Values in [-1, 1], uniform and log-uniform, plus the edges. */
    @Provide
    Arbitrary<Float> normalized() {
        Arbitrary<Float> uniform = Arbitraries.floats().between(-1f, 1f);
        Arbitrary<Float> logUniform =
                Arbitraries.doubles()
                        .between(0, 12)
                        .flatMap(
                                d ->
                                        Arbitraries.of(1f, -1f)
                                                .map(sign -> sign * (float) Math.pow(10, -d)));
        return Arbitraries.oneOf(
                uniform, logUniform, Arbitraries.of(0f, -0f, 1f, -1f, 0.1f, -0.1f, 0.01f, 1e-45f));
    }
}
