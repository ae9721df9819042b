package dev.ddbbulk.worker.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.worker.SegmentOutcome;
import dev.ddbbulk.worker.SegmentReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class OutcomeLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00.123Z");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final OutcomeLog log = new OutcomeLog(new PrintStream(out, true, StandardCharsets.UTF_8),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void write_whenASegmentCompleted_writesOneJsonObjectLineWithItsRunSegmentCountsAndDuration() throws Exception {
        log.write(new SegmentReport("m-1", "run-1", 12, 2, 1, SegmentOutcome.COMPLETED, false,
                new Counts(1_000, 990, 4, 6, 0, 0), 3, Duration.ofMillis(4_321), null));

        JsonNode line = onlyLine();
        assertThat(line.get("timestamp").asText()).isEqualTo("2025-06-01T12:00:00.123Z");
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("message").asText()).isEqualTo("Segment 12 of run run-1 completed");
        assertThat(line.get("outcome").asText()).isEqualTo("completed");
        assertThat(line.get("runId").asText()).isEqualTo("run-1");
        assertThat(line.get("segment").asInt()).isEqualTo(12);
        assertThat(line.has("range")).isFalse();
        assertThat(line.get("continuation").asInt()).isEqualTo(2);
        assertThat(line.get("messageId").asText()).isEqualTo("m-1");
        assertThat(line.get("receiveCount").asInt()).isEqualTo(1);
        assertThat(line.get("itemsScanned").asLong()).isEqualTo(1_000);
        assertThat(line.get("itemsWritten").asLong()).isEqualTo(990);
        assertThat(line.get("itemsDeleted").asLong()).isEqualTo(4);
        assertThat(line.get("itemsSkipped").asLong()).isEqualTo(6);
        assertThat(line.get("conditionalCheckFailures").asLong()).isZero();
        assertThat(line.get("itemsAlreadyApplied").asLong()).isZero();
        assertThat(line.get("throttles").asLong()).isEqualTo(3);
        assertThat(line.get("durationMs").asLong()).isEqualTo(4_321);
        assertThat(line.get("error").isNull()).isTrue();
    }

    @Test
    void write_whenARangeSplitOffASegmentCompleted_namesTheRange() throws Exception {
        log.write(new SegmentReport("m-9", "run-1", 12, 0, 1, SegmentOutcome.COMPLETED, false,
                new Counts(100, 100, 0, 0, 0, 0), 0, Duration.ofMillis(10), null, 3));

        JsonNode line = onlyLine();
        assertThat(line.get("message").asText()).isEqualTo("Range 3 of segment 12 of run run-1 completed");
        assertThat(line.get("segment").asInt()).isEqualTo(12);
        assertThat(line.get("range").asInt()).isEqualTo(3);
    }

    @Test
    void write_whenADeliveryFailed_saysWhyAtLevelWarn() throws Exception {
        log.write(new SegmentReport("m-2", "run-1", 3, 0, 2, SegmentOutcome.FAILED, false,
                new Counts(50, 50, 0, 0, 7, 1), 0, Duration.ofMillis(80),
                "WriteFailedException: 25 of the page's writes stayed unprocessed"));

        JsonNode line = onlyLine();
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("outcome").asText()).isEqualTo("failed");
        assertThat(line.get("conditionalCheckFailures").asLong()).isEqualTo(7);
        assertThat(line.get("itemsAlreadyApplied").asLong()).isEqualTo(1);
        assertThat(line.get("error").asText()).isEqualTo("WriteFailedException: 25 of the page's writes stayed unprocessed");
    }

    @Test
    void write_whenTheLastDeliveryFailed_saysDeadLetteredAtLevelError() throws Exception {
        log.write(new SegmentReport("m-3", "run-1", 3, 0, 3, SegmentOutcome.FAILED, true, Counts.ZERO, 0,
                Duration.ZERO, "IllegalStateException: boom"));

        JsonNode line = onlyLine();
        assertThat(line.get("level").asText()).isEqualTo("ERROR");
        assertThat(line.get("outcome").asText()).isEqualTo("dead-lettered");
        assertThat(line.get("message").asText()).isEqualTo("Segment 3 of run run-1 dead-lettered");
    }

    @Test
    void write_whenTheMessageCouldNotBeRead_namesTheMessageAndLeavesRunAndSegmentNull() throws Exception {
        log.write(new SegmentReport("garbage", null, null, 0, 1, SegmentOutcome.FAILED, false, Counts.ZERO, 0,
                Duration.ZERO, "IllegalArgumentException: not a segment message \"quoted\"\nsecond line"));

        JsonNode line = onlyLine();
        assertThat(line.get("message").asText()).isEqualTo("Message garbage failed");
        assertThat(line.get("runId").isNull()).isTrue();
        assertThat(line.get("segment").isNull()).isTrue();
        // Quotes and line breaks in an error stay inside the one line, escaped.
        assertThat(line.get("error").asText()).isEqualTo("IllegalArgumentException: not a segment message \"quoted\"\nsecond line");
    }

    @Test
    void outcomeName_namesEveryOutcomeInLowerCaseWithHyphens() {
        assertThat(OutcomeLog.outcomeName(SegmentOutcome.ALREADY_DONE)).isEqualTo("already-done");
        assertThat(OutcomeLog.outcomeName(SegmentOutcome.DUPLICATE_IN_FLIGHT)).isEqualTo("duplicate-in-flight");
        assertThat(OutcomeLog.outcomeName(SegmentOutcome.CONTINUED)).isEqualTo("continued");
    }

    /** The one line written, parsed: it must be a JSON object on a line of its own. */
    private JsonNode onlyLine() throws Exception {
        String written = out.toString(StandardCharsets.UTF_8);
        assertThat(written).endsWith(System.lineSeparator());
        assertThat(written.lines()).hasSize(1);
        JsonNode line = JSON.readTree(written);
        assertThat(line.isObject()).isTrue();
        return line;
    }
}
