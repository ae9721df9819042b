package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.tools.local.DemoData;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

@ExtendWith(EmbeddedServicesExtension.class)
class ReportCommandIT {
    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static EmbeddedEnvironment environment;

    @TempDir
    Path dir;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, SqsClient sharedSqs,
                                  EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        sqs = sharedSqs;
        environment = sharedEnvironment;
    }

    private static ProgressLedger ledger(String table) {
        ProgressLedger ledger = new ProgressLedger(dynamoDb, table, Clock.systemUTC());
        ledger.createTableIfMissing();
        return ledger;
    }

    @Test
    void report_afterALocalRun_printsTheRunsCountsAndWritesThePage() throws Exception {
        String source = environment.unique("report-src");
        String destination = environment.unique("report-dst");
        DemoData.createTable(dynamoDb, source);
        DemoData.createTable(dynamoDb, destination);
        DemoData.fill(dynamoDb, new TableValidator(dynamoDb).describe(source, "SourceTable", "--source"), 600, 200, 2);
        String ledger = environment.unique("ledger");
        String runId = environment.unique("run");
        Cli run = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--destination", destination,
                "--segments", "7", "--workers", "2", "--ledger-table", ledger, "--run-id", runId, "--json"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode summary = run.json();
        Path page = dir.resolve("report.html");

        Cli result = Cli.run(Cli.onEmbedded(environment, "report", runId, "--ledger-table", ledger,
                "--html", page.toString()));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("Run " + runId + ": COMPLETE")
                .contains("segments   7 / 7 done, 0 not started, 0 in progress, 0 failed, 0 dead-lettered")
                .contains("items      " + summary.get("itemsScanned").asLong() + " scanned, "
                        + summary.get("itemsWritten").asLong() + " written")
                .contains("redelivery " + summary.get("continuations").asLong() + " continuation(s)")
                .contains("over 7 done segment(s)")
                .contains("slowest segments")
                .contains("HTML report written to " + page);
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(600);
        String html = Files.readString(page);
        assertThat(html).contains("<h1>Run " + runId + ": COMPLETE</h1>")
                .contains("<th>Items scanned</th><td>600</td>")
                .contains("<th>Segments done</th><td>7 / 7</td>");
        try (var files = Files.list(dir)) {
            assertThat(files).as("no partial page left beside it").containsExactly(page);
        }
    }

    @Test
    void report_whenSegmentsSplitFailAndRun_countsRangesIntoTheirSegmentAndEveryState() {
        String table = environment.unique("report-ledger");
        LedgerRuns runs = new LedgerRuns(ledger(table));
        QueuePair queues = QueuePair.create(sqs, environment.unique("report-q"), 3, Duration.ofSeconds(60));
        String runId = environment.unique("run");
        runs.seed(runId, LedgerRuns.job("report-src", 6));
        runs.complete(runId, 0, new Counts(100, 100, 0, 0, 0));
        runs.completeWithRanges(runId, 1, new Counts(40, 40, 0, 0, 0), new Counts(300, 300, 0, 0, 0),
                new Counts(200, 200, 0, 0, 0));
        runs.completeWithContinuation(runId, 2, new Counts(10, 10, 0, 0, 0), new Counts(15, 15, 0, 0, 0));
        runs.inProgress(runId, 3, new Counts(30, 30, 0, 0, 0));
        runs.deadLetter(sqs, queues.dlqUrl(), runId, 4, 6, "IllegalStateException: poison item sk=9");

        Cli result = Cli.run(Cli.onEmbedded(environment, "report", runId, "--ledger-table", table));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("Run " + runId + ": INCOMPLETE")
                .contains("segments   3 / 6 done, 1 not started, 1 in progress, 0 failed, 1 dead-lettered")
                .contains("items      695 scanned")
                .contains("splits     1 segment(s) split, 2 range(s) made, 2 done")
                .contains("redelivery 1 continuation(s), 0 retries")
                .containsPattern("items\\s+25\\s+100\\s+540\\s+540\\s+540")
                .containsPattern("\\s1\\s+540\\s+\\S+\\s+0\\s+0\\s+2\\n")
                .contains("DEAD       segment 4 after ")
                .contains("IllegalStateException: poison item sk=9")
                .doesNotContain("HTML report");

        Cli json = Cli.run(Cli.onEmbedded(environment, "report", runId, "--ledger-table", table, "--json"));

        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode report = json.json();
        assertThat(report.get("state").asText()).isEqualTo("INCOMPLETE");
        assertThat(report.get("segmentsDone").asInt()).isEqualTo(3);
        assertThat(report.get("segmentsDeadLettered").asInt()).isEqualTo(1);
        assertThat(report.get("itemsScanned").asLong()).isEqualTo(695);
        assertThat(report.get("rangesCreated").asLong()).isEqualTo(2);
        assertThat(report.get("itemsPerSegment").get("max").asLong()).isEqualTo(540);
        assertThat(report.get("slowestSegments").get(0).has("durationMs")).isTrue();
        assertThat(report.get("deadLetteredSegments").get(0).get("segment").asInt()).isEqualTo(4);
    }

    @Test
    void report_fromAStack_readsTheStacksLedger() {
        String table = environment.unique("report-ledger");
        LedgerRuns runs = new LedgerRuns(ledger(table));
        String runId = environment.unique("run");
        runs.seed(runId, LedgerRuns.job("report-src", 1));
        runs.complete(runId, 0, new Counts(9, 9, 0, 0, 0));
        var cloudFormation = new StubCloudFormation("bulk", StubCloudFormation.outputsOf("bulk", table,
                "http://queue", "http://dlq"), Map.of());

        Cli result = Cli.runCommand(new ReportCommand(cloudFormation, Clock.systemUTC()),
                Cli.onEmbedded(environment, runId, "--stack", "bulk"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("Run " + runId + ": COMPLETE").contains("items      9 scanned");
    }

    @Test
    void report_whenRunIsNotInTheLedger_exits2NamingTheRunAndTheLedger() {
        String table = environment.unique("report-ledger");
        ledger(table);
        Path page = dir.resolve("report.html");

        Cli result = Cli.run(Cli.onEmbedded(environment, "report", "no-such-run", "--ledger-table", table,
                "--html", page.toString()));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: Run 'no-such-run' is not in ledger " + table
                + "; check the run id and the ledger table");
        assertThat(result.out()).isEmpty();
        assertThat(page).doesNotExist();
    }

    @Test
    void report_whenHtmlFolderDoesNotExist_exits2InOneLineBeforeReadingTheLedger() {
        Path page = dir.resolve("missing").resolve("report.html");

        Cli result = Cli.run(Cli.onEmbedded(environment, "report", "any-run", "--ledger-table", "no-such-ledger",
                "--html", page.toString()));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: --html " + page + ": folder " + page.getParent()
                + " does not exist; create it or give another path");
        assertThat(result.out()).isEmpty();
        assertThat(page.getParent()).doesNotExist();
    }

    @Test
    void report_whenHtmlIsAFolder_exits2InOneLine() {
        Cli result = Cli.run(Cli.onEmbedded(environment, "report", "any-run", "--ledger-table", "no-such-ledger",
                "--html", dir.toString()));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).startsWith("ddb-bulk: --html " + dir + " is a folder;").doesNotContain("\n");
    }

    @Test
    void report_whenNeitherStackNorLedgerIsGiven_exits2AskingForOne() {
        Cli result = Cli.run(Cli.onEmbedded(environment, "report", "any-run"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: Give --stack NAME, or --ledger-table TABLE for a run"
                + " outside a stack; not both");
    }
}
