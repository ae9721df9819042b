package dev.ddbbulk.core.ledger;

import dev.ddbbulk.core.job.JobConfig;
import java.time.Instant;

/**
 * A run's row in the progress ledger. Its counts are the sums over completed segments only, added in
 * the same transaction that marks a segment done, so they are exact however often messages are delivered.
 *
 * @param segmentsCompleted segments whose own scan is done (their ranges may still be at work)
 * @param rangesCreated     sort-key ranges split off the run's segments so far
 * @param rangesCompleted   those of them done
 */
public record RunRecord(String runId, JobConfig job, Instant createdAt, Instant seededAt,
                        long segmentsCompleted, Counts completedCounts, long continuations,
                        long rangesCreated, long rangesCompleted) {

    public RunRecord(String runId, JobConfig job, Instant createdAt, Instant seededAt, long segmentsCompleted,
                     Counts completedCounts, long continuations) {
        this(runId, job, createdAt, seededAt, segmentsCompleted, completedCounts, continuations, 0, 0);
    }

    public boolean seeded() {
        return seededAt != null;
    }

    /**
     * Every segment's scan and every range split off one is done. A split is recorded before its segment's
     * scan goes on, so once every scan is done the run knows all its ranges.
     */
    public boolean complete() {
        return segmentsCompleted >= job.totalSegments() && rangesCompleted >= rangesCreated;
    }

    /**
     * Every segment and every range is done or one of the {@code deadLettered} (segments and ranges): nothing
     * more happens until the dead letters are redriven.
     */
    public boolean settledWith(long deadLettered) {
        return segmentsCompleted + rangesCompleted + deadLettered >= job.totalSegments() + rangesCreated;
    }
}
