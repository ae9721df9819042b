package dev.ddbbulk.core.ledger;

/** A segment's state in the progress ledger. A segment with no record has not been started. */
public enum SegmentStatus {
    IN_PROGRESS, DONE, FAILED
}
