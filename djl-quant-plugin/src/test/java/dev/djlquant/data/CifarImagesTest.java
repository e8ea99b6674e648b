package dev.djlquant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CifarImagesTest {

    private final CifarImages images = Synthetic.images(5);

    @Test
    void firstPerClassKeepsTheEarliestImagesOfEveryClassInOrder() {
        CifarImages subset = images.firstPerClass(2);

        assertThat(subset.size()).isEqualTo(20);
        assertThat(subset.countPerClass()).containsOnly(2);
        assertThat(IntStream.range(0, 20).map(i -> subset.pixels(i)[0]).toArray())
                .isEqualTo(IntStream.range(0, 20).toArray());
    }

    @Test
    void firstPerClassRefusesMoreThanAClassHas() {
        assertThatThrownBy(() -> images.firstPerClass(6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("airplane")
                .hasMessageContaining("has 5");
    }

    @Test
    void firstPerClassRefusesANegativeCount() {
        assertThatThrownBy(() -> images.firstPerClass(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void sampleIsDeterministicDistinctAndOrdered() {
        int[] first = origins(images.sample(12, 42));
        int[] again = origins(images.sample(12, 42));
        int[] other = origins(images.sample(12, 43));

        assertThat(first).isEqualTo(again).isSorted().doesNotHaveDuplicates();
        assertThat(first).hasSize(12);
        assertThat(first[0]).isNotNegative();
        assertThat(first[11]).isLessThan(50);
        assertThat(other).isNotEqualTo(first);
        assertThat(images.sample(12, 42).label(0)).isEqualTo(first[0] % 10);
    }

    /** The edges of both subsets: nothing, and everything there is. */
    @Test
    void subsetsOfNoneAndOfAllAreAllowed() {
        assertThat(images.firstPerClass(0).size()).isZero();
        assertThat(origins(images.firstPerClass(5))).hasSize(50).doesNotHaveDuplicates().isSorted();
        assertThat(images.sample(0, 1).size()).isZero();
        assertThat(origins(images.sample(50, 1))).isEqualTo(IntStream.range(0, 50).toArray());
        assertThatThrownBy(() -> images.sample(51, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Cannot sample 51 of 50 images");
    }

    /** Labels outside CIFAR-10's ten classes are refused when the images are built. */
    @Test
    void labelsOutsideTheTenClassesAreRefused() {
        byte[] pixels = new byte[2 * 32 * 32 * 3];
        for (int bad : new int[] {-1, 10}) {
            assertThatThrownBy(() -> new CifarImages(pixels, new int[] {3, bad}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(String.valueOf(bad));
        }
        assertThat(new CifarImages(pixels, new int[] {0, 9}).size()).isEqualTo(2);
    }

    @Test
    void pixelsAreACopy() {
        images.pixels(3)[0] = 99;
        assertThat(images.pixels(3)[0]).isEqualTo((byte) 3);
    }

    private static int[] origins(CifarImages subset) {
        return IntStream.range(0, subset.size()).map(i -> subset.pixels(i)[0]).toArray();
    }
}
