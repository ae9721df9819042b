package dev.ddbbulk.seeder.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.RunRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressCheckTest {
    private static final Instant STARTED = Instant.parse("2025-01-01T00:00:00Z");
    private static final QueueDepth ONE_QUEUED = new QueueDepth(1, 0, 0);

    @Test
    void of_whenEverySegmentCompleted_isDoneAndNotFailed() {
        ProgressCheck check = ProgressCheck.of(run(4, 4), 0, QueueDepth.EMPTY, 1, STARTED.plusSeconds(60));

        assertThat(check.done()).isTrue();
        assertThat(check.failed()).isFalse();
        assertThat(check.idleChecks()).isZero();
    }

    @Test
    void of_whenEverySegmentIsDoneOrDeadLettered_failsAtOnce() {
        ProgressCheck check = ProgressCheck.of(run(4, 3), 1, ONE_QUEUED, 0, STARTED);

        assertThat(check.settledWithDeadLetters()).isTrue();
        assertThat(check.failed()).isTrue();
        assertThat(check.stalled()).isFalse();
    }

    @Test
    void of_whenADeadLetteredSegmentHasOthersStillQueued_keepsGoing() {
        ProgressCheck check = ProgressCheck.of(run(4, 1), 1, ONE_QUEUED, 1, STARTED);

        assertThat(check.done()).isFalse();
        assertThat(check.failed()).isFalse();
        assertThat(check.idleChecks()).isZero();
    }

    @Test
    void of_whenAnotherRunsMessagesFillTheQueue_staysUnsettledUntilItsOwnSegmentsAre() {
        // The queue is shared: its depth says nothing about this run, its ledger does.
        ProgressCheck check = ProgressCheck.of(run(4, 4), 0, new QueueDepth(500, 20, 0), 0, STARTED);

        assertThat(check.done()).isTrue();
        assertThat(check.failed()).isFalse();
    }

    @Test
    void of_whenMessagesAreHeldByWorkersOrDelayed_countsThemInFlight() {
        ProgressCheck check = ProgressCheck.of(run(4, 1), 0, new QueueDepth(1, 2, 3), 0, STARTED);

        assertThat(check.inFlight()).isEqualTo(6);
        assertThat(check.idle()).isFalse();
    }

    @Test
    void of_whenDeadLetteredAndIdleWithSegmentsUnaccountedFor_waitsForConfirmationBeforeFailing() {
        ProgressCheck first = ProgressCheck.of(run(4, 2), 1, QueueDepth.EMPTY, 0, STARTED);

        assertThat(first.idleChecks()).isEqualTo(1);
        assertThat(first.failed()).isFalse();

        ProgressCheck second = ProgressCheck.of(run(4, 2), 1, QueueDepth.EMPTY, first.idleChecks(), STARTED);

        assertThat(second.idleChecks()).isEqualTo(ProgressCheck.CONFIRMATIONS);
        assertThat(second.failed()).isTrue();
        assertThat(second.stalled()).isFalse();
    }

    @Test
    void of_whenIdleThenQueueRefills_resetsTheConfirmation() {
        ProgressCheck check = ProgressCheck.of(run(4, 2), 1, ONE_QUEUED, 1, STARTED);

        assertThat(check.idleChecks()).isZero();
        assertThat(check.failed()).isFalse();
    }

    @Test
    void of_whenNothingQueuedAndNothingDeadLettered_isNotFailedButStallsOnceConfirmed() {
        ProgressCheck first = ProgressCheck.of(run(4, 3), 0, QueueDepth.EMPTY, 0, STARTED);
        ProgressCheck second = ProgressCheck.of(run(4, 3), 0, QueueDepth.EMPTY, first.idleChecks(), STARTED);
        ProgressCheck third = ProgressCheck.of(run(4, 3), 0, QueueDepth.EMPTY, second.idleChecks(), STARTED);

        assertThat(List.of(first, second, third)).allSatisfy(check -> {
            assertThat(check.idle()).isTrue();
            assertThat(check.failed()).isFalse();
        });
        assertThat(first.stalled()).isFalse();
        assertThat(second.stalled()).isFalse();
        assertThat(third.idleChecks()).isEqualTo(ProgressCheck.STALL_CONFIRMATIONS);
        assertThat(third.stalled()).isTrue();
    }

    @Test
    void of_whenSegmentsAreStillQueued_neverStalls() {
        ProgressCheck check = ProgressCheck.of(run(4, 3), 0, new QueueDepth(0, 1, 0), 10, STARTED);

        assertThat(check.idle()).isFalse();
        assertThat(check.idleChecks()).isZero();
        assertThat(check.stalled()).isFalse();
    }

    @Test
    void of_whenDone_isNeitherIdleNorStalled() {
        ProgressCheck check = ProgressCheck.of(run(4, 4), 0, QueueDepth.EMPTY, 10, STARTED);

        assertThat(check.idle()).isFalse();
        assertThat(check.stalled()).isFalse();
    }

    @Test
    void nextPollSeconds_slowsDownAsTheRunAges() {
        assertThat(ProgressCheck.of(run(4, 0), 0, ONE_QUEUED, 0, STARTED.plusSeconds(30))
                .nextPollSeconds()).isEqualTo(30);
        assertThat(ProgressCheck.of(run(4, 0), 0, ONE_QUEUED, 0, STARTED.plus(Duration.ofMinutes(30)))
                .nextPollSeconds()).isEqualTo(60);
        assertThat(ProgressCheck.of(run(4, 0), 0, ONE_QUEUED, 0, STARTED.plus(Duration.ofHours(5)))
                .nextPollSeconds()).isEqualTo(300);
    }

    @Test
    void nextPollSeconds_keepsTheLoopWithinTheExecutionHistoryForAWeek() {
        // Wait (2 events) + Task (5) + Choice (2) per poll; a Standard execution keeps 25,000 events.
        int eventsPerPoll = 9;
        long polls = 0;
        for (Duration t = Duration.ZERO; t.compareTo(Duration.ofDays(7)) < 0; polls++) {
            int wait = ProgressCheck.of(run(4, 0), 0, ONE_QUEUED, 0, STARTED.plus(t)).nextPollSeconds();
            t = t.plusSeconds(wait);
        }
        assertThat(polls * eventsPerPoll).isLessThan(25_000);
    }

    @Test
    void exposesTheRunsCompletedCounts() {
        ProgressCheck check = ProgressCheck.of(run(4, 2), 0, ONE_QUEUED, 0, STARTED);

        assertThat(check.runId()).isEqualTo("run-1");
        assertThat(check.totalSegments()).isEqualTo(4);
        assertThat(check.segmentsCompleted()).isEqualTo(2);
        assertThat(check.counts()).isEqualTo(new Counts(10, 8, 0, 2, 1));
    }

    private static RunRecord run(int totalSegments, long completed) {
        JobConfig job = JobConfig.builder().sourceTable("source").totalSegments(totalSegments).build();
        return new RunRecord("run-1", job, STARTED, STARTED, completed, new Counts(10, 8, 0, 2, 1), 0);
    }
}
