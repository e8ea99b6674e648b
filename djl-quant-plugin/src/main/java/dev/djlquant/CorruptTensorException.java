package dev.djlquant;

import java.io.IOException;

/** Thrown when serialized quantized data is truncated, corrupted or of an unknown version. */
public class CorruptTensorException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message saying what was wrong.
     *
     * @param message what was wrong
     */
    public CorruptTensorException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message and the underlying cause.
     *
     * @param message what was wrong
     * @param cause the underlying error, such as the {@link java.io.EOFException} of a truncated
     *     stream
     */
    public CorruptTensorException(String message, Throwable cause) {
        super(message, cause);
    }
}
