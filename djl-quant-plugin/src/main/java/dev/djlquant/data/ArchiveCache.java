package dev.djlquant.data;

import dev.djlquant.files.AtomicFiles;
import dev.djlquant.files.Digests;
import dev.djlquant.files.FileErrors;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;

/**
 * Extracts a {@code .tar.gz} archive once into a cache directory and reuses the copy afterwards.
 *
 * <p>The copy lives in {@code <cacheDir>/<archive name>-<hash>}, where the hash is a prefix of the
 * archive's SHA-256, so a changed archive gets a fresh copy. Extraction writes into a temporary
 * sibling directory and renames it into place: a killed run leaves at most an ignored {@code
 * .partial} directory, never a half-filled cache. Partial directories older than an hour are
 * removed by the next extraction of the same archive.
 */
final class ArchiveCache {

    /** Hex digits of the SHA-256 kept in the cache directory name. */
    private static final int HASH_CHARS = 16;

    /** Age after which a partial directory is taken to be left by a killed run. */
    private static final Duration STALE = Duration.ofHours(1);

    /**
     * Outcome of {@link #extract}.
     *
     * @param directory the extracted copy
     * @param extracted true if this call extracted it, false if an existing copy was reused
     */
    record Extraction(Path directory, boolean extracted) {}

    private ArchiveCache() {}

    /**
     * Returns the extracted copy of an archive, extracting it first if no copy exists.
     *
     * @param archive the {@code .tar.gz} file
     * @param cacheDir the cache directory, created if missing
     * @return where the copy is and whether this call made it
     * @throws IOException if the archive is missing or unreadable, or extraction fails
     */
    static Extraction extract(Path archive, Path cacheDir) throws IOException {
        if (!Files.isRegularFile(archive)) {
            throw new NoSuchFileException(archive.toString(), null, "archive not found");
        }
        String name = archive.getFileName().toString().replaceFirst("\\.tar\\.gz$|\\.tgz$", "");
        Path target =
                cacheDir.resolve(name + "-" + Digests.sha256(archive).substring(0, HASH_CHARS));
        if (Files.isDirectory(target)) {
            return new Extraction(target, false);
        }
        if (Files.exists(cacheDir) && !Files.isDirectory(cacheDir)) {
            throw new FileSystemException(
                    cacheDir.toString(),
                    null,
                    "is not a directory, so " + archive + " cannot be extracted into it");
        }
        try {
            // A cache directory created for an archive that fails to extract is removed again.
            AtomicFiles.inNewParents(
                    cacheDir,
                    () -> {
                        deleteStalePartials(cacheDir, name);
                        Path partial =
                                Files.createTempDirectory(cacheDir, "." + name + ".partial-");
                        AtomicFiles.fillThenInstall(
                                partial,
                                dir -> TarGzExtractor.extract(archive, dir),
                                () -> Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE));
                    });
            return new Extraction(target, true);
        } catch (IOException | RuntimeException e) {
            if (Files.isDirectory(target)) {
                return new Extraction(target, false); // another process finished first
            }
            throw new IOException(
                    "Cannot extract " + archive + " into " + cacheDir + ": " + reason(e), e);
        }
    }

    /** What went wrong: the message, or for an exception without one (an EOF) its kind. */
    private static String reason(Exception e) {
        if (e instanceof EOFException && e.getMessage() == null) {
            return "unexpected end of the archive";
        }
        return e instanceof IOException io
                ? FileErrors.describe(io)
                : e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static void deleteStalePartials(Path cacheDir, String name) throws IOException {
        Instant cutoff = Instant.now().minus(STALE);
        try (DirectoryStream<Path> partials =
                Files.newDirectoryStream(cacheDir, "." + name + ".partial-*")) {
            for (Path partial : partials) {
                if (Files.getLastModifiedTime(partial).toInstant().isBefore(cutoff)) {
                    AtomicFiles.deleteRecursively(partial);
                }
            }
        }
    }
}
