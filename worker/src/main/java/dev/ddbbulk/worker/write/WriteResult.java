package dev.ddbbulk.worker.write;

import dev.ddbbulk.core.ledger.Counts;

/** What one write call did; counts add up across pages. See {@link Counts} for the last two. */
public record WriteResult(long written, long deleted, long conditionalFailures, long alreadyApplied) {
    public static final WriteResult NONE = new WriteResult(0, 0, 0, 0);

    /** A result with nothing already applied. */
    public WriteResult(long written, long deleted, long conditionalFailures) {
        this(written, deleted, conditionalFailures, 0);
    }

    public WriteResult plus(WriteResult other) {
        return new WriteResult(written + other.written, deleted + other.deleted,
                conditionalFailures + other.conditionalFailures, alreadyApplied + other.alreadyApplied);
    }
}
