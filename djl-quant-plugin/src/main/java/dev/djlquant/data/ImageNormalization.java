package dev.djlquant.data;

import ai.djl.basicdataset.cv.classification.Cifar10;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The per-channel normalization a model's inputs need, {@code (pixel / 255 - mean) / std} for each
 * RGB channel: what a checkpoint records so that DJL's translator feeds the model as it was
 * trained. Written and parsed as {@code m,m,m/s,s,s} (three means, a slash, three standard
 * deviations), or by the name {@code cifar} or {@code imagenet}. Immutable; equal by values.
 */
public final class ImageNormalization {

    /** DJL's {@code Cifar10.NORMALIZE_MEAN/STD}: the shared AlexNet and VGG16. */
    public static final ImageNormalization CIFAR10 =
            of(Cifar10.NORMALIZE_MEAN, Cifar10.NORMALIZE_STD);

    /** The ImageNet means and deviations torchvision uses: the shared ResNet20. */
    public static final ImageNormalization IMAGENET =
            of(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    private static final Map<String, ImageNormalization> NAMED =
            Map.of("cifar", CIFAR10, "imagenet", IMAGENET);

    private final float[] mean;
    private final float[] std;

    private ImageNormalization(float[] mean, float[] std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * Returns the normalization with these means and standard deviations.
     *
     * @param mean the RGB means, for pixels scaled to [0, 1]; copied
     * @param std the RGB standard deviations; copied
     * @return the normalization
     * @throws IllegalArgumentException unless there are three finite means and three finite,
     *     positive deviations
     */
    public static ImageNormalization of(float[] mean, float[] std) {
        if (mean.length != CifarImages.CHANNELS || std.length != CifarImages.CHANNELS) {
            throw new IllegalArgumentException(
                    "Normalization needs 3 means and 3 standard deviations, got "
                            + mean.length
                            + " and "
                            + std.length);
        }
        for (int c = 0; c < CifarImages.CHANNELS; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException(
                        "Normalization mean of channel " + c + " is " + mean[c]);
            }
            if (!(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException(
                        "Normalization standard deviation of channel "
                                + c
                                + " is "
                                + std[c]
                                + "; it must be finite and positive");
            }
        }
        return new ImageNormalization(mean.clone(), std.clone());
    }

    /**
     * Parses {@code cifar}, {@code imagenet} (any case) or {@code m,m,m/s,s,s}.
     *
     * @param text the normalization as {@link #toString()} writes it, or a name
     * @return the normalization
     * @throws IllegalArgumentException if {@code text} is none of these, naming what is wrong
     */
    public static ImageNormalization parse(String text) {
        ImageNormalization named = NAMED.get(text.trim().toLowerCase(Locale.ROOT));
        if (named != null) {
            return named;
        }
        String[] parts = text.split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException(
                    "Bad normalization '"
                            + text
                            + "': expected cifar, imagenet, or three means, a slash and three"
                            + " standard deviations (m,m,m/s,s,s)");
        }
        try {
            return of(numbers(parts[0]), numbers(parts[1]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Bad normalization '" + text + "': " + e.getMessage(), e);
        }
    }

    private static float[] numbers(String commaSeparated) {
        String[] items = commaSeparated.split(",", -1);
        float[] values = new float[items.length];
        for (int i = 0; i < items.length; i++) {
            try {
                values[i] = Float.parseFloat(items[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + items[i] + "' is not a number", e);
            }
        }
        return values;
    }

    /**
     * Returns the RGB means.
     *
     * @return a copy of the three means
     */
    public float[] mean() {
        return mean.clone();
    }

    /**
     * Returns the RGB standard deviations.
     *
     * @return a copy of the three deviations
     */
    public float[] std() {
        return std.clone();
    }

    /**
     * Returns {@code m,m,m/s,s,s}, which {@link #parse} reads back to an equal normalization.
     *
     * @return the normalization as text
     */
    @Override
    public String toString() {
        return join(mean) + "/" + join(std);
    }

    private static String join(float[] values) {
        StringBuilder s = new StringBuilder();
        for (float v : values) {
            s.append(s.length() == 0 ? "" : ",").append(v);
        }
        return s.toString();
    }

    /**
     * Returns {@code cifar} or {@code imagenet} if this is one of them, else {@link #toString()}.
     *
     * @return a short description
     */
    public String describe() {
        return NAMED.entrySet().stream()
                .filter(e -> e.getValue().equals(this))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageNormalization n
                && Arrays.equals(mean, n.mean)
                && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }
}
