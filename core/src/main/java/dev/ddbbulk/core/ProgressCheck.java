package dev.ddbbulk.core;

import java.time.Duration;
import java.time.Instant;

/**
 * One look at a run from the deployed state machine's polling loop: the ledger's run record plus the
 * depths of the segment queue and its dead-letter queue, and the verdict they give: done, failed with
 * dead-lettered segments, or still going (and when to look again). Pure, so the Lambda, the CLI and the
 * tests share one verdict.
 *
 * <p>"Dead-lettered" alone is not failure: SQS's counts are approximate and lag, so a run fails only
 * when {@link #CONFIRMATIONS} consecutive checks agree.
 *
 * @param run              the run record; its counts cover completed segments only
 * @param queue            the segment queue
 * @param deadLetters      the dead-letter queue
 * @param deadLetterChecks consecutive checks, this one included, that found the run dead-lettered
 * @param elapsed          time since the run was started
 */
public record ProgressCheck(RunRecord run, QueueDepth queue, QueueDepth deadLetters, int deadLetterChecks,
                            Duration elapsed) {
    public static final int CONFIRMATIONS = 2;

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
     * @param previousDeadLetterChecks what the previous check returned as {@link #deadLetterChecks}, 0 at first
     */
    public static ProgressCheck of(RunRecord run, QueueDepth queue, QueueDepth deadLetters,
                                   int previousDeadLetterChecks, Instant now) {
        Duration elapsed = run.createdAt() == null || now.isBefore(run.createdAt())
                ? Duration.ZERO : Duration.between(run.createdAt(), now);
        boolean deadLettered = isDeadLettered(run, queue, deadLetters);
        return new ProgressCheck(run, queue, deadLetters,
                deadLettered ? Math.max(0, previousDeadLetterChecks) + 1 : 0, elapsed);
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

    /**
     * Not done, segments in the dead-letter queue, and nothing left on the segment queue that could still
     * finish the run: as seen by this check alone.
     */
    public boolean deadLettered() {
        return isDeadLettered(run, queue, deadLetters);
    }

    /** Dead-lettered, and confirmed by enough consecutive checks to trust SQS's approximate counts. */
    public boolean failed() {
        return deadLettered() && deadLetterChecks >= CONFIRMATIONS;
    }

    /** Seconds to wait before the next check. */
    public int nextPollSeconds() {
        if (elapsed.compareTo(FAST_POLLING) < 0) {
            return FAST_POLL_SECONDS;
        }
        return elapsed.compareTo(MEDIUM_POLLING) < 0 ? MEDIUM_POLL_SECONDS : SLOW_POLL_SECONDS;
    }

    private static boolean isDeadLettered(RunRecord run, QueueDepth queue, QueueDepth deadLetters) {
        return !run.complete() && deadLetters.total() > 0 && queue.total() == 0;
    }
}
