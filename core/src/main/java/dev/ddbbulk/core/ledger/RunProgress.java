package dev.ddbbulk.core.ledger;

import java.util.List;

/**
 * A run's progress read from the ledger: the run record plus every started segment, so counts include
 * the checkpointed pages of segments still running or failed.
 *
 * @param failedSegments       segments whose last delivery failed and that the queue will deliver again
 * @param deadLetteredSegments segments whose last delivery failed on the queue's last receive
 */
public record RunProgress(RunRecord run, int segmentsStarted, int segmentsInProgress, Counts counts,
                          long continuations, List<SegmentRecord> failedSegments,
                          List<SegmentRecord> deadLetteredSegments) {
    public int totalSegments() {
        return run.job().totalSegments();
    }

    public long segmentsCompleted() {
        return run.segmentsCompleted();
    }

    /** Every segment is done or dead-lettered: nothing more happens until the dead letters are redriven. */
    public boolean settled() {
        return segmentsCompleted() + deadLetteredSegments.size() >= totalSegments();
    }
}
