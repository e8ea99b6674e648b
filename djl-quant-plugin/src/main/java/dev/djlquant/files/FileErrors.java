package dev.djlquant.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Says in words what a file-system failure was: the JDK's exceptions for the common errors carry
 * only the path, and their class is the reason. Shared by the checkpoint writer, the archive cache
 * and the command line, so that one failure reads the same everywhere.
 */
public final class FileErrors {

    private FileErrors() {}

    /**
     * The reason alone, without the path, for file-system exceptions: "permission denied", "no such
     * file or directory".
     *
     * @param e the failure
     * @return the exception's own reason, or words for its class; for an exception that is not a
     *     {@link FileSystemException}, its message (which may name a path) or, without one, its
     *     {@code toString()}
     */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException fs) {
            return reason(fs);
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /**
     * The reason and the path (and the other path of a move): "permission denied: /a", or the
     * exception's own "/a: reason" when it has a reason; other exceptions' messages.
     *
     * @param e the failure
     * @return the description; for other exceptions their message or, without one, their {@code
     *     toString()}
     */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException fs && fs.getReason() == null) {
            return reason(fs)
                    + ": "
                    + fs.getFile()
                    + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile());
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason();
        } else if (e instanceof AccessDeniedException) {
            return "permission denied";
        } else if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        } else if (e instanceof NotDirectoryException) {
            return "not a directory";
        } else if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        } else if (e instanceof FileAlreadyExistsException) {
            // Files.createDirectories says this of a path component that is a file.
            return e.getFile() != null
                            && Files.exists(Path.of(e.getFile()))
                            && !Files.isDirectory(Path.of(e.getFile()))
                    ? "not a directory"
                    : "already exists";
        }
        return e.getClass().getSimpleName();
    }
}
