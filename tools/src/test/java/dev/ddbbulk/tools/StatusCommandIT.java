package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.ExitCodes;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sqs.SqsClient;

@ExtendWith(EmbeddedServicesExtension.class)
class StatusCommandIT {
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

    private static ProgressLedger ledger(String table) {
        ProgressLedger ledger = new ProgressLedger(dynamoDb, table, Clock.systemUTC());
        ledger.createTableIfMissing();
        return ledger;
    }

    @Test
    void status_whenRunIsPartlyDone_printsOneJsonObjectWithEveryFigureAndTheFailedSegment() {
        String table = environment.unique("status-ledger");
        LedgerRuns runs = new LedgerRuns(ledger(table));
        QueuePair queues = QueuePair.create(sqs, environment.unique("status-q"), 3, Duration.ofSeconds(60));
        String runId = environment.unique("run");
        runs.seed(runId, LedgerRuns.job("status-src", 5));
        runs.complete(runId, 0, new Counts(100, 87, 0, 10, 0, 3));
        runs.completeWithContinuation(runId, 1, new Counts(50, 50, 0, 0, 1), new Counts(50, 45, 5, 0, 0));
        runs.inProgress(runId, 2, new Counts(30, 30, 0, 0, 0));
        runs.fail(runId, 3, "IllegalStateException: poison item sk=7");
        runs.fail(runId, 4, "IllegalStateException: poison item sk=9");
        runs.deadLetter(sqs, queues.dlqUrl(), runId, 4, 5, "IllegalStateException: poison item sk=9");

        Cli result = Cli.run(Cli.onEmbedded(environment, "status", "--ledger-table", table,
                "--dlq-url", queues.dlqUrl(), "--run", runId, "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode status = result.json();
        assertThat(status.get("runId").asText()).isEqualTo(runId);
        assertThat(status.get("state").asText()).isEqualTo("INCOMPLETE");
        assertThat(status.get("complete").asBoolean()).isFalse();
        assertThat(status.get("segmentsCompleted").asInt()).isEqualTo(2);
        assertThat(status.get("totalSegments").asInt()).isEqualTo(5);
        assertThat(status.get("segmentsInProgress").asInt()).isEqualTo(1);
        assertThat(status.get("segmentsFailed").asInt()).isEqualTo(1);
        assertThat(status.get("segmentsDeadLettered").asInt()).isEqualTo(1);
        assertThat(status.get("itemsScanned").asLong()).isEqualTo(230);
        assertThat(status.get("itemsWritten").asLong()).isEqualTo(212);
        assertThat(status.get("itemsDeleted").asLong()).isEqualTo(5);
        assertThat(status.get("itemsSkipped").asLong()).isEqualTo(10);
        assertThat(status.get("conditionalCheckFailures").asLong()).isEqualTo(1);
        assertThat(status.get("itemsAlreadyApplied").asLong()).isEqualTo(3);
        assertThat(status.get("continuations").asLong()).isEqualTo(1);
        assertThat(status.get("elapsedMs").asLong()).isPositive();
        assertThat(status.get("itemsPerSecond").asLong()).isPositive();
        assertThat(status.get("etaSeconds").isIntegralNumber()).as(status.toString()).isTrue();
        assertThat(status.get("dlqMessages").asLong()).isEqualTo(1);
        assertThat(status.get("failedSegments")).singleElement().satisfies(failed -> {
            assertThat(failed.get("segment").asInt()).isEqualTo(3);
            assertThat(failed.get("attempts").asInt()).isEqualTo(1);
            assertThat(failed.get("lastError").asText()).isEqualTo("IllegalStateException: poison item sk=7");
        });
        assertThat(status.get("deadLetteredSegments")).singleElement().satisfies(dead -> {
            assertThat(dead.get("segment").asInt()).isEqualTo(4);
            assertThat(dead.get("lastError").asText()).isEqualTo("IllegalStateException: poison item sk=9");
        });
    }

    @Test
    void status_whenRunIsComplete_printsTextWithAllSegmentsDoneAndNoEta() {
        String table = environment.unique("status-ledger");
        LedgerRuns runs = new LedgerRuns(ledger(table));
        String runId = environment.unique("run");
        runs.seed(runId, LedgerRuns.job("status-src", 2));
        runs.complete(runId, 0, new Counts(40, 38, 0, 0, 0, 2));
        runs.complete(runId, 1, new Counts(60, 60, 0, 0, 0));

        Cli result = Cli.run(Cli.onEmbedded(environment, "status", "--ledger-table", table, "--run", runId));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("Run " + runId + ": COMPLETE")
                .contains("segments   2 / 2 completed, 0 in progress, 0 failed, 0 dead-lettered, 0 continuations")
                .contains("items      100 scanned, 98 written, 0 deleted, 0 skipped, 0 conditional-check failures,"
                        + " 2 already applied")
                .contains("ETA 0m00s")
                .contains("DLQ        not checked (give --dlq-url)")
                .doesNotContain("FAILED");
    }

    @Test
    void status_whenRunIsNotInTheLedger_exits2NamingTheRunAndTheLedger() {
        String table = environment.unique("status-ledger");
        ledger(table);

        Cli result = Cli.run(Cli.onEmbedded(environment, "status", "--ledger-table", table, "--run", "no-such-run"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: Run 'no-such-run' is not in ledger " + table
                + "; check the run id and the ledger table");
    }

    @Test
    void status_whenLedgerTableGivenWithoutRun_exits2AskingForTheRun() {
        Cli result = Cli.run(Cli.onEmbedded(environment, "status", "--ledger-table", "any-ledger"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).startsWith("ddb-bulk: --run ID is required with --ledger-table");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void status_whenStackGivenWithoutRun_showsTheLatestExecutionWithItsStatus() {
        String table = environment.unique("status-ledger");
        LedgerRuns runs = new LedgerRuns(ledger(table));
        QueuePair queues = QueuePair.create(sqs, environment.unique("status-q"), 3, Duration.ofSeconds(60));
        String older = environment.unique("run");
        String latest = environment.unique("run");
        runs.seed(older, LedgerRuns.job("status-src", 1));
        runs.seed(latest, LedgerRuns.job("status-src", 3));
        runs.complete(latest, 1, new Counts(7, 7, 0, 0, 0));
        var cloudFormation = new StubCloudFormation("bulk", StubCloudFormation.outputsOf("bulk", table,
                queues.queueUrl(), queues.dlqUrl()), Map.of());
        var sfn = new StubSfn().withExecution(older).withExecution(latest).then(ExecutionStatus.RUNNING, null, null);

        Cli result = Cli.runCommand(new StatusCommand(cloudFormation, sfn),
                Cli.onEmbedded(environment, "--stack", "bulk", "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode status = result.json();
        assertThat(status.get("runId").asText()).isEqualTo(latest);
        assertThat(status.get("state").asText()).isEqualTo("RUNNING");
        assertThat(status.get("executionArn").asText()).endsWith(":execution:bulk-machine:" + latest);
        assertThat(status.get("segmentsCompleted").asInt()).isEqualTo(1);
        assertThat(status.get("totalSegments").asInt()).isEqualTo(3);
        assertThat(status.get("dlqMessages").asLong()).isZero();
    }

    @Test
    void status_whenLatestExecutionReattachedToARun_showsThatRunWithTheLatestExecutionsStatus() {
        String table = environment.unique("status-ledger");
        LedgerRuns runs = new LedgerRuns(ledger(table));
        QueuePair queues = QueuePair.create(sqs, environment.unique("status-q"), 3, Duration.ofSeconds(60));
        String runId = environment.unique("run");
        runs.seed(runId, LedgerRuns.job("status-src", 2));
        runs.complete(runId, 0, new Counts(3, 3, 0, 0, 0));
        var cloudFormation = new StubCloudFormation("bulk", StubCloudFormation.outputsOf("bulk", table,
                queues.queueUrl(), queues.dlqUrl()), Map.of());
        var sfn = new StubSfn().withExecution(runId).withExecution(runId + "-resume-1", "{\"RunId\":\"" + runId + "\"}")
                .then(ExecutionStatus.RUNNING, null, null);

        Cli result = Cli.runCommand(new StatusCommand(cloudFormation, sfn),
                Cli.onEmbedded(environment, "--stack", "bulk", "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode status = result.json();
        assertThat(status.get("runId").asText()).isEqualTo(runId);
        assertThat(status.get("executionArn").asText()).endsWith(":" + runId + "-resume-1");
        assertThat(status.get("state").asText()).isEqualTo("RUNNING");
        assertThat(status.get("segmentsCompleted").asInt()).isEqualTo(1);
    }
}
