package dev.ddbbulk.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.tools.output.ExitCodes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's output, not its speed: speed targets are the bench's own business, never a test's. */
class BenchCommandIT {
    private static final List<String> RATES = List.of("rawBatchItemsPerSecond", "rawPutItemsPerSecond",
            "rawConditionalPutItemsPerSecond", "rawConditionalPutInFlightItemsPerSecond", "pipelineBatchItemsPerSecond",
            "pipelineConditionalItemsPerSecond", "seederMessagesPerSecond", "rawSendMessagesPerSecond");

    @Test
    void bench_whenTiny_reportsEveryFigureAndRatiosAsQuotientsOfTheReportedRates() {
        BenchCli result = BenchCli.run("--rounds", "1", "--items", "500", "--segments", "10", "--workers", "2",
                "--seeder-segments", "2000", "--empty-segments", "50", "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode json = result.json();
        for (String rate : RATES) {
            assertThat(json.get(rate).isNumber()).as(rate + " in " + json).isTrue();
            assertThat(json.get(rate).asDouble()).as(rate).isPositive();
        }
        for (String figure : List.of("seederPeakHeapMb", "emptySegmentMs", "workerPeakHeapMbSmall",
                "workerPeakHeapMbLarge", "batchRatio", "conditionalRatio", "seederRatio")) {
            assertThat(json.get(figure).isNumber()).as(figure + " in " + json).isTrue();
            assertThat(json.get(figure).asDouble()).as(figure).isPositive();
        }
        assertThat(json.get("batchRatio").asDouble()).isCloseTo(json.get("pipelineBatchItemsPerSecond").asDouble()
                / json.get("rawBatchItemsPerSecond").asDouble(), within(0.001));
        assertThat(json.get("conditionalRatio").asDouble()).isCloseTo(
                json.get("pipelineConditionalItemsPerSecond").asDouble() / json.get("rawPutItemsPerSecond").asDouble(),
                within(0.001));
        assertThat(json.get("seederRatio").asDouble()).isCloseTo(json.get("seederMessagesPerSecond").asDouble()
                / json.get("rawSendMessagesPerSecond").asDouble(), within(0.001));
        assertThat(json.get("conditionalPipelineRatio").asDouble()).isCloseTo(
                json.get("pipelineConditionalItemsPerSecond").asDouble()
                        / json.get("rawConditionalPutItemsPerSecond").asDouble(), within(0.001));
        assertThat(json.get("inFlightCostRatio").asDouble()).isCloseTo(
                json.get("rawConditionalPutInFlightItemsPerSecond").asDouble()
                        / json.get("rawConditionalPutItemsPerSecond").asDouble(), within(0.001));
        assertThat(json.get("conditionalInFlightPipelineRatio").asDouble()).isCloseTo(
                json.get("pipelineConditionalItemsPerSecond").asDouble()
                        / json.get("rawConditionalPutInFlightItemsPerSecond").asDouble(), within(0.001));
        // workers x writes in flight threads: 2 x 16 puts in flight, as the pipeline keeps
        assertThat(result.err()).contains("rawConditionalPutInFlight: 32 threads");
        // one round: its own pair's ratio is the ratio of the figures
        assertThat(json.get("batchRatioByRound")).hasSize(1);
        assertThat(json.get("batchRatioByRound").get(0).asDouble()).isCloseTo(json.get("batchRatio").asDouble(),
                within(0.002));
        assertThat(json.get("conditionalRatioByRound").get(0).asDouble())
                .isCloseTo(json.get("conditionalRatio").asDouble(), within(0.002));
        assertThat(json.get("batchRatioMedianOfRounds").asDouble())
                .isEqualTo(json.get("batchRatioByRound").get(0).asDouble());
        assertThat(json.get("conditionalRatioMedianOfRounds").asDouble())
                .isEqualTo(json.get("conditionalRatioByRound").get(0).asDouble());
        // each path's rounds with the machine's speed gauge; one pair gives no interval
        JsonNode rounds = json.get("roundsByPath");
        assertThat(rounds.get("rawBatch").get("perSecond").get(0).asDouble())
                .isEqualTo(json.get("rawBatchItemsPerSecond").asDouble());
        assertThat(rounds.get("pipelineConditional").get("sqliteCpuMsPer1000Items").get(0).asDouble()).isPositive();
        assertThat(json.get("batchRatioOfRounds").isNull()).isTrue();
        assertThat(rounds.get("rawBatch").get("sqliteBusyShare").get(0).asDouble()).isPositive().isLessThan(1.5);
        assertThat(json.get("batchSqliteBusyRatio").asDouble()).isCloseTo(
                rounds.get("pipelineBatch").get("sqliteBusyShare").get(0).asDouble()
                        / rounds.get("rawBatch").get("sqliteBusyShare").get(0).asDouble(), within(0.002));
        assertThat(result.err()).contains("Rounds in the order they ran");
        // the unrecorded warm-up round runs every copy the ratios compare, at full size
        assertThat(result.err()).contains("warmUp/rawPut ").contains("warmUp/pipelineConditional ")
                .contains("warmUp/rawBatch ").contains("warmUp/pipelineBatch ");
        assertThat(json.get("items").asInt()).isEqualTo(500);
        assertThat(json.get("workers").asInt()).isEqualTo(2);
        assertThat(json.get("segments").asInt()).isEqualTo(10);
        assertThat(json.get("seederSegments").asInt()).isEqualTo(2000);
        JsonNode machine = json.get("machine");
        assertThat(machine.get("availableProcessors").asInt()).isPositive();
        assertThat(machine.get("maxHeapMb").asLong()).isPositive();
        assertThat(machine.get("javaVersion").asText()).isNotBlank();
        assertThat(json.get("targets").has("batchRatio")).isTrue();
        assertThat(result.err()).contains("batchRatio").contains("seederRatio");
    }

    @Test
    void bench_whenMeasurementsAreSkipped_reportsThemAsNullAndRunsTheRest() {
        BenchCli result = BenchCli.run("--rounds", "1", "--items", "60", "--workers", "2", "--empty-segments", "20", "--skip",
                "warmUp,rawBatch,pipelineBatch,rawPut,rawConditionalPut,rawConditionalPutInFlight,pipelineConditional,"
                        + "workerHeap,seeder", "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode json = result.json();
        assertThat(json.get("emptySegmentMs").asDouble()).isPositive();
        for (String skipped : List.of("rawBatchItemsPerSecond", "pipelineBatchItemsPerSecond", "seederRatio",
                "batchRatio", "workerPeakHeapMbSmall", "seederPeakHeapMb", "rawConditionalPutInFlightItemsPerSecond",
                "inFlightCostRatio")) {
            assertThat(json.get(skipped).isNull()).as(skipped).isTrue();
        }
        assertThat(json.get("targets").get("batchRatio").get("met").isNull()).isTrue();
    }

    @Test
    void bench_whenSkipNamesAnUnknownMeasurement_exitsWith2BeforeStartingAnything() {
        BenchCli result = BenchCli.run("--skip", "rawBatch,nonsense", "--json");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("ddb-bulk: --skip: unknown measurement 'nonsense'");
        assertThat(result.err()).doesNotContain("Starting DynamoDB Local");
    }
}
