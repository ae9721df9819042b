package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SeederHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    @Test
    void outcomeLine_whenTheRunWasSeeded_isOneJsonObjectWithTheRunSegmentsSentAndDuration() throws Exception {
        String written = SeederHandler.outcomeLine(new SeedResult("run-1", 1_000, 1_000, false,
                Duration.ofMillis(2_345)), NOW);

        assertThat(written.lines()).hasSize(1);
        JsonNode line = JSON.readTree(written);
        assertThat(line.get("timestamp").asText()).isEqualTo("2025-06-01T12:00:00Z");
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("message").asText()).isEqualTo("Run run-1 seeded: 1000 segment messages sent");
        assertThat(line.get("outcome").asText()).isEqualTo("seeded");
        assertThat(line.get("runId").asText()).isEqualTo("run-1");
        assertThat(line.get("totalSegments").asInt()).isEqualTo(1_000);
        assertThat(line.get("messagesSent").asLong()).isEqualTo(1_000);
        assertThat(line.get("alreadySeeded").asBoolean()).isFalse();
        assertThat(line.get("durationMs").asLong()).isEqualTo(2_345);
    }

    @Test
    void outcomeLine_whenARetryFoundTheRunSeeded_saysNothingWasSent() throws Exception {
        JsonNode line = JSON.readTree(SeederHandler.outcomeLine(new SeedResult("run-1", 8, 0, true, Duration.ZERO), NOW));

        assertThat(line.get("outcome").asText()).isEqualTo("already-seeded");
        assertThat(line.get("messagesSent").asLong()).isZero();
        assertThat(line.get("message").asText()).isEqualTo("Run run-1 was already seeded; nothing sent");
    }
}
