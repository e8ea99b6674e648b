package dev.djlquant.zoo;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A quantized checkpoint cannot be used: a file is missing, truncated, damaged, of an unsupported
 * format version, or does not hold what the manifest lists. The message names the file and the
 * problem; {@link #file()} returns the file and {@link #problem()} the problem alone.
 */
public class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** What is wrong with the file, without its path. */
    private final String problem;

    /**
     * Creates the exception.
     *
     * @param file the file at fault
     * @param problem what is wrong with it
     */
    public CheckpointException(Path file, String problem) {
        super("Checkpoint file " + file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    /**
     * Creates the exception with its cause.
     *
     * @param file the file at fault
     * @param problem what is wrong with it
     * @param cause the underlying error
     */
    public CheckpointException(Path file, String problem, Throwable cause) {
        super("Checkpoint file " + file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /**
     * Returns the file at fault.
     *
     * @return the path of the file
     */
    public Path file() {
        return file;
    }

    /**
     * Returns what is wrong with the file, without its path.
     *
     * @return the problem
     */
    public String problem() {
        return problem;
    }
}
