package dev.ddbbulk.worker;

/** What one delivery of a segment message came to. */
public enum SegmentOutcome {
    /** The segment's last page was written and the segment is done. */
    COMPLETED,
    /** Time ran short: progress was checkpointed and a continuation message sent. */
    CONTINUED,
    /** The segment was already done: a duplicate or late delivery, acknowledged without work. */
    ALREADY_DONE,
    /** Another delivery holds the segment's lease; this duplicate is acknowledged without work. */
    DUPLICATE_IN_FLIGHT,
    /** The delivery failed; the message is reported as a batch item failure and will be retried. */
    FAILED
}
