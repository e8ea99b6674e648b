package dev.djlquant.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IntFormatTest {

    @Test
    void roundsHalfToEvenAndClamps() {
        IntFormat int8 = IntFormat.of(8);
        assertThat(int8.range()).isEqualTo(127f);
        assertThat(int8.value(int8.code(2.5f))).isEqualTo(2f);
        assertThat(int8.value(int8.code(3.5f))).isEqualTo(4f);
        assertThat(int8.value(int8.code(-2.5f))).isEqualTo(-2f);
        assertThat(int8.value(int8.code(127.4f))).isEqualTo(127f);
        assertThat(int8.value(int8.code(200f))).isEqualTo(127f);
        assertThat(int8.value(int8.code(-200f))).isEqualTo(-127f);
        IntFormat int2 = IntFormat.of(2);
        assertThat(int2.range()).isEqualTo(1f);
        assertThat(int2.value(int2.code(-0.7f))).isEqualTo(-1f);
        assertThat(int2.code(-1f)).isEqualTo(3); // two's complement in 2 bits
    }

    @Test
    void everyLevelRoundTrips() {
        for (int bits = 2; bits <= 8; bits++) {
            IntFormat f = IntFormat.of(bits);
            int qmax = (1 << (bits - 1)) - 1;
            for (int q = -qmax; q <= qmax; q++) {
                assertThat(f.value(f.code(q))).isEqualTo((float) q);
                assertThat(f.code(q)).isBetween(0, (1 << bits) - 1);
            }
        }
    }
}
