package dev.djlquant.zoo;

import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.transform.Normalize;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Pipeline;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import dev.djlquant.data.CifarData;
import dev.djlquant.data.CifarImages;
import dev.djlquant.data.ImageNormalization;
import java.util.Objects;

/**
 * Turns an RGB image into the normalized 3x32x32 tensor the CIFAR-10 models expect and their logits
 * into {@link Classifications} over {@link CifarData#CLASS_NAMES}.
 *
 * <p>Images of another size are resized to 32x32 first. Stateless and thread-safe.
 */
public final class CifarTranslator implements Translator<Image, Classifications> {

    private final ImageNormalization normalization;
    private final Pipeline pipeline;

    private CifarTranslator(Builder builder) {
        this.normalization = builder.normalization;
        this.pipeline =
                new Pipeline(
                        new ToTensor(), new Normalize(normalization.mean(), normalization.std()));
    }

    /**
     * Returns a builder; {@link ImageNormalization#CIFAR10} unless told otherwise.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the normalization applied to the pixels scaled to [0, 1].
     *
     * @return the normalization
     */
    public ImageNormalization normalization() {
        return normalization;
    }

    /** {@inheritDoc} */
    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        NDArray pixels = input.toNDArray(ctx.getNDManager(), Image.Flag.COLOR);
        if (input.getWidth() != CifarImages.SIDE || input.getHeight() != CifarImages.SIDE) {
            pixels = NDImageUtils.resize(pixels, CifarImages.SIDE, CifarImages.SIDE);
        }
        return pipeline.transform(new NDList(pixels));
    }

    /** {@inheritDoc} */
    @Override
    public Classifications processOutput(TranslatorContext ctx, NDList list) {
        NDArray probabilities = list.singletonOrThrow().softmax(0);
        return new Classifications(CifarData.CLASS_NAMES, probabilities);
    }

    /** {@inheritDoc} */
    @Override
    public Batchifier getBatchifier() {
        return Batchifier.STACK;
    }

    /** Builds a {@link CifarTranslator}. */
    public static final class Builder {
        private ImageNormalization normalization = ImageNormalization.CIFAR10;

        private Builder() {}

        /**
         * Sets the per-channel normalization, applied after scaling pixels to [0, 1].
         *
         * @param normalization the RGB means and deviations
         * @return this builder
         */
        public Builder optNormalization(ImageNormalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /**
         * Returns the translator.
         *
         * @return a new translator with this builder's normalization
         */
        public CifarTranslator build() {
            return new CifarTranslator(this);
        }
    }
}
