package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.seeder.progress.QueueDepth;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressHandlerTest {
    private static final String QUEUE = "https://sqs.example/segments";
    private static final Instant STARTED = Instant.parse("2025-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(STARTED.plusSeconds(120), ZoneOffset.UTC);

    private final Map<String, RunRecord> ledger = new HashMap<>();
    private final Map<String, Long> deadLettered = new HashMap<>();
    private final Map<String, QueueDepth> queues = new HashMap<>();
    private final ProgressHandler handler = new ProgressHandler(id -> Optional.ofNullable(ledger.get(id)),
            id -> deadLettered.getOrDefault(id, 0L), url -> queues.getOrDefault(url, QueueDepth.EMPTY), QUEUE, CLOCK);

    @Test
    void handleRequest_whenSegmentsRemain_reportsCountsAndKeepsPolling() {
        ledger.put("run-1", run("run-1", 10, 4, new Counts(400, 385, 0, 10, 2, 5), 3));
        queues.put(QUEUE, new QueueDepth(5, 1, 0));

        Map<String, Object> output = handler.handleRequest(Map.of("runId", "run-1"), null);

        assertThat(output).containsEntry("runId", "run-1")
                .containsEntry("totalSegments", 10)
                .containsEntry("segmentsCompleted", 4L)
                .containsEntry("itemsScanned", 400L)
                .containsEntry("itemsWritten", 385L)
                .containsEntry("itemsDeleted", 0L)
                .containsEntry("itemsSkipped", 10L)
                .containsEntry("conditionalFailures", 2L)
                .containsEntry("itemsAlreadyApplied", 5L)
                .containsEntry("continuations", 3L)
                .containsEntry("inFlight", 6L)
                .containsEntry("segmentsDeadLettered", 0L)
                .containsEntry("idleChecks", 0)
                .containsEntry("waitSeconds", 30)
                .containsEntry("done", false)
                .containsEntry("failed", false)
                .containsEntry("stalled", false);
    }

    @Test
    void handleRequest_whenEverySegmentCompleted_isDone() {
        ledger.put("run-1", run("run-1", 10, 10, new Counts(1000, 1000, 0, 0, 0), 0));
        deadLettered.put("an-earlier-run", 3L);

        Map<String, Object> output = handler.handleRequest(Map.of("runId", "run-1"), null);

        assertThat(output).containsEntry("done", true).containsEntry("failed", false);
    }

    @Test
    void handleRequest_whenTheOtherSegmentsAreDoneAndOneIsDeadLettered_failsAtOnce() {
        ledger.put("run-1", run("run-1", 10, 9, Counts.ZERO, 0));
        deadLettered.put("run-1", 1L);
        queues.put(QUEUE, new QueueDepth(40, 3, 0));

        Map<String, Object> output = handler.handleRequest(Map.of("runId", "run-1"), null);

        assertThat(output).containsEntry("failed", true).containsEntry("stalled", false)
                .containsEntry("segmentsDeadLettered", 1L).containsEntry("inFlight", 43L);
    }

    @Test
    void handleRequest_whenDeadLetteredAndNothingIsInFlightButSegmentsAreUnaccountedFor_failsOnTheSecondCheck() {
        ledger.put("run-1", run("run-1", 10, 8, Counts.ZERO, 0));
        deadLettered.put("run-1", 1L);

        Map<String, Object> first = handler.handleRequest(Map.of("runId", "run-1"), null);
        assertThat(first).containsEntry("failed", false).containsEntry("idleChecks", 1).containsEntry("inFlight", 0L);

        // The state machine passes the previous output back in.
        Map<String, Object> second = handler.handleRequest(first, null);
        assertThat(second).containsEntry("failed", true).containsEntry("stalled", false).containsEntry("idleChecks", 2);
    }

    @Test
    void handleRequest_whenSegmentsAreDeadLetteredButOthersAreStillQueued_keepsPolling() {
        ledger.put("run-1", run("run-1", 10, 5, Counts.ZERO, 0));
        queues.put(QUEUE, new QueueDepth(0, 4, 0));
        deadLettered.put("run-1", 1L);

        Map<String, Object> output = handler.handleRequest(Map.of("runId", "run-1", "idleChecks", 1), null);

        assertThat(output).containsEntry("failed", false).containsEntry("idleChecks", 0);
    }

    @Test
    void handleRequest_whenNothingIsQueuedOrDeadLetteredButSegmentsRemain_stallsOnTheThirdCheck() {
        ledger.put("run-1", run("run-1", 10, 7, Counts.ZERO, 0));

        Map<String, Object> output = Map.of("runId", "run-1");
        for (int check = 1; check <= 2; check++) {
            output = handler.handleRequest(output, null);
            assertThat(output).containsEntry("idleChecks", check).containsEntry("stalled", false);
        }
        assertThat(handler.handleRequest(output, null)).containsEntry("stalled", true).containsEntry("failed", false);
    }

    @Test
    void handleRequest_acceptsTheSeedersRunIdFieldName() {
        ledger.put("run-1", run("run-1", 1, 0, Counts.ZERO, 0));

        assertThat(handler.handleRequest(Map.of("RunId", "run-1"), null)).containsEntry("runId", "run-1");
    }

    @Test
    void handleRequest_whenTheRunIsUnknown_namesIt() {
        assertThatThrownBy(() -> handler.handleRequest(Map.of("runId", "nope"), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'nope'");
    }

    @Test
    void handleRequest_withoutARunId_saysWhatIsMissing() {
        assertThatThrownBy(() -> handler.handleRequest(Map.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runId");
    }

    private static RunRecord run(String id, int totalSegments, long completed, Counts counts, long continuations) {
        JobConfig job = JobConfig.builder().sourceTable("source").totalSegments(totalSegments).build();
        return new RunRecord(id, job, STARTED, STARTED, completed, counts, continuations);
    }
}
