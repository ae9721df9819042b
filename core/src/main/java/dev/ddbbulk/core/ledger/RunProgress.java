package dev.ddbbulk.core.ledger;

import java.util.List;

/**
 * A run's progress read from the ledger: the run record plus every started segment, so counts include
 * the checkpointed pages of segments still running or failed.
 *
 * @param failedSegments       segments (and ranges) whose last delivery failed and that the queue will deliver again
 * @param deadLetteredSegments segments (and ranges) whose last delivery failed on the queue's last receive
 * @param scannedAwaitingRanges segments whose own scan is done while ranges split off them are not
 */
public record RunProgress(RunRecord run, int segmentsStarted, int segmentsInProgress, Counts counts,
                          long continuations, List<SegmentRecord> failedSegments,
                          List<SegmentRecord> deadLetteredSegments, int scannedAwaitingRanges) {
    public int totalSegments() {
        return run.job().totalSegments();
    }

    /** Segments done: their own scan and every range split off them. */
    public long segmentsCompleted() {
        return run.segmentsCompleted() - scannedAwaitingRanges;
    }

    /** Every segment and range is done or dead-lettered: nothing more happens until the dead letters are redriven. */
    public boolean settled() {
        return run.settledWith(deadLetteredSegments.size());
    }
}
