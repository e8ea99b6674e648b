package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The granularity factories, their spec tokens and their group lengths by DESIGN 3. */
class GranularityTest {

    private static final long[] CONV = {64, 3, 3, 5};

    @Test
    void factoriesAreWhatTheirTokensParseTo() {
        assertThat(Granularity.parse("tensor")).isEqualTo(Granularity.tensor());
        assertThat(Granularity.parse(" ROW ")).isEqualTo(Granularity.row());
        assertThat(Granularity.parse("lastaxis")).isEqualTo(Granularity.lastAxis());
        assertThat(Granularity.parse("block64")).isEqualTo(Granularity.block(64));
        assertThat(Granularity.parse("sorted4096")).isEqualTo(Granularity.sorted(4096));
        assertThat(Granularity.lastAxis().spec()).isEqualTo("lastaxis");
        assertThat(Granularity.block(64))
                .hasToString("block64")
                .isNotEqualTo(Granularity.sorted(64));
    }

    @Test
    void groupLengthsFollowTheShape() {
        // 64 x 3 x 3 x 5 = 2880 values: one group, 64 rows of 45, 576 runs of 5, blocks of 64.
        assertThat(Granularity.tensor().groupLength(CONV)).isEqualTo(2880);
        assertThat(Granularity.row().groupLength(CONV)).isEqualTo(45);
        assertThat(Granularity.lastAxis().groupLength(CONV)).isEqualTo(5);
        assertThat(Granularity.block(64).groupLength(CONV)).isEqualTo(64);
        assertThat(Granularity.sorted(4096).groupLength(CONV)).isEqualTo(2880);
        // A 1-D tensor is one row.
        assertThat(Granularity.row().groupLength(new long[] {10})).isEqualTo(10);
    }

    @Test
    void onlySortedGroupsPermute() {
        assertThat(Granularity.sorted(16).permutes()).isTrue();
        assertThat(Granularity.block(16).permutes()).isFalse();
        assertThat(Granularity.lastAxis().permutes()).isFalse();
    }

    @Test
    void theRangesEndsAreAccepted() {
        assertThat(Granularity.block(1).groupLength(CONV)).isEqualTo(1);
        assertThat(Granularity.sorted(Granularity.MAX_GROUP).spec()).isEqualTo("sorted1073741824");
        // Only the arithmetic: no values are allocated for a shape.
        assertThat(Granularity.tensor().groupLength(new long[] {Integer.MAX_VALUE}))
                .isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(
                        () -> Granularity.tensor().groupLength(new long[] {Integer.MAX_VALUE + 1L}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
    }

    @Test
    void sizesOutOfRangeAndEmptyShapesAreRefused() {
        assertThatThrownBy(() -> Granularity.block(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Granularity.sorted(Granularity.MAX_GROUP + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Granularity.row().groupLength(new long[] {4, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty tensor");
    }
}
