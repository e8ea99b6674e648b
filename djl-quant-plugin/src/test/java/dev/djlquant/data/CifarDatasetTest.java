package dev.djlquant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.basicdataset.cv.classification.Cifar10;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CifarDatasetTest {

    @Test
    void batchesAreNormalizedChwFloatsWithInt64Labels() throws Exception {
        CifarImages images = Synthetic.images(1);
        CifarDataset dataset = CifarDataset.builder(images).setSampling(4, false).build();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Batch batch = dataset.getData(manager).iterator().next();
            NDArray data = batch.getData().head();
            NDArray labels = batch.getLabels().head();

            assertThat(data.getShape()).isEqualTo(new Shape(4, 3, 32, 32));
            assertThat(data.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(labels.getDataType()).isEqualTo(DataType.INT64);
            assertThat(labels.toLongArray()).containsExactly(0, 1, 2, 3);
            for (int c = 0; c < 3; c++) {
                float expected = (3 / 255f - Cifar10.NORMALIZE_MEAN[c]) / Cifar10.NORMALIZE_STD[c];
                assertThat(data.getFloat(3, c, 17, 5)).isCloseTo(expected, within(1e-5f));
            }
        }
    }

    @Test
    void customNormalizationIsApplied() throws Exception {
        CifarDataset dataset =
                CifarDataset.builder(Synthetic.images(1))
                        .optNormalization(
                                ImageNormalization.of(new float[] {0, 0, 0}, new float[] {1, 1, 1}))
                        .setSampling(10, false)
                        .build();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray data = dataset.getData(manager).iterator().next().getData().head();
            assertThat(data.getFloat(9, 2, 0, 0)).isCloseTo(9 / 255f, within(1e-6f));
        }
    }

    @Test
    void shiftAndFlipMovesPixelsAndPadsWithZeros() {
        byte[] image = new byte[CifarImages.IMAGE_BYTES];
        image[(10 * 32 + 20) * 3 + 1] = 42;

        byte[] shifted = CifarAugmentation.shiftAndFlip(image, 2, -3, false);
        byte[] mirrored = CifarAugmentation.shiftAndFlip(image, 2, -3, true);

        assertThat(shifted[(8 * 32 + 23) * 3 + 1]).isEqualTo((byte) 42);
        assertThat(mirrored[(8 * 32 + 8) * 3 + 1]).isEqualTo((byte) 42);
        assertThat(sum(shifted)).isEqualTo(42);
        assertThat(sum(mirrored)).isEqualTo(42);

        byte[] full = new byte[CifarImages.IMAGE_BYTES];
        Arrays.fill(full, (byte) 1);
        byte[] padded = CifarAugmentation.shiftAndFlip(full, 4, 4, false);
        assertThat(sum(padded)).isEqualTo(28 * 28 * 3);
    }

    @Test
    void augmentationIsSeededAndShiftsByAtMostThePadding() throws Exception {
        CifarImages images = Synthetic.images(10);
        CifarDataset first = CifarDataset.builder(images).optAugmentation(5).build();
        CifarDataset second = CifarDataset.builder(images).optAugmentation(5).build();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            int shifted = 0;
            for (int i = 1; i < images.size(); i++) { // image 0 is all zeros
                byte[] a = first.get(manager, i).getData().head().toByteArray();
                byte[] b = second.get(manager, i).getData().head().toByteArray();
                assertThat(a).isEqualTo(b);
                // Constant images: padding only adds zeros, and a shift of at most 4 pixels
                // in each direction keeps at least 28 x 28 of them.
                long kept = nonZero(a);
                assertThat(kept).isBetween(28L * 28 * 3, (long) CifarImages.IMAGE_BYTES);
                shifted += kept < CifarImages.IMAGE_BYTES ? 1 : 0;
            }
            assertThat(shifted)
                    .as("images moved by a non-zero shift (1 in 81 is not)")
                    .isGreaterThan(90);
        }
    }

    private static long nonZero(byte[] bytes) {
        long n = 0;
        for (byte b : bytes) {
            n += b != 0 ? 1 : 0;
        }
        return n;
    }

    private static long sum(byte[] bytes) {
        long s = 0;
        for (byte b : bytes) {
            s += b & 0xFF;
        }
        return s;
    }
}
