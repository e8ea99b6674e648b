package dev.djlquant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The copy from DJL's Cifar10 form, fed an in-memory dataset of that form (no download). */
class DjlCifar10Test {

    /** Offline (as every test here runs), the download fails saying what to do instead. */
    @Test
    void anUnreachableDownloadSaysToReadALocalCopy() {
        assertThatThrownBy(() -> DjlCifar10.read(ai.djl.training.dataset.Dataset.Usage.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("Cannot download CIFAR-10 through DJL (")
                .hasMessageEndingWith("): without a network, read a local copy instead");
    }

    @Test
    void copiesFloatHwcImagesAndFloatLabels() throws IOException {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray data = manager.arange(0f, 2 * 3072f).mod(256f).reshape(new Shape(2, 32, 32, 3));
            NDArray labels = manager.create(new float[] {6, 2});
            ArrayDataset dataset =
                    new ArrayDataset.Builder()
                            .setData(data)
                            .optLabels(labels)
                            .setSampling(1, false)
                            .build();

            CifarImages images = DjlCifar10.copy(dataset, manager);

            assertThat(images.size()).isEqualTo(2);
            assertThat(images.label(0)).isEqualTo(6);
            assertThat(images.label(1)).isEqualTo(2);
            assertThat(images.pixels(1)[5]).isEqualTo((byte) ((3072 + 5) % 256));
            assertThat(images.pixels(0)[3071]).isEqualTo((byte) (3071 % 256));
        }
    }
}
