package dev.ddbbulk.core.ledger;

import dev.ddbbulk.core.job.JobConfig;
import java.time.Instant;

/**
 * A run's row in the progress ledger. Its counts are the sums over completed segments only, added in
 * the same transaction that marks a segment done, so they are exact however often messages are delivered.
 */
public record RunRecord(String runId, JobConfig job, Instant createdAt, Instant seededAt,
                        long segmentsCompleted, Counts completedCounts, long continuations) {
    public boolean seeded() {
        return seededAt != null;
    }

    public boolean complete() {
        return segmentsCompleted >= job.totalSegments();
    }
}
