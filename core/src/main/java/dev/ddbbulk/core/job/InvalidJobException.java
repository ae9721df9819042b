package dev.ddbbulk.core.job;

/**
 * A job that cannot run as given: a bad parameter or a table that does not fit. The message names the
 * problem and the fix in one line; the CLI maps it to exit code 2, and nothing has been sent or written.
 */
public class InvalidJobException extends RuntimeException {
    public InvalidJobException(String message) {
        super(message);
    }

    public InvalidJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
