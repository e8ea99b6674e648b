package dev.djlquant.examples.study;

import dev.djlquant.data.CifarData;
import dev.djlquant.data.CifarImages;
import java.nio.file.Files;
import java.nio.file.Path;

/** Picks the CIFAR-10 source for a path, and the subsets a run uses. */
public final class StudyData {

    private StudyData() {}

    /**
     * Opens CIFAR-10 from {@code path}, recognizing what is there: the {@code
     * {train,test}-jpg.tar.gz} archives (extracted once into {@code cacheDir}), the binary {@code
     * cifar-10-batches-bin} files (the folder or its parent), or JPEG/PNG folders {@code
     * <path>/{train,test}/<class>/}. Never downloads: use {@link CifarData#fromDjlDownload()} for
     * that.
     *
     * @param path the data location
     * @param cacheDir where archives are extracted; not a source directory
     * @return the source
     * @throws IllegalArgumentException if nothing usable is found, saying what was expected
     */
    public static CifarData open(Path path, Path cacheDir) {
        if (Files.isRegularFile(path.resolve("test-jpg.tar.gz"))) {
            return CifarData.fromArchives(path, cacheDir);
        }
        if (Files.isRegularFile(path.resolve("test_batch.bin"))
                || Files.isRegularFile(path.resolve("cifar-10-batches-bin/test_batch.bin"))) {
            return CifarData.fromBinary(path);
        }
        if (Files.isDirectory(path.resolve("test")) && Files.isDirectory(path.resolve("train"))) {
            return CifarData.fromImageFolders(path);
        }
        throw new IllegalArgumentException(
                "No CIFAR-10 data at "
                        + path.toAbsolutePath()
                        + ": expected train-jpg.tar.gz and test-jpg.tar.gz, the binary"
                        + " cifar-10-batches-bin files, or folders train/<class>/ and"
                        + " test/<class>/ (or pass --download to let DJL fetch it)");
    }

    /**
     * Returns the first {@code n/10} images of every class when {@code n} is a multiple of 10, a
     * seeded uniform sample of {@code n} otherwise, all images for 0.
     *
     * @param images the split
     * @param n how many images (0: all)
     * @param seed the sampling seed
     * @return the subset
     */
    public static CifarImages subset(CifarImages images, int n, long seed) {
        if (n == 0 || n >= images.size()) {
            return images;
        }
        int classes = CifarData.CLASS_NAMES.size();
        return n % classes == 0 ? images.firstPerClass(n / classes) : images.sample(n, seed);
    }
}
