package dev.djlquant.zoo;

import dev.djlquant.files.AtomicFiles;
import dev.djlquant.files.FileErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where a checkpoint may be written ({@link CheckpointWriter#checkTarget}): a new path whose
 * nearest existing ancestor takes new directories, an empty directory, or with {@code replace} a
 * djlq checkpoint and nothing else; refusals name the path and why.
 */
record CheckpointTarget(boolean replace) {

    /** Refuses {@code out}, naming it and why, unless a checkpoint may be written there. */
    void check(Path out) throws IOException {
        if (out.toString().isEmpty()) {
            // Path.of("") is the working directory: an unset shell variable, not a choice.
            throw new IllegalArgumentException("The checkpoint path is empty");
        }
        Path absolute = out.toAbsolutePath().normalize();
        checkReplaceable(absolute);
        checkCreatable(absolute);
    }

    /**
     * Refuses, naming the path and why, whatever at {@code absolute} this writer must not replace.
     */
    void checkReplaceable(Path absolute) throws IOException {
        if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isSymbolicLink(absolute)) {
            throw exists(absolute, "is a symbolic link; give the directory itself");
        }
        if (!Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw exists(absolute, "exists and is not a directory; choose another path");
        }
        if (isWorkingDirectoryOrParent(absolute)) {
            throw exists(
                    absolute,
                    "is the working directory or one of its parents; give a new directory for the"
                            + " checkpoint");
        }
        if (AtomicFiles.isEmptyDirectory(absolute)) {
            return;
        }
        String notCheckpoint = whyNotACheckpoint(absolute);
        if (!replace) {
            throw exists(
                    absolute,
                    notCheckpoint == null
                            ? "already holds a djlq checkpoint; choose another path or replace it"
                                    + " (CheckpointWriter.Builder.optReplaceExisting, djlq quantize"
                                    + " --force)"
                            : "exists and is not empty; choose another path");
        }
        if (notCheckpoint != null) {
            throw exists(
                    absolute,
                    notCheckpoint
                            + "; only a djlq checkpoint is replaced, nothing else is deleted:"
                            + " choose another path");
        }
    }

    /**
     * Returns why a non-empty directory is not a checkpoint this writer may replace, or null if it
     * is one: its {@code manifest.json} must be recognized and every other entry must be a file of
     * a checkpoint (one this writer writes, or one the manifest lists), so that a user's own files
     * put beside a checkpoint are never deleted with it.
     */
    private static String whyNotACheckpoint(Path dir) throws IOException {
        Path manifest = dir.resolve(CheckpointManifest.FILE_NAME);
        if (!Files.exists(manifest, LinkOption.NOFOLLOW_LINKS)) {
            return "is not a djlq checkpoint (it has no " + CheckpointManifest.FILE_NAME + ")";
        }
        Set<String> allowed = ManifestReader.recognize(manifest);
        if (allowed == null) {
            return "is not a djlq checkpoint (its "
                    + CheckpointManifest.FILE_NAME
                    + " is not a "
                    + CheckpointManifest.FORMAT
                    + " manifest)";
        }
        allowed.addAll(CheckpointWriter.CHECKPOINT_FILES);
        List<String> others;
        try (Stream<Path> entries = Files.list(dir)) {
            others =
                    entries.filter(
                                    e ->
                                            !allowed.contains(e.getFileName().toString())
                                                    || Files.isDirectory(
                                                            e, LinkOption.NOFOLLOW_LINKS))
                            .map(e -> e.getFileName().toString())
                            .sorted()
                            .toList();
        }
        if (others.isEmpty()) {
            return null;
        }
        return "holds a djlq checkpoint and other entries "
                + (others.size() > 5 ? others.subList(0, 5) + " and more" : others);
    }

    private static boolean isWorkingDirectoryOrParent(Path absolute) {
        Path cwd = Path.of("").toAbsolutePath();
        try {
            return cwd.toRealPath().startsWith(absolute.toRealPath());
        } catch (IOException e) {
            return cwd.normalize().startsWith(absolute);
        }
    }

    /**
     * Refuses a path that cannot be created: its nearest existing ancestor must be a directory in
     * which this process can create a directory. Tried for real (created and deleted), since
     * permission bits do not tell it for root, read-only mounts or {@code /proc}.
     */
    private static void checkCreatable(Path absolute) throws IOException {
        Path parent = absolute.getParent();
        if (parent == null) {
            throw refused(absolute, "is a file system root");
        }
        Path existing = AtomicFiles.nearestExisting(parent);
        if (existing == null) {
            return; // nothing to look at: createDirectories will say what is wrong
        }
        if (!Files.isDirectory(existing)) {
            throw refused(absolute, "cannot be created: " + existing + " is not a directory");
        }
        for (Path name : existing.relativize(absolute)) {
            int bytes = name.toString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > AtomicFiles.NAME_MAX) {
                throw refused(
                        absolute,
                        "cannot be created: its name '"
                                + name
                                + "' has "
                                + bytes
                                + " bytes, more than the "
                                + AtomicFiles.NAME_MAX
                                + " a file name may have");
            }
        }
        try {
            AtomicFiles.probeCreate(existing);
        } catch (IOException e) {
            String why =
                    "cannot create a directory in " + existing + " (" + FileErrors.reason(e) + ")";
            throw refused(
                    absolute,
                    Files.exists(absolute)
                            ? "cannot be filled: the checkpoint is written in a new directory beside"
                                    + " it and renamed into place, but "
                                    + why
                            : "cannot be created: " + why);
        }
    }

    private static FileSystemException refused(Path path, String reason) {
        return new FileSystemException(path.toString(), null, reason);
    }

    /** A refusal of something that exists at the path. */
    private static FileAlreadyExistsException exists(Path path, String reason) {
        return new FileAlreadyExistsException(path.toString(), null, reason);
    }
}
