package dev.djlquant.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes files and directories so that readers see either nothing or the complete result: content
 * goes to a hidden temporary sibling, then is renamed into place. Files written by {@link
 * #writeFile}, and the files at the top of a directory written by {@link #writeDirectory} (a
 * checkpoint's), are flushed to disk before the rename; files in its subdirectories and the
 * directory entries themselves are not.
 */
public final class AtomicFiles {

    /** Fills a directory. */
    @FunctionalInterface
    public interface DirectoryWriter {
        /**
         * Writes the content of {@code directory}.
         *
         * @param directory the directory to fill; it exists
         * @throws IOException if that fails
         */
        void write(Path directory) throws IOException;
    }

    /** Refuses, by throwing, to replace what is at a target path. */
    @FunctionalInterface
    public interface TargetCheck {
        /**
         * Returns if what is at {@code target} (possibly nothing) may be replaced.
         *
         * @param target the absolute, normalized target path
         * @throws IOException naming the target and the reason, to refuse
         */
        void check(Path target) throws IOException;
    }

    /** One write. */
    @FunctionalInterface
    public interface IoAction {
        /**
         * Performs the write.
         *
         * @throws IOException if it fails
         */
        void run() throws IOException;
    }

    /** Longest file name, in bytes, that Linux file systems take (ext4, xfs, btrfs, tmpfs). */
    public static final int NAME_MAX = 255;

    /** Longest target name, in UTF-8 bytes, that its siblings' names repeat whole. */
    private static final int LONG_NAME = 100;

    /** Characters of a longer name that its siblings' names keep (at most 4 bytes each). */
    private static final int STEM_PREFIX = 40;

    private AtomicFiles() {}

    /**
     * Creates {@code target} by filling a temporary sibling directory and renaming it; the
     * temporary directory is deleted if anything fails. {@code check} decides whether what is
     * already at {@code target} may be replaced: it runs before anything is written and again just
     * before the swap (the content takes a while to write, and a user may put files there
     * meanwhile); it throws, naming the target and the reason, to refuse. A replaced target is
     * moved aside first, then deleted. After a successful write the temporary siblings of {@code
     * target} left by processes that no longer run (killed mid-write) are deleted too: only names
     * of this class's own pattern, {@code .<name>.tmp-<pid>-<uuid>} and {@code
     * .<name>.old-<pid>-<uuid>}.
     *
     * @param target the directory to create or replace; its parent directories are created
     * @param check decides, before the write and again before the swap, whether what is at {@code
     *     target} may be replaced (a checkpoint's refuses anything but an empty directory or, when
     *     asked to replace, an earlier checkpoint)
     * @param writer fills the temporary directory; the regular files it puts directly in that
     *     directory are flushed to disk before the rename
     * @throws IOException if {@code target} is a file system root, if {@code check} refuses, or if
     *     writing, flushing or renaming fails (the target is then left as it was, and the parent
     *     directories created for it are deleted); also if deleting the replaced target fails after
     *     the rename (the new content is then in place)
     */
    public static void writeDirectory(Path target, TargetCheck check, DirectoryWriter writer)
            throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null) {
            throw new FileSystemException(absolute.toString(), null, "is a file system root");
        }
        check.check(absolute);
        inNewParents(
                parent,
                () -> {
                    Path tmp = Files.createDirectory(parent.resolve(siblingName(absolute, "tmp")));
                    fillThenInstall(
                            tmp,
                            dir -> {
                                writer.write(dir);
                                try (Stream<Path> files = Files.list(dir)) {
                                    for (Path f : (Iterable<Path>) files::iterator) {
                                        if (Files.isRegularFile(f)) {
                                            fsync(f);
                                        }
                                    }
                                }
                            },
                            () -> {
                                check.check(absolute);
                                Path old = null;
                                if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                                    old = parent.resolve(siblingName(absolute, "old"));
                                    move(absolute, old);
                                }
                                installOver(tmp, absolute, old);
                            });
                });
        deleteStaleSiblings(absolute);
    }

    /**
     * Renames {@code tmp} to {@code target}, then deletes {@code old} (the target moved aside, or
     * null); if the rename fails, {@code old} is moved back, so a failed write leaves the target as
     * it was.
     */
    static void installOver(Path tmp, Path target, Path old) throws IOException {
        try {
            move(tmp, target);
        } catch (IOException | RuntimeException e) {
            if (old != null) {
                try {
                    move(old, target);
                } catch (IOException | RuntimeException restore) {
                    e.addSuppressed(restore);
                }
            }
            throw e;
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    /**
     * Fills {@code temporary}, a new hidden directory the caller created beside the target, then
     * runs {@code install}, which renames it into place. If either fails, {@code temporary} is
     * deleted and the first error is rethrown, with a failure of that deletion added as suppressed.
     * If the JVM shuts down meanwhile (SIGTERM, Ctrl-C), a fill still running loses its temporary
     * directory and installs nothing, and an install that has begun is waited for ({@link
     * InFlightWrites}).
     *
     * @param temporary the new, empty temporary directory; deleted if the write fails
     * @param fill writes the content of {@code temporary}
     * @param install renames {@code temporary} into place
     * @throws IOException if {@code fill} or {@code install} throws it, or if the JVM began
     *     shutting down during the fill (then {@code install} does not run); {@code temporary} is
     *     deleted
     */
    public static void fillThenInstall(Path temporary, DirectoryWriter fill, IoAction install)
            throws IOException {
        InFlightWrites.Write write = InFlightWrites.begin(temporary);
        try {
            fill.write(temporary);
            write.beginInstall();
            install.run();
        } catch (Throwable e) {
            try {
                deleteRecursively(temporary);
            } catch (IOException | UncheckedIOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        } finally {
            write.end();
        }
    }

    /**
     * Runs a write to {@code file} and names the file in an error that names none: a full disk
     * fails with a bare "No space left on device". A {@link FileSystemException}, which names its
     * file, passes unchanged; any other {@link IOException} becomes "cannot write FILE: message".
     *
     * @param file the file that {@code action} writes, named in the error
     * @param action the write
     * @throws IOException if {@code action} throws it, named as above (the original as its cause)
     */
    public static void writing(Path file, IoAction action) throws IOException {
        try {
            action.run();
        } catch (FileSystemException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(
                    "cannot write " + file + ": " + (e.getMessage() == null ? e : e.getMessage()),
                    e);
        }
    }

    /**
     * A target name's part in its siblings' names: the name itself, or for a name longer than
     * {@link #LONG_NAME} UTF-8 bytes its first {@link #STEM_PREFIX} characters and a hash of the
     * whole, so that the sibling's name stays within {@link #NAME_MAX} bytes.
     */
    private static String stem(Path target) {
        String name = target.getFileName().toString();
        if (name.getBytes(StandardCharsets.UTF_8).length <= LONG_NAME) {
            return name;
        }
        int cut =
                name.offsetByCodePoints(
                        0, Math.min(STEM_PREFIX, name.codePointCount(0, name.length())));
        return name.substring(0, cut) + "~" + String.format(Locale.ROOT, "%08x", name.hashCode());
    }

    /**
     * A temporary sibling's name: hidden, the target's name ({@link #stem}), the writing process,
     * unique.
     */
    private static String siblingName(Path target, String kind) {
        return "."
                + stem(target)
                + "."
                + kind
                + "-"
                + ProcessHandle.current().pid()
                + "-"
                + UUID.randomUUID();
    }

    /**
     * Deletes the temporary siblings of {@code target} whose writing process has ended: what a
     * killed write left behind. A sibling of a process still running (another write to the same
     * target, here or in another JVM) is left alone; so is one whose process id was reused, and one
     * written on another host of a shared file system may be taken for dead, which only makes that
     * concurrent write fail. Failures are ignored: a leftover costs disk space, nothing else.
     */
    private static void deleteStaleSiblings(Path target) {
        Pattern ours =
                Pattern.compile(
                        Pattern.quote("." + stem(target) + ".")
                                + "(?:tmp|old)-(\\d{1,18})-"
                                + "\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");
        long self = ProcessHandle.current().pid();
        try (Stream<Path> siblings = Files.list(target.getParent())) {
            for (Path s : (Iterable<Path>) siblings::iterator) {
                Matcher m = ours.matcher(s.getFileName().toString());
                if (m.matches() && isEnded(Long.parseLong(m.group(1)), self)) {
                    deleteRecursively(s);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Left for a later write to remove.
        }
    }

    private static boolean isEnded(long pid, long self) {
        return pid != self && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    /**
     * Replaces {@code target} with {@code bytes} through a flushed temporary file in the same
     * folder, renamed into place: readers see the old content or the new, never a part.
     *
     * @param target the file to create or replace; its parent directories are created
     * @param bytes the new content
     * @throws IOException if writing, flushing or renaming fails; the target is then left as it was
     */
    public static void writeFile(Path target, byte[] bytes) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path tmp = absolute.getParent().resolve(siblingName(absolute, "tmp"));
        inNewParents(
                absolute.getParent(),
                () -> {
                    try {
                        Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW);
                        fsync(tmp);
                        move(tmp, absolute);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                });
        deleteStaleSiblings(absolute);
    }

    /**
     * Creates {@code dir} and its missing parents, then runs {@code write}; if it fails, deletes
     * the directories it created (those still empty), so that a failed write leaves the file system
     * as it found it.
     *
     * @param dir the directory {@code write} writes into
     * @param write the write
     * @throws IOException if creating {@code dir} or {@code write} fails
     */
    public static void inNewParents(Path dir, IoAction write) throws IOException {
        Path existing = nearestExisting(dir);
        Files.createDirectories(dir);
        try {
            write.run();
        } catch (IOException | RuntimeException e) {
            for (Path p = dir; p != null && !p.equals(existing); p = p.getParent()) {
                try {
                    Files.delete(p);
                } catch (IOException notEmpty) {
                    break; // a concurrent writer's, or not ours to remove
                }
            }
            throw e;
        }
    }

    /**
     * Renames {@code from} to {@code to}; a refusal says that the rename failed (the file system's
     * own message is a bare "FROM -> TO: Operation not permitted").
     */
    private static void move(Path from, Path to) throws IOException {
        try {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileSystemException e) {
            FileSystemException named =
                    new FileSystemException(
                            from.toString(),
                            null,
                            "cannot be renamed to " + to + " (" + FileErrors.reason(e) + ")");
            named.initCause(e);
            throw named;
        }
    }

    private static void fsync(Path file) throws IOException {
        // A delayed write error (the disk filled up after the data was buffered) surfaces here.
        writing(
                file,
                () -> {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        channel.force(true);
                    }
                });
    }

    /**
     * Returns {@code path} or its nearest ancestor that exists, or null if none does: where a new
     * path would be created.
     *
     * @param path an absolute path
     * @return the nearest existing of the path and its ancestors, or null
     */
    public static Path nearestExisting(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing;
    }

    /**
     * Checks that this process can create entries in {@code dir} by creating and deleting one: the
     * permission bits do not tell it for root, read-only mounts or {@code /proc}.
     *
     * @param dir an existing directory
     * @throws IOException the refusal, if it cannot
     */
    public static void probeCreate(Path dir) throws IOException {
        Files.delete(Files.createTempDirectory(dir, ".djlq-probe-"));
    }

    /**
     * Whether {@code dir} is a directory (not a link to one) with no entries; false for anything
     * else, including nothing.
     *
     * @param dir the path to test
     * @return true if {@code dir} is a directory without entries
     * @throws IOException if {@code dir} is a directory that cannot be listed
     */
    public static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /**
     * Deletes a file or directory tree, deepest entries first, without following links; does
     * nothing if {@code path} does not exist.
     *
     * @param path the file or directory to delete
     * @throws IOException if {@code path} cannot be walked or an entry cannot be deleted (entries
     *     deleted before stay deleted); a subdirectory that cannot be read fails with an {@link
     *     UncheckedIOException} instead
     */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
