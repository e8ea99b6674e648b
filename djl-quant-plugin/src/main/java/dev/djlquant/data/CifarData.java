package dev.djlquant.data;

import ai.djl.training.dataset.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the CIFAR-10 images come from, and their decoded copy: one instance per source, each split
 * read and decoded once, then served from memory.
 *
 * <p>Sources: a JPEG folder tree ({@code <root>/<split>/<class>/*.jpg}), the {@code
 * <split>-jpg.tar.gz} archives of that tree (extracted once into a cache directory), the binary
 * {@code cifar-10-batches-bin} files, or DJL's {@code Cifar10} download, which is the only source
 * that uses the network and is used only when chosen explicitly. Thread-safe.
 */
public final class CifarData {

    /** The class names in label order 0..9 (also the alphabetical folder order). */
    public static final List<String> CLASS_NAMES =
            List.of(
                    "airplane",
                    "automobile",
                    "bird",
                    "cat",
                    "deer",
                    "dog",
                    "frog",
                    "horse",
                    "ship",
                    "truck");

    /** Reads one split from some source. */
    @FunctionalInterface
    private interface Source {
        CifarImages read(Dataset.Usage usage) throws IOException;
    }

    private final String description;
    private final Source source;
    private final Map<Dataset.Usage, CifarImages> decoded = new EnumMap<>(Dataset.Usage.class);

    private CifarData(String description, Source source) {
        this.description = description;
        this.source = source;
    }

    /**
     * Reads JPEG (or PNG) folders laid out {@code <root>/train/<class>/*.jpg} and {@code
     * <root>/test/<class>/*.jpg}, with the ten {@link #CLASS_NAMES} as class folders.
     *
     * @param root the directory holding the split folders
     * @return the data source
     */
    public static CifarData fromImageFolders(Path root) {
        return new CifarData(
                "image folders in " + root,
                usage -> ImageFolderReader.read(root.resolve(splitName(usage))));
    }

    /**
     * Reads the archives {@code <archiveDir>/train-jpg.tar.gz} and {@code test-jpg.tar.gz} (as in
     * {@code shared/data/cifar10}), each holding {@code <split>/<class>/*.jpg}. An archive is
     * extracted on first use into a subdirectory of {@code cacheDir} named after its content hash,
     * atomically, and reused afterwards.
     *
     * @param archiveDir the directory holding the archives
     * @param cacheDir where extracted copies are kept, created if missing; not a source directory
     * @return the data source
     */
    public static CifarData fromArchives(Path archiveDir, Path cacheDir) {
        return new CifarData(
                "archives in " + archiveDir + " (cache " + cacheDir + ")",
                usage -> {
                    String split = splitName(usage);
                    Path archive = archiveDir.resolve(split + "-jpg.tar.gz");
                    Path extracted = ArchiveCache.extract(archive, cacheDir).directory();
                    return ImageFolderReader.read(extracted.resolve(split));
                });
    }

    /**
     * Reads the standard binary CIFAR-10 files: {@code data_batch_1.bin} to {@code
     * data_batch_5.bin} (or their concatenation {@code data_batch.bin}) and {@code test_batch.bin},
     * 3073-byte records of one label byte and 3x32x32 pixel bytes in CHW order.
     *
     * @param batchesDir the {@code cifar-10-batches-bin} directory or its parent
     * @return the data source
     */
    public static CifarData fromBinary(Path batchesDir) {
        return new CifarData(
                "binary batches in " + batchesDir,
                usage -> CifarBinaryReader.read(batchesDir, usage));
    }

    /**
     * Uses DJL's {@code Cifar10} dataset, which downloads the binary files into DJL's cache on
     * first use. This is the only source needing network access; nothing else falls back to it.
     *
     * @return the data source
     */
    public static CifarData fromDjlDownload() {
        return new CifarData("DJL Cifar10 download", DjlCifar10::read);
    }

    /**
     * Returns the decoded images of a split, reading and decoding them on the first call only.
     *
     * @param usage {@code TRAIN} or {@code TEST}
     * @return the decoded images
     * @throws IOException if the source is missing or malformed; the message names the file
     * @throws IllegalArgumentException for {@code VALIDATION}, which CIFAR-10 does not have
     */
    public synchronized CifarImages images(Dataset.Usage usage) throws IOException {
        CifarImages images = decoded.get(usage);
        if (images == null) {
            images = source.read(usage);
            decoded.put(usage, images);
        }
        return images;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "CIFAR-10 from " + description;
    }

    static String splitName(Dataset.Usage usage) {
        if (usage == Dataset.Usage.VALIDATION) {
            throw new IllegalArgumentException("CIFAR-10 has only TRAIN and TEST splits");
        }
        return usage.name().toLowerCase(Locale.ROOT);
    }
}
