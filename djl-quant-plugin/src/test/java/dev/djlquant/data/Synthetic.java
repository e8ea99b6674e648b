package dev.djlquant.data;

import java.util.Arrays;

/** Small in-memory image sets whose pixels identify the image they came from. */
final class Synthetic {

    private Synthetic() {}

    /**
     * Builds {@code perClass * 10} images; image i has label {@code i % 10} and every pixel byte
     * equal to {@code i}.
     */
    static CifarImages images(int perClass) {
        int n = perClass * 10;
        byte[] pixels = new byte[n * CifarImages.IMAGE_BYTES];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            Arrays.fill(
                    pixels,
                    i * CifarImages.IMAGE_BYTES,
                    (i + 1) * CifarImages.IMAGE_BYTES,
                    (byte) i);
        }
        return new CifarImages(pixels, labels);
    }
}
