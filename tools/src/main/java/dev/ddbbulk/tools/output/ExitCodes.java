package dev.ddbbulk.tools.output;

/** The CLI's exit codes, documented in the README. */
public final class ExitCodes {
    /** Everything completed (and, for demo, verified). */
    public static final int OK = 0;
    /** An unexpected error: the message and cause are printed. */
    public static final int ERROR = 1;
    /** Bad input: a bad option or a job that does not fit the tables. Nothing was sent or written. */
    public static final int INVALID_INPUT = 2;
    /** The job ran but segments failed and are in the dead-letter queue. */
    public static final int SEGMENTS_FAILED = 3;
    /** The job ran but the destination does not match what the processor should have produced. */
    public static final int VERIFICATION_FAILED = 4;

    private ExitCodes() {
    }
}
