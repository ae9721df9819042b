package dev.ddbbulk.core.ledger;

import java.util.List;

/**
 * A run's progress read from the ledger: the run record plus every started segment, so counts include
 * the checkpointed pages of segments still running or failed.
 */
public record RunProgress(RunRecord run, int segmentsStarted, int segmentsInProgress, Counts counts,
                          long continuations, List<SegmentRecord> failedSegments) {
    public int totalSegments() {
        return run.job().totalSegments();
    }

    public long segmentsCompleted() {
        return run.segmentsCompleted();
    }
}
