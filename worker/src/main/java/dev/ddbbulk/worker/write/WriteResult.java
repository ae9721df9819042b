package dev.ddbbulk.worker.write;

import dev.ddbbulk.core.ledger.Counts;

/**
 * What one write call did; counts add up across pages. See {@link Counts} for conditional failures and already
 * applied ones.
 *
 * @param unchanged puts that needed no write: in place in conditional mode, the processor returned the item as read
 */
public record WriteResult(long written, long deleted, long conditionalFailures, long alreadyApplied, long unchanged) {
    public static final WriteResult NONE = new WriteResult(0, 0, 0, 0, 0);

    /** A result with nothing unchanged. */
    public WriteResult(long written, long deleted, long conditionalFailures, long alreadyApplied) {
        this(written, deleted, conditionalFailures, alreadyApplied, 0);
    }

    /** A result with nothing already applied or unchanged. */
    public WriteResult(long written, long deleted, long conditionalFailures) {
        this(written, deleted, conditionalFailures, 0, 0);
    }

    public WriteResult plus(WriteResult other) {
        return new WriteResult(written + other.written, deleted + other.deleted,
                conditionalFailures + other.conditionalFailures, alreadyApplied + other.alreadyApplied,
                unchanged + other.unchanged);
    }
}
