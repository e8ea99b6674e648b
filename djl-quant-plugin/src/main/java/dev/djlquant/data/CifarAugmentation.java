package dev.djlquant.data;

import java.util.Random;

/**
 * The standard CIFAR-10 training augmentation on HWC bytes: pad 4 pixels of zeros on every side,
 * crop a random 32x32 window, then flip horizontally with probability 1/2. Seeded; thread-safe.
 */
final class CifarAugmentation {

    /** Zero padding on each side before the random crop. */
    static final int PADDING = 4;

    private final Random random;

    CifarAugmentation(long seed) {
        random = new Random(seed);
    }

    /**
     * Returns an augmented copy of an image.
     *
     * @param hwc the image, HWC bytes
     * @return a new augmented image
     */
    byte[] apply(byte[] hwc) {
        int dy;
        int dx;
        boolean flip;
        synchronized (random) {
            dy = random.nextInt(2 * PADDING + 1) - PADDING;
            dx = random.nextInt(2 * PADDING + 1) - PADDING;
            flip = random.nextBoolean();
        }
        return shiftAndFlip(hwc, dy, dx, flip);
    }

    /**
     * Crops the zero-padded image at offset ({@code dy}, {@code dx}) from the centre and optionally
     * mirrors it: output pixel (y, x) is input pixel (y + dy, x' + dx) with x' = 31 - x when
     * flipping, else x; zero outside the input.
     */
    static byte[] shiftAndFlip(byte[] hwc, int dy, int dx, boolean flip) {
        int side = CifarImages.SIDE;
        int channels = CifarImages.CHANNELS;
        byte[] out = new byte[hwc.length];
        for (int y = 0; y < side; y++) {
            int sy = y + dy;
            if (sy < 0 || sy >= side) {
                continue;
            }
            for (int x = 0; x < side; x++) {
                int sx = (flip ? side - 1 - x : x) + dx;
                if (sx >= 0 && sx < side) {
                    System.arraycopy(
                            hwc,
                            (sy * side + sx) * channels,
                            out,
                            (y * side + x) * channels,
                            channels);
                }
            }
        }
        return out;
    }
}
