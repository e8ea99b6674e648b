package dev.djlquant.zoo;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes files and directories so that readers see either nothing or the complete result: content
 * goes to a hidden temporary sibling, is flushed to disk, then renamed into place.
 */
final class AtomicFiles {

    /** Fills a directory. */
    @FunctionalInterface
    interface DirectoryWriter {
        void write(Path directory) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Creates {@code target} by filling a temporary sibling directory and renaming it; the
     * temporary directory is deleted if anything fails. An existing {@code target} is replaced only
     * if {@code replace} is set (it is moved aside first, then deleted).
     */
    static void writeDirectory(Path target, boolean replace, DirectoryWriter writer)
            throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (Files.exists(absolute) && !replace && !isEmptyDirectory(absolute)) {
            throw new FileAlreadyExistsException(
                    absolute.toString(), null, "exists and is not empty; choose another path");
        }
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + absolute.getFileName() + ".tmp-" + UUID.randomUUID());
        Files.createDirectory(tmp);
        try {
            writer.write(tmp);
            try (Stream<Path> files = Files.list(tmp)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f)) {
                        fsync(f);
                    }
                }
            }
            Path old = null;
            if (Files.exists(absolute)) {
                old = parent.resolve("." + absolute.getFileName() + ".old-" + UUID.randomUUID());
                move(absolute, old);
            }
            move(tmp, absolute);
            if (old != null) {
                deleteRecursively(old);
            }
        } finally {
            deleteRecursively(tmp);
        }
    }

    /** Replaces {@code target} with {@code bytes} through a temporary file in the same folder. */
    static void writeFile(Path target, byte[] bytes) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Files.createDirectories(absolute.getParent());
        Path tmp =
                absolute.getParent()
                        .resolve("." + absolute.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW);
            fsync(tmp);
            move(tmp, absolute);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies {@code source} to a new file {@code target} and flushes it. */
    static void copy(Path source, Path target) throws IOException {
        Files.copy(source, target);
        fsync(target);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Deletes a file or directory tree if it exists. */
    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
