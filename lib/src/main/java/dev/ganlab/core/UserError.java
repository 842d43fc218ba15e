package dev.ganlab.core;

/**
 * A problem the user can fix: bad input, a missing data set, a wrong setting. The message names the
 * file, value or setting at fault and, where there is one, the command that fixes it. The command
 * line prints it as one line without a stack trace and exits with status 2.
 */
public class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
