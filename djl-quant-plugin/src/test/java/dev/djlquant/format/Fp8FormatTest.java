package dev.djlquant.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.djlquant.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Fp8FormatTest {

    @Test
    void matchesPyTorchOnTheFixture() throws Exception {
        JsonObject fixture = SharedFiles.fixture("fp8_rounding_sample.json");
        float[] inputs = SharedFiles.floats(fixture, "inputs");
        float[] e4m3 = SharedFiles.floats(fixture, "e4m3");
        float[] e5m2 = SharedFiles.floats(fixture, "e5m2");
        assertThat(inputs).hasSize(300);
        for (int i = 0; i < inputs.length; i++) {
            assertThat(Fp8Format.E4M3.round(inputs[i]))
                    .as("e4m3 of %s", inputs[i])
                    .isEqualTo(e4m3[i]);
            assertThat(Fp8Format.E5M2.round(inputs[i]))
                    .as("e5m2 of %s", inputs[i])
                    .isEqualTo(e5m2[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(Fp8Format.class)
    void everyNonNanCodeRoundTrips(Fp8Format format) {
        for (int c = 0; c < 256; c++) {
            float v = format.decode((byte) c);
            if (!Float.isNaN(v) && !Float.isInfinite(v)) {
                assertThat(format.encode(v) & 0xFF).as("code %02x (%s)", c, v).isEqualTo(c);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Fp8Format.class)
    void exactMidpointsRoundToTheEvenCode(Fp8Format format) {
        for (int c = 0; c < 0x7F; c++) {
            float lo = format.decode((byte) c);
            float hi = format.decode((byte) (c + 1));
            if (!Float.isFinite(lo) || !Float.isFinite(hi)) {
                continue;
            }
            // Neighbours differ in a few low bits, so their mean is exact in float32.
            float mid = (float) (((double) lo + hi) / 2);
            int even = (c & 1) == 0 ? c : c + 1;
            assertThat(format.encode(mid) & 0xFF).as("midpoint %s", mid).isEqualTo(even);
            assertThat(format.encode(-mid) & 0xFF).isEqualTo(even | 0x80);
            assertThat(format.encode(Math.nextDown(mid)) & 0xFF).isEqualTo(c);
            assertThat(format.encode(Math.nextUp(mid)) & 0xFF).isEqualTo(c + 1);
        }
    }

    @Test
    void saturatesKeepsNanAndSubnormals() {
        assertThat(Fp8Format.E4M3.round(1e6f)).isEqualTo(448f);
        assertThat(Fp8Format.E4M3.round(Float.NEGATIVE_INFINITY)).isEqualTo(-448f);
        assertThat(Fp8Format.E4M3.round(449f)).isEqualTo(448f);
        assertThat(Fp8Format.E5M2.round(1e9f)).isEqualTo(57344f);
        assertThat(Fp8Format.E4M3.round(Float.NaN)).isNaN();
        assertThat(Fp8Format.E5M2.round(Float.NaN)).isNaN();
        // Smallest subnormals: 2^-9 for E4M3, 2^-16 for E5M2; half of it is a tie to zero.
        assertThat(Fp8Format.E4M3.round(0x1p-9f)).isEqualTo(0x1p-9f);
        assertThat(Fp8Format.E4M3.round(0x1p-10f)).isEqualTo(0f);
        assertThat(Fp8Format.E4M3.round(0x1.8p-10f)).isEqualTo(0x1p-9f);
        assertThat(Fp8Format.E5M2.round(0x1p-16f)).isEqualTo(0x1p-16f);
        assertThat(Fp8Format.E4M3.round(3 * 0x1p-9f)).isEqualTo(3 * 0x1p-9f);
        assertThat(Fp8Format.E4M3.max()).isEqualTo(448f);
        assertThat(Fp8Format.E5M2.max()).isEqualTo(57344f);
    }

    @Test
    void decodesTheOcpBitLayout() {
        assertThat(Fp8Format.E4M3.decode((byte) 0x38)).isEqualTo(1f); // exponent 7 = bias
        assertThat(Fp8Format.E4M3.decode((byte) 0x7E)).isEqualTo(448f);
        assertThat(Fp8Format.E4M3.decode((byte) 0x7F)).isNaN();
        assertThat(Fp8Format.E4M3.decode((byte) 0xB8)).isEqualTo(-1f);
        assertThat(Fp8Format.E5M2.decode((byte) 0x3C)).isEqualTo(1f); // exponent 15 = bias
        assertThat(Fp8Format.E5M2.decode((byte) 0x7C)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Fp8Format.E5M2.decode((byte) 0x7B)).isEqualTo(57344f);
    }
}
