package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.tools.local.DemoData;
import dev.ddbbulk.tools.output.ExitCodes;
import java.time.Clock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code --segments auto}, the default of {@code run} and {@code estimate}, against DynamoDB Local, whose ItemCount
 * is up to date at once: 1,500 items in pages of 100 are 15 pages, which 3 workers get as 12 segments (4 each).
 */
@ExtendWith(EmbeddedServicesExtension.class)
class AutoSegmentsIT {
    private static final int ITEMS = 1500;

    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static EmbeddedEnvironment environment;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, SqsClient sharedSqs,
                                  EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        sqs = sharedSqs;
        environment = sharedEnvironment;
    }

    private static String filledTable(String name, int items) throws InterruptedException {
        String table = environment.unique(name);
        DemoData.createTable(dynamoDb, table);
        DemoData.fill(dynamoDb, new TableValidator(dynamoDb).describe(table, "SourceTable", "--source"), items, 200, 2);
        return table;
    }

    @Test
    void estimate_whenSegmentsNotGiven_showsTheNumberAutoPicksAndEstimatesWithIt() throws Exception {
        String source = filledTable("auto-est", ITEMS);

        Cli result = Cli.run(Cli.onEmbedded(environment, "estimate", "--source", source, "--workers", "3"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines().findFirst().orElseThrow())
                .startsWith("TotalSegments: auto -> 12 (1,500 items, ")
                .contains("a segment at 1,600 items/s a worker");
        assertThat(result.out()).contains("; 12 segments, 3 workers on");
    }

    @Test
    void estimate_whenJsonAndAuto_saysWhatWasAskedAndThePickedNumber() throws Exception {
        String source = filledTable("auto-est-json", ITEMS);

        Cli result = Cli.run(Cli.onEmbedded(environment, "estimate", "--source", source, "--workers", "3",
                "--segments", "auto", "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode json = result.json();
        assertThat(json.get("segments").asInt()).isEqualTo(12);
        assertThat(json.get("segmentsRequested").asText()).isEqualTo("auto");
        assertThat(json.get("segmentsBasis").asText()).isEqualTo("SIZED");
    }

    @Test
    void estimate_whenANumberIsGiven_showsItAsGiven() throws Exception {
        String source = filledTable("auto-est-given", ITEMS);

        Cli result = Cli.run(Cli.onEmbedded(environment, "estimate", "--source", source, "--segments", "7"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("TotalSegments: 7" + System.lineSeparator());
    }

    @Test
    void run_whenSegmentsNotGiven_printsThePickedNumberAndTheLedgerRecordsIt() throws Exception {
        String source = filledTable("auto-run", ITEMS);
        String ledger = environment.unique("ledger");

        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--workers", "3",
                "--ledger-table", ledger, "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).contains("  TotalSegments: auto -> 12 (1,500 items, ");
        JsonNode summary = result.json();
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(12);
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(ITEMS);
        assertThat(new ProgressLedger(dynamoDb, ledger, Clock.systemUTC()).findRun(summary.get("runId").asText())
                .orElseThrow().job().totalSegments()).isEqualTo(12);
    }

    @Test
    void run_whenAutoNamesARunAlreadyInTheLedger_keepsTheRunsNumberThoughTheTableGrew() throws Exception {
        String source = filledTable("auto-again", 300);
        String ledger = environment.unique("ledger");
        String runId = environment.unique("run");
        Cli first = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--workers", "3",
                "--segments", "5", "--run-id", runId, "--ledger-table", ledger, "--json"));
        assertThat(first.exitCode()).as(first.err()).isZero();
        // 1,500 items would size to 12 segments now.
        DemoData.fill(dynamoDb, new TableValidator(dynamoDb).describe(source, "SourceTable", "--source"), ITEMS, 200, 2);

        Cli again = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--workers", "3",
                "--run-id", runId, "--ledger-table", ledger, "--json"));

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).contains("  TotalSegments: auto -> 5 (the number the run was started with)");
        assertThat(again.json().get("segmentsCompleted").asInt()).isEqualTo(5);
        assertThat(new ProgressLedger(dynamoDb, ledger, Clock.systemUTC()).findRun(runId).orElseThrow().job()
                .totalSegments()).isEqualTo(5);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "lots|ddb-bulk: TotalSegments must be auto or a whole number between 1 and 1000000, got 'lots'; set"
                + " --segments / TotalSegments to auto or a number in that range",
        "0|ddb-bulk: TotalSegments must be between 1 and 1000000, got 0; set --segments / TotalSegments within that"
                + " range, or to auto"})
    void run_whenSegmentsAreNeitherAutoNorInRange_exits2WithOneLineAndWritesNothing(String segments, String message) throws Exception {
        String source = filledTable("auto-bad", 10);
        String ledger = environment.unique("ledger");
        int queuesBefore = sqs.listQueues().queueUrls().size();

        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--segments", segments,
                "--ledger-table", ledger));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo(message);
        assertThat(dynamoDb.listTablesPaginator().tableNames()).doesNotContain(ledger);
        assertThat(sqs.listQueues().queueUrls()).hasSize(queuesBefore);
    }
}
