package dev.ddbbulk.worker.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.worker.BatchResult;
import dev.ddbbulk.worker.SegmentOutcome;
import dev.ddbbulk.worker.SegmentReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchReporterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final OutcomeLog log = new OutcomeLog(new PrintStream(out, true, StandardCharsets.UTF_8), Clock.systemUTC());
    private final List<Map<WorkerMetric, Long>> published = new ArrayList<>();
    private final List<Set<String>> publishedRunIds = new ArrayList<>();

    @Test
    void accept_writesALinePerSegmentThenPublishesTheBatchsTotalsOnce() throws Exception {
        BatchReporter reporter = new BatchReporter(log, this::record);

        reporter.accept(new BatchResult(List.of(
                report("m-1", "run-a", 0, 1, SegmentOutcome.COMPLETED, new Counts(100, 90, 5, 5, 0, 0), 2),
                report("m-2", "run-a", 1, 1, SegmentOutcome.CONTINUED, new Counts(40, 38, 0, 0, 2, 0), 0),
                report("m-3", "run-b", 0, 2, SegmentOutcome.FAILED, new Counts(10, 10, 0, 0, 0, 0), 4),
                deadLettered("m-4", "run-b", 1, 3),
                report("m-5", "run-b", 2, 1, SegmentOutcome.ALREADY_DONE, Counts.ZERO, 0))));

        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).extracting(line -> line.get("messageId").asText() + " " + line.get("outcome").asText())
                .containsExactly("m-1 completed", "m-2 continued", "m-3 failed", "m-4 dead-lettered", "m-5 already-done");
        assertThat(published).hasSize(1);
        assertThat(published.get(0)).containsExactlyInAnyOrderEntriesOf(Map.of(
                WorkerMetric.ITEMS_SCANNED, 150L,
                WorkerMetric.ITEMS_WRITTEN, 138L,
                WorkerMetric.ITEMS_DELETED, 5L,
                WorkerMetric.CONDITIONAL_CHECK_FAILURES, 2L,
                WorkerMetric.THROTTLES, 7L,
                WorkerMetric.SEGMENTS_COMPLETED, 1L,
                WorkerMetric.SEGMENTS_CONTINUED, 1L,
                WorkerMetric.SEGMENTS_FAILED, 2L,
                WorkerMetric.SEGMENTS_DEAD_LETTERED, 1L));
        assertThat(publishedRunIds).containsExactly(Set.of("run-a", "run-b"));
    }

    @Test
    void accept_whenPublishingFails_keepsTheLinesAndLeavesTheInvocationAlone() {
        BatchReporter reporter = new BatchReporter(log, (totals, runIds) -> {
            throw new IllegalStateException("metrics are down");
        });

        reporter.accept(new BatchResult(List.of(
                report("m-1", "run-a", 0, 1, SegmentOutcome.COMPLETED, new Counts(1, 1, 0, 0, 0, 0), 0))));

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(1);
    }

    private void record(Map<WorkerMetric, Long> totals, Set<String> runIds) {
        published.add(totals);
        publishedRunIds.add(runIds);
    }

    private static SegmentReport report(String messageId, String runId, int segment, int receiveCount,
                                        SegmentOutcome outcome, Counts counts, long throttles) {
        return new SegmentReport(messageId, runId, segment, 0, receiveCount, outcome, false, counts, throttles,
                Duration.ofMillis(10), outcome == SegmentOutcome.FAILED ? "IllegalStateException: boom" : null);
    }

    /** A delivery that failed on the queue's last receive. */
    private static SegmentReport deadLettered(String messageId, String runId, int segment, int receiveCount) {
        return new SegmentReport(messageId, runId, segment, 0, receiveCount, SegmentOutcome.FAILED, true, Counts.ZERO,
                1, Duration.ofMillis(10), "IllegalStateException: boom");
    }
}
