package dev.ddbbulk.seeder.progress;

import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.RunRecord;
import java.time.Duration;
import java.time.Instant;

/**
 * One look at a run from the deployed state machine's polling loop: the ledger's run record plus the
 * depths of the segment queue and its dead-letter queue, and the verdict they give: done, failed with
 * dead-lettered segments, stalled with segments nobody holds, or still going (and when to look again).
 * Pure, so the Lambda, the CLI and the tests share one verdict.
 *
 * <p>A run that is not done but has nothing left on the segment queue is idle: no worker can finish it.
 * SQS's counts are approximate and lag, so an idle run is failed or stalled only once enough consecutive
 * checks agree.
 *
 * @param run         the run record; its counts cover completed segments only
 * @param queue       the segment queue
 * @param deadLetters the dead-letter queue
 * @param idleChecks  consecutive checks, this one included, that found the run idle
 * @param elapsed     time since the run was started
 */
public record ProgressCheck(RunRecord run, QueueDepth queue, QueueDepth deadLetters, int idleChecks,
                            Duration elapsed) {
    /** Consecutive idle checks before dead-lettered segments fail the run. */
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
    public static ProgressCheck of(RunRecord run, QueueDepth queue, QueueDepth deadLetters,
                                   int previousIdleChecks, Instant now) {
        Duration elapsed = run.createdAt() == null || now.isBefore(run.createdAt())
                ? Duration.ZERO : Duration.between(run.createdAt(), now);
        boolean idle = !run.complete() && queue.total() == 0;
        return new ProgressCheck(run, queue, deadLetters, idle ? Math.max(0, previousIdleChecks) + 1 : 0, elapsed);
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

    public long dlqMessages() {
        return deadLetters.total();
    }

    public boolean done() {
        return run.complete();
    }

    /** Not done, nothing left on the segment queue: no worker will finish the run. */
    public boolean idle() {
        return !done() && inFlight() == 0;
    }

    /** Idle with segments in the dead-letter queue, as seen by this check alone. */
    public boolean deadLettered() {
        return idle() && dlqMessages() > 0;
    }

    /** Dead-lettered, and confirmed by enough consecutive checks to trust SQS's approximate counts. */
    public boolean failed() {
        return deadLettered() && idleChecks >= CONFIRMATIONS;
    }

    /**
     * Idle with nothing dead-lettered either, confirmed: some segments' messages are gone (purged,
     * expired) although the ledger has not seen them complete, so waiting longer cannot help.
     */
    public boolean stalled() {
        return idle() && dlqMessages() == 0 && idleChecks >= STALL_CONFIRMATIONS;
    }

    /** Seconds to wait before the next check. */
    public int nextPollSeconds() {
        if (elapsed.compareTo(FAST_POLLING) < 0) {
            return FAST_POLL_SECONDS;
        }
        return elapsed.compareTo(MEDIUM_POLLING) < 0 ? MEDIUM_POLL_SECONDS : SLOW_POLL_SECONDS;
    }
}
