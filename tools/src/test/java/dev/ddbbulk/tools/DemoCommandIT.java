package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.testing.TestProcessors;
import dev.ddbbulk.tools.output.ExitCodes;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The demo starts its own embedded services (that is part of what it does), so it needs no fixture. */
class DemoCommandIT {

    @Test
    void demo_whenDefaultCopy_processesEveryItemAndVerifies() {
        Cli result = Cli.run("demo", "--items", "3000", "--segments", "30", "--workers", "3", "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(3000);
        assertThat(summary.get("itemsWritten").asLong()).isEqualTo(3000);
        assertThat(summary.get("itemsSkipped").asLong()).isZero();
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(30);
        assertThat(summary.get("totalSegments").asInt()).isEqualTo(30);
        assertThat(summary.get("dlqMessages").asInt()).isZero();
        assertThat(summary.get("verified").asBoolean()).isTrue();
        assertThat(summary.has("continuations")).isTrue();
        assertThat(summary.get("elapsedMs").asLong()).isPositive();
    }

    @Test
    void demo_whenTimeBudgetIsTiny_continuesSegmentsAndProcessesEveryItemExactlyOnce() {
        TestProcessors.Counting.forget(TestProcessors.Counting.NO_SOURCE);

        // A budget of 1 ms has run out before an invocation's first page is written (a receive, a claim, a scan
        // and a write on their own take longer), so every invocation writes one page and hands its segment on.
        Cli result = Cli.run("demo", "--items", "2000", "--segments", "4", "--workers", "2", "--page-size", "25",
                "--time-budget", "1ms", "--processor", TestProcessors.Counting.class.getName(), "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        // 2,000 items are at least 80 pages of 25; each of the 4 segments continues after every page but its last.
        assertThat(summary.get("continuations").asLong()).isGreaterThanOrEqualTo(2000 / 25 - 4);
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(2000);
        assertThat(summary.get("itemsWritten").asLong()).isEqualTo(2000);
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(4);
        assertThat(summary.get("verified").asBoolean()).isTrue();
        // The demo's items carry no source attribute: they are counted under NO_SOURCE.
        Map<String, Integer> timesProcessed = TestProcessors.Counting.timesProcessed(TestProcessors.Counting.NO_SOURCE);
        assertThat(timesProcessed).hasSize(2000);
        assertThat(timesProcessed.values()).containsOnly(1);
    }

    @Test
    void demo_whenStampInPlace_updatesEveryItem() {
        Cli result = Cli.run("demo", "--items", "1000", "--segments", "7", "--workers", "2",
                "--processor", "stamp", "--destination", DemoCommand.SOURCE, "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.json().get("itemsWritten").asLong()).isEqualTo(1000);
        assertThat(result.json().get("verified").asBoolean()).isTrue();
    }

    @Test
    void demo_whenProcessorThrowsOnOneItem_sendsOnlyThatSegmentToTheDlqAndExitsNonZero() {
        Cli result = Cli.run("demo", "--items", "1000", "--segments", "10", "--workers", "2",
                "--processor", TestProcessors.PoisonSortKey.class.getName(), "--max-receive-count", "2",
                "--retry-delay", "1s", "--json");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.SEGMENTS_FAILED);
        JsonNode summary = result.json();
        assertThat(summary.get("dlqMessages").asInt()).isEqualTo(1);
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(9);
        assertThat(summary.get("failedSegments")).isEmpty();
        assertThat(summary.get("segmentsDeadLettered").asInt()).isEqualTo(1);
        JsonNode failed = summary.get("deadLetteredSegments").get(0);
        assertThat(failed.get("lastError").asText())
                .contains("poison item sk=" + TestProcessors.PoisonSortKey.SORT_KEY);
        assertThat(failed.get("attempts").asInt()).isEqualTo(2);
        assertThat(result.err()).contains("DEAD       segment " + failed.get("segment").asInt());
        assertThat(summary.get("status").asText()).isEqualTo("SEGMENTS_FAILED");
    }

    @Test
    void demo_whenDryRun_countsWhatWouldBeWrittenAndWritesNothing() {
        Cli result = Cli.run("demo", "--items", "500", "--segments", "5", "--workers", "2", "--dry-run", "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("dryRun").asBoolean()).isTrue();
        assertThat(summary.get("itemsWritten").asLong()).isEqualTo(500);
        // Verification of a dry run: the destination must still be empty.
        assertThat(summary.get("verified").asBoolean()).isTrue();
        assertThat(result.err()).contains("DRY RUN");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--segments|0|TotalSegments must be between 1 and 1000000, got 0",
        "--segments|1000001|TotalSegments must be between 1 and 1000000, got 1000001",
        "--workers|0|ParallelLambdaFunctions must be between 1 and 10000, got 0",
        "--rate|0|RateLimiter must be a positive number of items/s per worker or -1 for unlimited, got 0",
    })
    void demo_whenParameterIsOutOfRange_failsWithOneLineAndExitCode2BeforeStartingAnything(
            String option, String value, String message) {
        Cli result = Cli.run("demo", option, value, "--json");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("ddb-bulk: " + message);
        assertThat(result.err().strip().lines()).hasSize(1);
        assertThat(result.err()).doesNotContain("Starting DynamoDB Local");
    }
}
