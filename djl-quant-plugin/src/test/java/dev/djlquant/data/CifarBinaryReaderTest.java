package dev.djlquant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.training.dataset.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Binary batches written here follow the published format: label byte, then R, G, B planes. */
class CifarBinaryReaderTest {

    @TempDir Path temp;

    @Test
    void readsLabelsAndConvertsPlanarPixelsToHwc() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("cifar-10-batches-bin"));
        Files.write(dir.resolve("test_batch.bin"), records(0, 7, 0, 9));

        CifarImages images = CifarData.fromBinary(temp).images(Dataset.Usage.TEST);

        assertThat(images.size()).isEqualTo(3);
        assertThat(new int[] {images.label(0), images.label(1), images.label(2)})
                .containsExactly(7, 0, 9);
        for (int r = 0; r < 3; r++) {
            byte[] hwc = images.pixels(r);
            for (int y = 0; y < 32; y += 5) {
                for (int x = 0; x < 32; x += 3) {
                    for (int c = 0; c < 3; c++) {
                        assertThat(hwc[(y * 32 + x) * 3 + c]).isEqualTo(pixel(r, c, y, x));
                    }
                }
            }
        }
    }

    @Test
    void readsTheFiveTrainingBatchesInOrder() throws IOException {
        for (int b = 1; b <= 5; b++) {
            Files.write(temp.resolve("data_batch_" + b + ".bin"), records(b, b, 10 - b));
        }
        CifarImages images = CifarData.fromBinary(temp).images(Dataset.Usage.TRAIN);

        assertThat(images.size()).isEqualTo(10);
        assertThat(images.label(0)).isEqualTo(1);
        assertThat(images.label(1)).isEqualTo(9);
        assertThat(images.label(8)).isEqualTo(5);
        assertThat(images.pixels(9)[0]).isEqualTo(pixel(5 + 1, 0, 0, 0));
    }

    @Test
    void partialRecordIsReportedWithTheFile() throws IOException {
        byte[] full = records(0, 1, 2);
        Path file = temp.resolve("test_batch.bin");
        Files.write(file, Arrays.copyOf(full, full.length - 10));

        assertThatThrownBy(() -> CifarData.fromBinary(temp).images(Dataset.Usage.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("3073");
    }

    /** CIFAR-10 has labels 0 to 9: a larger label byte is a damaged or foreign file. */
    @Test
    void aLabelPastNineIsRefusedWithTheFileAndRecord() throws IOException {
        byte[] content = records(0, 3, 4, 5);
        content[2 * 3073] = 10;
        Path file = Files.write(temp.resolve("test_batch.bin"), content);

        assertThatThrownBy(() -> CifarData.fromBinary(temp).images(Dataset.Usage.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("record 2 has label 10");
    }

    @Test
    void emptyBatchFileIsRefused() throws IOException {
        Path file = Files.write(temp.resolve("test_batch.bin"), new byte[0]);

        assertThatThrownBy(() -> CifarData.fromBinary(temp).images(Dataset.Usage.TEST))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("empty");
    }

    @Test
    void missingBatchIsNamed() {
        assertThatThrownBy(() -> CifarData.fromBinary(temp).images(Dataset.Usage.TRAIN))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("data_batch_1.bin");
    }

    /** Records with the given labels; record r of the file has pixel values from seed + r. */
    private static byte[] records(int seed, int... labels) {
        byte[] out = new byte[labels.length * 3073];
        for (int r = 0; r < labels.length; r++) {
            out[r * 3073] = (byte) labels[r];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        out[r * 3073 + 1 + c * 1024 + y * 32 + x] = pixel(seed + r, c, y, x);
                    }
                }
            }
        }
        return out;
    }

    private static byte pixel(int record, int c, int y, int x) {
        return (byte) (record * 31 + c * 101 + y * 7 + x * 3);
    }
}
