package dev.djlquant.data;

import ai.djl.training.dataset.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the binary CIFAR-10 format ({@code cifar-10-batches-bin}): records of 3073 bytes, one label
 * byte then 1024 red, 1024 green and 1024 blue bytes (CHW), converted to HWC.
 */
final class CifarBinaryReader {

    /** Bytes per record: one label byte and the image. */
    static final int RECORD_BYTES = 1 + CifarImages.IMAGE_BYTES;

    private static final String BATCHES_DIR = "cifar-10-batches-bin";
    private static final int TRAIN_BATCHES = 5;

    private CifarBinaryReader() {}

    /**
     * Reads one split.
     *
     * @param dir the {@code cifar-10-batches-bin} directory or its parent
     * @param usage {@code TRAIN} (five {@code data_batch_N.bin} or one {@code data_batch.bin}) or
     *     {@code TEST} ({@code test_batch.bin})
     * @return the decoded images
     * @throws IOException if a file is missing or empty, has a partial record or an invalid label
     */
    static CifarImages read(Path dir, Dataset.Usage usage) throws IOException {
        Path root = Files.isDirectory(dir.resolve(BATCHES_DIR)) ? dir.resolve(BATCHES_DIR) : dir;
        List<byte[]> contents = new ArrayList<>();
        int records = 0;
        for (Path file : batchFiles(root, CifarData.splitName(usage))) {
            byte[] content = Files.readAllBytes(file);
            if (content.length == 0) {
                // A multiple of the record size too, but an empty split is a damaged download.
                throw new IOException(file + " is empty: no CIFAR-10 records");
            }
            if (content.length % RECORD_BYTES != 0) {
                throw new IOException(
                        file
                                + " has "
                                + content.length
                                + " bytes, not a multiple of the "
                                + RECORD_BYTES
                                + "-byte record size");
            }
            checkLabels(file, content);
            contents.add(content);
            records += content.length / RECORD_BYTES;
        }
        byte[] pixels = new byte[records * CifarImages.IMAGE_BYTES];
        int[] labels = new int[records];
        int next = 0;
        for (byte[] content : contents) {
            for (int r = 0; r < content.length / RECORD_BYTES; r++, next++) {
                labels[next] = content[r * RECORD_BYTES] & 0xFF;
                chwToHwc(content, r * RECORD_BYTES + 1, pixels, next * CifarImages.IMAGE_BYTES);
            }
        }
        return new CifarImages(pixels, labels);
    }

    private static List<Path> batchFiles(Path root, String split) throws NoSuchFileException {
        List<Path> files = new ArrayList<>();
        if (split.equals("test")) {
            files.add(root.resolve("test_batch.bin"));
        } else if (Files.exists(root.resolve("data_batch.bin"))) {
            files.add(root.resolve("data_batch.bin"));
        } else {
            for (int i = 1; i <= TRAIN_BATCHES; i++) {
                files.add(root.resolve("data_batch_" + i + ".bin"));
            }
        }
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(
                        file.toString(), null, "missing CIFAR-10 binary batch file");
            }
        }
        return files;
    }

    private static void checkLabels(Path file, byte[] content) throws IOException {
        for (int r = 0; r < content.length / RECORD_BYTES; r++) {
            int label = content[r * RECORD_BYTES] & 0xFF;
            if (label >= CifarData.CLASS_NAMES.size()) {
                throw new IOException(file + ": record " + r + " has label " + label + " > 9");
            }
        }
    }

    private static void chwToHwc(byte[] chw, int from, byte[] hwc, int to) {
        int plane = CifarImages.SIDE * CifarImages.SIDE;
        for (int c = 0; c < CifarImages.CHANNELS; c++) {
            for (int p = 0; p < plane; p++) {
                hwc[to + p * CifarImages.CHANNELS + c] = chw[from + c * plane + p];
            }
        }
    }
}
