package dev.djlquant.data;

import ai.djl.modality.cv.transform.Normalize;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.training.dataset.SequenceSampler;
import ai.djl.translate.Pipeline;
import ai.djl.util.Progress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A DJL {@link RandomAccessDataset} over decoded {@link CifarImages}.
 *
 * <p>Each record is one image, UINT8 HWC 32x32x3 before the pipeline, and its INT64 scalar label.
 * The default pipeline is {@code ToTensor} then {@code Normalize} with an {@link
 * ImageNormalization} (DJL's {@code Cifar10.NORMALIZE_MEAN/STD} unless told), giving FLOAT32 CHW;
 * the default sampling is sequential batches of 32. Optional training augmentation: random crop
 * with 4-pixel zero padding, horizontal flip.
 */
public final class CifarDataset extends RandomAccessDataset {

    private static final int DEFAULT_BATCH_SIZE = 32;
    private static final Shape IMAGE_SHAPE =
            new Shape(CifarImages.SIDE, CifarImages.SIDE, CifarImages.CHANNELS);

    private final CifarImages images;
    private final CifarAugmentation augmentation;

    private CifarDataset(Builder builder) {
        super(builder);
        this.images = builder.images;
        this.augmentation =
                builder.augmentationSeed == null
                        ? null
                        : new CifarAugmentation(builder.augmentationSeed);
    }

    /**
     * Starts a dataset over the given images.
     *
     * @param images the decoded images, for instance {@code data.images(TEST).firstPerClass(100)}
     * @return a builder
     */
    public static Builder builder(CifarImages images) {
        return new Builder(images);
    }

    /** {@inheritDoc} */
    @Override
    public Record get(NDManager manager, long index) {
        int i = Math.toIntExact(index);
        byte[] pixels = images.pixels(i);
        if (augmentation != null) {
            pixels = augmentation.apply(pixels);
        }
        NDArray image = manager.create(ByteBuffer.wrap(pixels), IMAGE_SHAPE, DataType.UINT8);
        NDArray label = manager.create((long) images.label(i));
        return new Record(new NDList(image), new NDList(label));
    }

    /** {@inheritDoc} */
    @Override
    protected long availableSize() {
        return images.size();
    }

    /** Does nothing: the images are already in memory. */
    @Override
    public void prepare(Progress progress) {}

    /** Builds a {@link CifarDataset}; pipeline, sampling and limit work as for any DJL dataset. */
    public static final class Builder extends BaseBuilder<Builder> {

        private final CifarImages images;
        private ImageNormalization normalization = ImageNormalization.CIFAR10;
        private Long augmentationSeed;

        private Builder(CifarImages images) {
            this.images = images;
            this.sampler = new BatchSampler(new SequenceSampler(), DEFAULT_BATCH_SIZE);
        }

        /** {@inheritDoc} */
        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Sets the normalization of the default pipeline (ignored if a pipeline is set).
         *
         * @param normalization the RGB means and deviations, {@link ImageNormalization#CIFAR10} by
         *     default
         * @return this builder
         */
        public Builder optNormalization(ImageNormalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /**
         * Turns on training augmentation (random crop 32 with 4-pixel zero padding, then random
         * horizontal flip), drawn from a generator with the given seed.
         *
         * @param seed the seed of the augmentation's random generator
         * @return this builder
         */
        public Builder optAugmentation(long seed) {
            this.augmentationSeed = seed;
            return this;
        }

        /**
         * Builds the dataset.
         *
         * @return the dataset
         */
        public CifarDataset build() {
            if (pipeline == null) {
                pipeline =
                        new Pipeline(
                                new ToTensor(),
                                new Normalize(normalization.mean(), normalization.std()));
            }
            return new CifarDataset(this);
        }
    }
}
