package dev.djlquant;

import java.io.IOException;

/** Thrown when serialized quantized data is truncated, corrupted or of an unknown version. */
public class CorruptTensorException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message saying what was wrong. */
    public CorruptTensorException(String message) {
        super(message);
    }

    /** Creates the exception with a message and the underlying cause. */
    public CorruptTensorException(String message, Throwable cause) {
        super(message, cause);
    }
}
