package dev.djlquant.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes a split folder {@code <split>/<class>/*.jpg} (also {@code .jpeg}, {@code .png}) into
 * {@link CifarImages}: classes in {@link CifarData#CLASS_NAMES} order, files sorted by name.
 */
final class ImageFolderReader {

    private ImageFolderReader() {}

    /**
     * Reads and decodes every image of a split folder.
     *
     * @param splitDir the folder holding one subfolder per class
     * @return the decoded images
     * @throws IOException if a class folder is missing, unknown or empty, or an image does not
     *     decode to 32x32 RGB
     */
    static CifarImages read(Path splitDir) throws IOException {
        checkClassFolders(splitDir);
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int label = 0; label < CifarData.CLASS_NAMES.size(); label++) {
            for (Path file : imageFiles(splitDir.resolve(CifarData.CLASS_NAMES.get(label)))) {
                files.add(file);
                labels.add(label);
            }
        }
        byte[] pixels = new byte[files.size() * CifarImages.IMAGE_BYTES];
        try {
            IntStream.range(0, files.size())
                    .parallel()
                    .forEach(i -> decodeInto(files.get(i), pixels, i * CifarImages.IMAGE_BYTES));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new CifarImages(pixels, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    private static void checkClassFolders(Path splitDir) throws IOException {
        if (!Files.isDirectory(splitDir)) {
            throw new NoSuchFileException(
                    splitDir.toString(), null, "expected a folder <split>/<class>/*.jpg");
        }
        List<String> found;
        try (Stream<Path> children = Files.list(splitDir)) {
            found =
                    children.filter(Files::isDirectory)
                            .map(p -> p.getFileName().toString())
                            .sorted()
                            .toList();
        }
        if (!found.equals(CifarData.CLASS_NAMES)) {
            throw new IOException(
                    "Class folders in "
                            + splitDir
                            + " are "
                            + found
                            + "; expected exactly "
                            + CifarData.CLASS_NAMES);
        }
    }

    /** The images of a class folder; an empty one would silently drop a class from the data. */
    private static List<Path> imageFiles(Path classDir) throws IOException {
        List<Path> images;
        try (Stream<Path> children = Files.list(classDir)) {
            images =
                    children.filter(Files::isRegularFile)
                            .filter(ImageFolderReader::isImage)
                            .sorted()
                            .toList();
        }
        if (images.isEmpty()) {
            throw new IOException(
                    "Class folder " + classDir + " holds no images (.jpg, .jpeg or .png)");
        }
        return images;
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png");
    }

    /**
     * Decodes the first image of a file like {@code ImageIO.read}, but fails on a decoder warning:
     * a truncated or corrupt JPEG decodes with only a warning, its missing part filled with grey.
     */
    private static BufferedImage strictRead(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException("no image decoder accepts it");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                reader.setInput(in, true, true);
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new IOException(String.join("; ", warnings));
                }
                return image;
            } finally {
                reader.dispose();
            }
        }
    }

    private static void decodeInto(Path file, byte[] pixels, int offset) {
        int side = CifarImages.SIDE;
        int[] argb = decode(file).getRGB(0, 0, side, side, null, 0, side);
        for (int p = 0; p < argb.length; p++) {
            pixels[offset + 3 * p] = (byte) (argb[p] >> 16);
            pixels[offset + 3 * p + 1] = (byte) (argb[p] >> 8);
            pixels[offset + 3 * p + 2] = (byte) argb[p];
        }
    }

    private static BufferedImage decode(Path file) {
        BufferedImage image;
        try {
            image = strictRead(file);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    new IOException("Cannot decode " + file + ": " + e.getMessage(), e));
        }
        if (image.getWidth() != CifarImages.SIDE || image.getHeight() != CifarImages.SIDE) {
            throw new UncheckedIOException(
                    new IOException(
                            file
                                    + " is "
                                    + image.getWidth()
                                    + "x"
                                    + image.getHeight()
                                    + ", not 32x32"));
        }
        return image;
    }
}
