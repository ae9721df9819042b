package dev.ddbbulk.core.ledger;

/** A segment's state in the progress ledger. A segment with no record has not been started. */
public enum SegmentStatus {
    /** A range split off a segment, recorded before its message was sent, and not claimed yet. */
    PENDING,
    IN_PROGRESS,
    DONE,
    /** Its last delivery failed; the queue will deliver it again. */
    FAILED,
    /** Its last delivery failed on the queue's last receive: its message went to the dead-letter queue. */
    DEAD_LETTERED
}
