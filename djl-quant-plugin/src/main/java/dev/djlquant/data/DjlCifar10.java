package dev.djlquant.data;

import ai.djl.basicdataset.cv.classification.Cifar10;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.training.util.ProgressBar;
import java.io.IOException;

/**
 * Copies DJL's {@link Cifar10} dataset (downloaded by DJL on first use) into {@link CifarImages}.
 */
final class DjlCifar10 {

    private DjlCifar10() {}

    /**
     * Prepares (downloads if needed) DJL's CIFAR-10 split and copies it.
     *
     * @param usage {@code TRAIN} or {@code TEST}
     * @return the images
     * @throws IOException if the download or reading fails
     */
    static CifarImages read(Dataset.Usage usage) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Cifar10 cifar =
                    Cifar10.builder()
                            .optUsage(usage)
                            .optManager(manager)
                            .setSampling(1, false)
                            .build();
            try {
                cifar.prepare(new ProgressBar());
            } catch (IOException e) {
                // Offline, DJL says no more than the host it could not reach.
                throw new IOException(
                        "Cannot download CIFAR-10 through DJL ("
                                + e
                                + "): without a network, read a local copy instead",
                        e);
            }
            return copy(cifar, manager);
        }
    }

    /**
     * Copies a dataset whose records are one HWC 32x32x3 image with values 0..255 (any numeric
     * type) and one scalar label, the form of DJL's {@link Cifar10}.
     *
     * @param data the prepared dataset
     * @param manager a manager for the temporary arrays
     * @return the images
     * @throws IOException if reading a record fails or a record has another shape
     */
    static CifarImages copy(RandomAccessDataset data, NDManager manager) throws IOException {
        int n = Math.toIntExact(data.size());
        byte[] pixels = new byte[n * CifarImages.IMAGE_BYTES];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            try (NDManager scope = manager.newSubManager()) {
                Record record = data.get(scope, i);
                byte[] image = record.getData().head().toType(DataType.UINT8, false).toByteArray();
                if (image.length != CifarImages.IMAGE_BYTES) {
                    throw new IOException(
                            "Record " + i + " has " + image.length + " pixel bytes, expected 3072");
                }
                System.arraycopy(image, 0, pixels, i * CifarImages.IMAGE_BYTES, image.length);
                labels[i] = labelOf(record.getLabels());
            }
        }
        return new CifarImages(pixels, labels);
    }

    private static int labelOf(NDList labels) {
        return labels.head().toType(DataType.INT32, false).getInt();
    }
}
