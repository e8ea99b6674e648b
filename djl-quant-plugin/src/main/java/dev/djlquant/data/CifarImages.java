package dev.djlquant.data;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Decoded CIFAR-10 images held in memory: 32x32 RGB pixels as unsigned bytes in HWC order, and
 * labels 0..9 in {@link CifarData#CLASS_NAMES} order. Immutable; subsets are new instances.
 */
public final class CifarImages {

    /** Width and height of every image. */
    public static final int SIDE = 32;

    /** Colour channels per pixel (RGB). */
    public static final int CHANNELS = 3;

    /** Bytes per image: {@code SIDE * SIDE * CHANNELS}. */
    public static final int IMAGE_BYTES = SIDE * SIDE * CHANNELS;

    private final byte[] pixels;
    private final int[] labels;

    /**
     * Wraps decoded images without copying.
     *
     * @param pixels {@code labels.length * IMAGE_BYTES} bytes, HWC per image
     * @param labels one label in 0..9 per image
     */
    CifarImages(byte[] pixels, int[] labels) {
        if (pixels.length != (long) labels.length * IMAGE_BYTES) {
            throw new IllegalArgumentException(
                    pixels.length + " pixel bytes do not hold " + labels.length + " images");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= CifarData.CLASS_NAMES.size()) {
                throw new IllegalArgumentException("Label " + labels[i] + " of image " + i);
            }
        }
        this.pixels = pixels;
        this.labels = labels;
    }

    /**
     * Returns the number of images.
     *
     * @return the number of images
     */
    public int size() {
        return labels.length;
    }

    /**
     * Returns the label of an image.
     *
     * @param index the image index
     * @return the class index, 0..9
     */
    public int label(int index) {
        return labels[index];
    }

    /**
     * Returns a copy of the pixels of an image.
     *
     * @param index the image index
     * @return {@value #IMAGE_BYTES} bytes, HWC, RGB
     */
    public byte[] pixels(int index) {
        int from = index * IMAGE_BYTES;
        return Arrays.copyOfRange(pixels, from, from + IMAGE_BYTES);
    }

    /**
     * Counts the images of every class.
     *
     * @return ten counts, indexed by label
     */
    public int[] countPerClass() {
        int[] counts = new int[CifarData.CLASS_NAMES.size()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * Keeps the first {@code n} images of every class, in their original order.
     *
     * @param n images per class
     * @return the subset
     * @throws IllegalArgumentException if {@code n} is negative or a class has fewer than {@code n}
     *     images
     */
    public CifarImages firstPerClass(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("Cannot keep " + n + " images per class");
        }
        int[] counts = countPerClass();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] < n) {
                throw new IllegalArgumentException(
                        n
                                + " images per class requested but class '"
                                + CifarData.CLASS_NAMES.get(c)
                                + "' has "
                                + counts[c]);
            }
        }
        int[] chosen = new int[n * counts.length];
        int[] taken = new int[counts.length];
        int next = 0;
        for (int i = 0; i < size() && next < chosen.length; i++) {
            if (taken[labels[i]]++ < n) {
                chosen[next++] = i;
            }
        }
        return select(chosen);
    }

    /**
     * Draws {@code n} distinct images uniformly with a fixed seed; the same seed gives the same
     * subset. The chosen images keep their original order.
     *
     * @param n number of images, at most {@link #size()}
     * @param seed the random seed
     * @return the subset
     */
    public CifarImages sample(int n, long seed) {
        if (n < 0 || n > size()) {
            throw new IllegalArgumentException("Cannot sample " + n + " of " + size() + " images");
        }
        int[] order = IntStream.range(0, size()).toArray();
        Random random = new Random(seed);
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(order.length - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        int[] chosen = Arrays.copyOf(order, n);
        Arrays.sort(chosen);
        return select(chosen);
    }

    private CifarImages select(int[] indices) {
        byte[] subset = new byte[indices.length * IMAGE_BYTES];
        int[] subsetLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(
                    pixels, indices[i] * IMAGE_BYTES, subset, i * IMAGE_BYTES, IMAGE_BYTES);
            subsetLabels[i] = labels[indices[i]];
        }
        return new CifarImages(subset, subsetLabels);
    }
}
