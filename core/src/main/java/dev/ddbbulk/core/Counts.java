package dev.ddbbulk.core;

/** Item counts of a page, a segment or a run. */
public record Counts(long scanned, long written, long deleted, long skipped, long conditionalFailures) {
    public static final Counts ZERO = new Counts(0, 0, 0, 0, 0);

    public Counts plus(Counts o) {
        return new Counts(scanned + o.scanned, written + o.written, deleted + o.deleted, skipped + o.skipped,
                conditionalFailures + o.conditionalFailures);
    }
}
