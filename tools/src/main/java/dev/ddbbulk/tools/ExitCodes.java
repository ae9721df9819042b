package dev.ddbbulk.tools;

/** The CLI's exit codes, documented in the README. */
final class ExitCodes {
    /** Everything completed (and, for demo, verified). */
    static final int OK = 0;
    /** An unexpected error: the message and cause are printed. */
    static final int ERROR = 1;
    /** Bad input: a bad option or a job that does not fit the tables. Nothing was sent or written. */
    static final int INVALID_INPUT = 2;
    /** The job ran but segments failed and are in the dead-letter queue. */
    static final int SEGMENTS_FAILED = 3;
    /** The job ran but the destination does not match what the processor should have produced. */
    static final int VERIFICATION_FAILED = 4;

    private ExitCodes() {
    }
}
