package dev.ddbbulk.worker.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EmfBatchMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The library refuses timestamps more than two weeks old, so the fixed clock is near the real one. */
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private final RecordingEnvironment environment = new RecordingEnvironment();
    private final EmfBatchMetrics metrics = new EmfBatchMetrics(environment, "stack-WorkerFunction-Ab12",
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void publish_writesOneRecordWithEveryMetricAsACountUnderTheFunctionDimensionOnly() throws Exception {
        Map<WorkerMetric, Long> totals = new EnumMap<>(WorkerMetric.class);
        long value = 100;
        for (WorkerMetric metric : WorkerMetric.values()) {
            totals.put(metric, value++);
        }

        metrics.publish(totals, Set.of("run-b", "run-a"));

        assertThat(environment.records()).hasSize(1);
        JsonNode record = JSON.readTree(environment.records().get(0));
        JsonNode aws = record.get("_aws");
        assertThat(aws.get("Timestamp").asLong()).isEqualTo(NOW.toEpochMilli());
        assertThat(aws.get("CloudWatchMetrics")).hasSize(1);
        JsonNode directive = aws.get("CloudWatchMetrics").get(0);
        assertThat(directive.get("Namespace").asText()).isEqualTo("ddb-bulk");
        assertThat(directive.get("Dimensions").toString()).isEqualTo("[[\"FunctionName\"]]");
        List<String> declared = new ArrayList<>();
        directive.get("Metrics").forEach(metric -> {
            declared.add(metric.get("Name").asText());
            assertThat(metric.get("Unit").asText()).as(metric.toString()).isEqualTo("Count");
        });
        assertThat(declared).containsExactlyInAnyOrder("ItemsScanned", "ItemsWritten", "ItemsDeleted",
                "ConditionalCheckFailures", "Throttles", "SegmentsCompleted", "SegmentsContinued", "SegmentsFailed",
                "SegmentsDeadLettered");
        totals.forEach((metric, expected) ->
                assertThat(record.get(metric.metricName()).asLong()).as(metric.metricName()).isEqualTo(expected));
        assertThat(record.get("FunctionName").asText()).isEqualTo("stack-WorkerFunction-Ab12");
        assertThat(record.get("runIds")).extracting(JsonNode::asText).containsExactlyInAnyOrder("run-a", "run-b");
    }

    @Test
    void publish_whenCalledForTwoBatches_writesARecordForEachWithItsOwnValues() throws Exception {
        Map<WorkerMetric, Long> first = new EnumMap<>(WorkerMetric.class);
        first.put(WorkerMetric.ITEMS_SCANNED, 10L);
        Map<WorkerMetric, Long> second = new EnumMap<>(WorkerMetric.class);
        second.put(WorkerMetric.ITEMS_SCANNED, 7L);

        metrics.publish(first, Set.of("run-a"));
        metrics.publish(second, Set.of("run-a"));

        assertThat(environment.records()).hasSize(2);
        assertThat(JSON.readTree(environment.records().get(0)).get("ItemsScanned").asLong()).isEqualTo(10);
        assertThat(JSON.readTree(environment.records().get(1)).get("ItemsScanned").asLong()).isEqualTo(7);
    }

    @Test
    void constructor_whenTheFunctionNameIsEmpty_refusesIt() {
        assertThatThrownBy(() -> new EmfBatchMetrics(environment, "", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
