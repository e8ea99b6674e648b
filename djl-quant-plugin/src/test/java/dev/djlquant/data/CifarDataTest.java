package dev.djlquant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.training.dataset.Dataset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders written here as lossless PNG, so decoded pixels are known exactly. */
class CifarDataTest {

    private static final String[] CLASSES = {
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"
    };

    @TempDir Path root;

    @Test
    void readsImageFoldersInClassThenFileOrderAndCachesThem() throws IOException {
        for (int c = 0; c < CLASSES.length; c++) {
            writeImage(root.resolve("test/" + CLASSES[c] + "/b.png"), 32, 100 + c);
            writeImage(root.resolve("test/" + CLASSES[c] + "/a.png"), 32, c);
        }
        CifarData data = CifarData.fromImageFolders(root);

        CifarImages images = data.images(Dataset.Usage.TEST);

        assertThat(images.size()).isEqualTo(20);
        assertThat(images.label(4)).isEqualTo(2);
        assertThat(images.pixels(4)).startsWith((byte) 2, (byte) 3, (byte) 4);
        assertThat(images.pixels(5)).startsWith((byte) 102, (byte) 103, (byte) 104);
        assertThat(data.images(Dataset.Usage.TEST)).isSameAs(images);
    }

    @Test
    void missingClassFolderIsReported() throws IOException {
        writeImage(root.resolve("test/airplane/a.png"), 32, 0);
        assertThatThrownBy(() -> CifarData.fromImageFolders(root).images(Dataset.Usage.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("[airplane]")
                .hasMessageContaining("truck");
    }

    @Test
    void wrongImageSizeNamesTheFile() throws IOException {
        for (String name : CLASSES) {
            writeImage(root.resolve("train/" + name + "/a.png"), 32, 0);
        }
        Path big = root.resolve("train/cat/big.png");
        writeImage(big, 64, 0);
        assertThatThrownBy(() -> CifarData.fromImageFolders(root).images(Dataset.Usage.TRAIN))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(big.toString())
                .hasMessageContaining("64x64");
    }

    @Test
    void truncatedJpegIsRefusedNamingTheFile() throws IOException {
        for (String name : CLASSES) {
            writeImage(root.resolve("test/" + name + "/a.png"), 32, 0);
        }
        Path jpeg = root.resolve("test/dog/cut.jpg");
        writeImage(jpeg, 32, 7, "jpg");
        byte[] whole = Files.readAllBytes(jpeg);
        // ImageIO alone decodes this to an image whose missing part is grey, with only a warning.
        Files.write(jpeg, Arrays.copyOf(whole, whole.length - 40));

        assertThatThrownBy(() -> CifarData.fromImageFolders(root).images(Dataset.Usage.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(jpeg.toString())
                .hasMessageContaining("Cannot decode");
    }

    @Test
    void emptyClassFolderIsRefusedNamingIt() throws IOException {
        for (String name : CLASSES) {
            writeImage(root.resolve("test/" + name + "/a.png"), 32, 0);
        }
        Path bird = root.resolve("test/bird");
        Files.delete(bird.resolve("a.png"));
        Files.writeString(bird.resolve("readme.txt"), "not an image");

        assertThatThrownBy(() -> CifarData.fromImageFolders(root).images(Dataset.Usage.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(bird.toString())
                .hasMessageContaining("no images");
    }

    @Test
    void validationSplitDoesNotExist() {
        assertThatThrownBy(() -> CifarData.fromImageFolders(root).images(Dataset.Usage.VALIDATION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TRAIN and TEST");
    }

    /** Pixel p of the image has red = base + p, green = base + p + 1, blue = base + p + 2. */
    private static void writeImage(Path file, int side, int base) throws IOException {
        writeImage(file, side, base, "png");
    }

    private static void writeImage(Path file, int side, int base, String format)
            throws IOException {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < side * side; p++) {
            int r = (base + p) & 0xFF;
            int g = (base + p + 1) & 0xFF;
            int b = (base + p + 2) & 0xFF;
            image.setRGB(p % side, p / side, r << 16 | g << 8 | b);
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(image, format, file.toFile());
    }
}
