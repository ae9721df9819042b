package dev.ddbbulk.seeder.progress;

import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.RunRecord;
import java.time.Duration;
import java.time.Instant;

/**
 * One look at a run from the deployed state machine's polling loop: the ledger's run record and the run's
 * dead-lettered segments, with the depth of the segment queue, and the verdict they give: done, failed with
 * dead-lettered segments, stalled with segments nobody holds, or still going (and when to look again).
 * Pure, so the Lambda, the CLI and the tests share one verdict.
 *
 * <p>Done and failed come from the run's own ledger records, so runs that share a stack's queues do not
 * mask each other, and dead letters of an earlier run do not fail a later one. A run whose every segment is
 * done or dead-lettered has failed at once. The queue only tells a stall: a run that is not settled while
 * the segment queue is empty is idle, and no worker can finish it. That holds for every run on the queue;
 * SQS's counts are approximate and lag, so an idle run is failed or stalled only once enough consecutive
 * checks agree.
 *
 * @param run          the run record; its counts cover completed segments only
 * @param deadLettered the run's segments and ranges that are dead-lettered now, from the ledger
 * @param queue        the segment queue
 * @param idleChecks   consecutive checks, this one included, that found the run idle
 * @param elapsed      time since the run was started
 */
public record ProgressCheck(RunRecord run, long deadLettered, QueueDepth queue, int idleChecks,
                            Duration elapsed) {
    /** Consecutive idle checks before dead-lettered segments fail a run that has segments unaccounted for. */
    public static final int CONFIRMATIONS = 2;
    /** Consecutive idle checks, with nothing dead-lettered either, before the run counts as stalled. */
    public static final int STALL_CONFIRMATIONS = 3;

    /**
     * Polling quickly at first so that short jobs finish promptly, then slowly so that a long job stays
     * within a Standard execution's 25,000 history events (about nine days of polling).
     */
    static final Duration FAST_POLLING = Duration.ofMinutes(10);
    static final Duration MEDIUM_POLLING = Duration.ofHours(2);
    static final int FAST_POLL_SECONDS = 30;
    static final int MEDIUM_POLL_SECONDS = 60;
    static final int SLOW_POLL_SECONDS = 300;

    /**
     * @param previousIdleChecks what the previous check returned as {@link #idleChecks}, 0 at first
     */
    public static ProgressCheck of(RunRecord run, long deadLettered, QueueDepth queue, int previousIdleChecks,
                                   Instant now) {
        Duration elapsed = run.createdAt() == null || now.isBefore(run.createdAt())
                ? Duration.ZERO : Duration.between(run.createdAt(), now);
        boolean idle = !run.complete() && queue.total() == 0;
        return new ProgressCheck(run, deadLettered, queue, idle ? Math.max(0, previousIdleChecks) + 1 : 0, elapsed);
    }

    public String runId() {
        return run.runId();
    }

    public int totalSegments() {
        return run.job().totalSegments();
    }

    public long segmentsCompleted() {
        return run.segmentsCompleted();
    }

    public Counts counts() {
        return run.completedCounts();
    }

    /** Messages still on the segment queue: waiting, being worked, or delayed. */
    public long inFlight() {
        return queue.total();
    }


    public boolean done() {
        return run.complete();
    }

    /** Not done, nothing left on the segment queue: no worker will finish the run. */
    public boolean idle() {
        return !done() && inFlight() == 0;
    }

    /**
     * Every segment and every range split off one is done or dead-lettered, some dead-lettered: nothing more
     * happens without a redrive.
     */
    public boolean settledWithDeadLetters() {
        return !done() && deadLettered > 0 && run.settledWith(deadLettered);
    }

    /**
     * Failed: settled with dead letters, or idle with dead letters and confirmed by enough consecutive checks
     * to trust SQS's approximate counts (the other segments' messages are gone).
     */
    public boolean failed() {
        return settledWithDeadLetters() || (idle() && deadLettered > 0 && idleChecks >= CONFIRMATIONS);
    }

    /**
     * Idle with nothing dead-lettered either, confirmed: some segments' messages are gone (purged,
     * expired, or dead-lettered by a worker that died on the last receive) although the ledger has not seen
     * them complete, so waiting longer cannot help.
     */
    public boolean stalled() {
        return idle() && deadLettered == 0 && idleChecks >= STALL_CONFIRMATIONS;
    }

    /** Seconds to wait before the next check. */
    public int nextPollSeconds() {
        if (elapsed.compareTo(FAST_POLLING) < 0) {
            return FAST_POLL_SECONDS;
        }
        return elapsed.compareTo(MEDIUM_POLLING) < 0 ? MEDIUM_POLL_SECONDS : SLOW_POLL_SECONDS;
    }
}
