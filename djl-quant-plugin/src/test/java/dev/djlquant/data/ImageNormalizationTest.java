package dev.djlquant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.basicdataset.cv.classification.Cifar10;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageNormalizationTest {

    @Test
    void namesStandForDjlsCifarConstantsAndTheImageNetValues() {
        assertThat(ImageNormalization.parse("cifar").mean()).isEqualTo(Cifar10.NORMALIZE_MEAN);
        assertThat(ImageNormalization.parse(" CIFAR ").std()).isEqualTo(Cifar10.NORMALIZE_STD);
        ImageNormalization imagenet = ImageNormalization.parse("ImageNet");
        assertThat(imagenet.mean()).containsExactly(0.485f, 0.456f, 0.406f);
        assertThat(imagenet.std()).containsExactly(0.229f, 0.224f, 0.225f);
        assertThat(imagenet).isEqualTo(ImageNormalization.IMAGENET);
        assertThat(imagenet.describe()).isEqualTo("imagenet");
        assertThat(ImageNormalization.CIFAR10.describe()).isEqualTo("cifar");
    }

    @Test
    void explicitValuesAreWrittenAsMeansSlashDeviations() {
        ImageNormalization n = ImageNormalization.parse("0.5, 0.25,0/1,2 ,0.125");
        assertThat(n.mean()).containsExactly(0.5f, 0.25f, 0f);
        assertThat(n.std()).containsExactly(1f, 2f, 0.125f);
        assertThat(n).hasToString("0.5,0.25,0.0/1.0,2.0,0.125");
        assertThat(n.describe()).isEqualTo(n.toString());
        assertThat(ImageNormalization.parse("0.485,0.456,0.406/0.229,0.224,0.225"))
                .isEqualTo(ImageNormalization.IMAGENET);
    }

    @Property
    void whatToStringWritesParsesBackEqual(@ForAll("normalizations") ImageNormalization n) {
        ImageNormalization back = ImageNormalization.parse(n.toString());
        assertThat(back).isEqualTo(n).hasSameHashCodeAs(n);
        assertThat(back.mean()).isEqualTo(n.mean());
        assertThat(back.std()).isEqualTo(n.std());
    }

    @Provide
    Arbitrary<ImageNormalization> normalizations() {
        // Any finite float as a mean (negative zero too), any positive finite one as a deviation.
        Arbitrary<Float> means =
                Arbitraries.integers().map(Float::intBitsToFloat).filter(Float::isFinite);
        Arbitrary<Float> deviations =
                Arbitraries.integers().between(1, 0x7F7FFFFF).map(Float::intBitsToFloat);
        return Combinators.combine(
                        means.array(float[].class).ofSize(3),
                        deviations.array(float[].class).ofSize(3))
                .as(ImageNormalization::of);
    }

    @Test
    void valuesAreCopiedInAndOut() {
        float[] mean = {0.1f, 0.2f, 0.3f};
        float[] std = {1, 1, 1};
        ImageNormalization n = ImageNormalization.of(mean, std);
        mean[0] = 9;
        n.std()[1] = 9;
        assertThat(n.mean()[0]).isEqualTo(0.1f);
        assertThat(n.std()[1]).isEqualTo(1f);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "bogus | expected cifar, imagenet, or three means, a slash and three",
                "0.5,0.5,0.5 | expected cifar, imagenet",
                "0.5,0.5,0.5/1,1,1/1 | expected cifar, imagenet",
                "0.5,0.5/1,1,1 | got 2 and 3",
                "0.5,0.5,0.5/1,1,1,1 | got 3 and 4",
                "0.5,x,0.5/1,1,1 | 'x' is not a number",
                "0.5,,0.5/1,1,1 | '' is not a number",
                "0.5,NaN,0.5/1,1,1 | mean of channel 1 is NaN",
                "0.5,0.5,Infinity/1,1,1 | mean of channel 2 is Infinity",
                "0.5,0.5,0.5/0,1,1 | standard deviation of channel 0 is 0.0",
                "0.5,0.5,0.5/1,-2,1 | standard deviation of channel 1 is -2.0",
                "0.5,0.5,0.5/1,1,NaN | standard deviation of channel 2 is NaN",
                "0.5,0.5,0.5/1,1,Infinity | standard deviation of channel 2 is Infinity",
            })
    void badTextSaysWhatIsWrong(String text, String problem) {
        assertThatThrownBy(() -> ImageNormalization.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Bad normalization '" + text + "'")
                .hasMessageContaining(problem);
    }
}
