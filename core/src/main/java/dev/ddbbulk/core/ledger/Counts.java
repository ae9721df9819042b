package dev.ddbbulk.core.ledger;

/**
 * Item counts of a page, a segment or a run.
 *
 * @param conditionalFailures conditional writes whose condition failed because the table held something
 *                            else: left alone, for the user to look at
 * @param alreadyApplied      conditional writes whose condition failed because the table already held
 *                            exactly the item to be put, or already lacked the item to be deleted: an
 *                            earlier attempt of this run (a killed worker's) or another writer had made the
 *                            same change, so nothing was lost or left to decide
 */
public record Counts(long scanned, long written, long deleted, long skipped, long conditionalFailures,
                     long alreadyApplied) {
    public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0);

    /** Counts with nothing already applied. */
    public Counts(long scanned, long written, long deleted, long skipped, long conditionalFailures) {
        this(scanned, written, deleted, skipped, conditionalFailures, 0);
    }

    public Counts plus(Counts o) {
        return new Counts(scanned + o.scanned, written + o.written, deleted + o.deleted, skipped + o.skipped,
                conditionalFailures + o.conditionalFailures, alreadyApplied + o.alreadyApplied);
    }
}
