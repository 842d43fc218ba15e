package dev.ganlab.data;

import dev.ganlab.core.UserError;

/** A data set that cannot be found or read; the message names the file and the fix. */
public class DatasetException extends UserError {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
