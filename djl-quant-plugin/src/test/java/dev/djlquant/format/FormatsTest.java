package dev.djlquant.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FormatsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "int2",
                "int8",
                "fp8e4m3",
                "fp8e5m2",
                "dt2",
                "dt8",
                "seedfp8",
                "seedfp8e5",
                "seeddt3",
                "seeddt8"
            })
    void tokensRoundTrip(String token) {
        assertThat(Formats.parse(token).specName()).isEqualTo(token);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "int1",
                "int9",
                "dt1",
                "dt9",
                "seeddt2",
                "seeddt9",
                "fp8",
                "fp16",
                "",
                "int",
                "int0008x",
                "nf1",
                "nf9",
                "nf"
            })
    void rejectsUnknownTokens(String token) {
        assertThatThrownBy(() -> Formats.parse(token)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullTokensAreRefusedWithTheValidOnes() {
        assertThatThrownBy(() -> Formats.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No number format (null)")
                .hasMessageContaining("dt2..dt8");
        assertThatThrownBy(() -> dev.djlquant.Granularity.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No granularity (null)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fp4", "int99999999999", "int008x", "int108"})
    void errorsListTheValidTokens(String token) {
        assertThatThrownBy(() -> Formats.parse(token))
                .hasMessageContaining(token)
                .hasMessageContaining("dt2..dt8");
    }
}
