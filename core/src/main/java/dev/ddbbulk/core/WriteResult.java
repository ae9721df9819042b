package dev.ddbbulk.core;

/** What one write call did; counts add up across pages. */
public record WriteResult(long written, long deleted, long conditionalFailures) {
    public static final WriteResult NONE = new WriteResult(0, 0, 0);

    public WriteResult plus(WriteResult other) {
        return new WriteResult(written + other.written, deleted + other.deleted,
                conditionalFailures + other.conditionalFailures);
    }
}
