package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** {@code start --wait} against a scripted state machine whose run lives in the embedded ledger and DLQ. */
@ExtendWith(EmbeddedServicesExtension.class)
class StartCommandIT {
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

    /** A stack whose ledger and queues are real (embedded) and whose state machine is {@code sfn}. */
    private record Stack(StubCloudFormation cloudFormation, LedgerRuns runs, QueuePair queues) {
        static Stack create() {
            String table = environment.unique("start-ledger");
            ProgressLedger ledger = new ProgressLedger(dynamoDb, table, Clock.systemUTC());
            ledger.createTableIfMissing();
            QueuePair queues = QueuePair.create(sqs, environment.unique("start-q"), 2, Duration.ofSeconds(60));
            return new Stack(new StubCloudFormation("bulk", StubCloudFormation.outputsOf("bulk", table,
                    queues.queueUrl(), queues.dlqUrl()), Map.of("SourceTable", "orders", "TotalSegments", "1000")),
                    new LedgerRuns(ledger), queues);
        }
    }

    @Test
    void startWait_whenExecutionSucceeds_printsTheLedgersSummaryAndExits0() {
        Stack stack = Stack.create();
        StubSfn sfn = new StubSfn().onStart(request -> {
            stack.runs().seed(request.name(), LedgerRuns.job("orders", 3));
            for (int segment = 0; segment < 3; segment++) {
                stack.runs().complete(request.name(), segment, new Counts(10, 10, 0, 0, 0));
            }
        }).then(ExecutionStatus.RUNNING, null, null).then(ExecutionStatus.SUCCEEDED, null, null);

        Cli result = Cli.runCommand(new StartCommand(stack.cloudFormation(), sfn, null), Cli.onEmbedded(environment,
                "--stack", "bulk", "--run-id", "ok-run", "--set", "TotalSegments=3", "--wait", "--poll-interval", "100ms",
                "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("runId").asText()).isEqualTo("ok-run");
        assertThat(summary.get("executionStatus").asText()).isEqualTo("SUCCEEDED");
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(3);
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(30);
        assertThat(summary.get("dlqMessages").asLong()).isZero();
        assertThat(result.err()).contains("Started run ok-run").contains("3/3 segments  30 items");
    }

    @Test
    void startWait_whenExecutionFailsWithSegmentsInTheDlq_printsTheErrorAndCauseAndExits3() {
        Stack stack = Stack.create();
        StubSfn sfn = new StubSfn().onStart(request -> {
            stack.runs().seed(request.name(), LedgerRuns.job("orders", 2));
            stack.runs().complete(request.name(), 0, new Counts(5, 5, 0, 0, 0));
            stack.runs().fail(request.name(), 1, "IllegalStateException: poison item sk=7");
            stack.runs().deadLetter(sqs, stack.queues().dlqUrl(), request.name(), 1, 2,
                    "IllegalStateException: poison item sk=7");
        }).then(ExecutionStatus.FAILED, "SegmentsDeadLettered", "1 segment message(s) in the DLQ");

        Cli result = Cli.runCommand(new StartCommand(stack.cloudFormation(), sfn, null), Cli.onEmbedded(environment,
                "--stack", "bulk", "--run-id", "bad-run", "--wait", "--poll-interval", "100ms"));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.SEGMENTS_FAILED);
        assertThat(result.out()).contains("Run bad-run: 1 of 2 segments did not complete, 1 dead-lettered")
                .contains("DLQ        1 message(s) in " + stack.queues().dlqUrl())
                .contains("DEAD       segment 1 after 1 attempt(s): IllegalStateException: poison item sk=7");
        assertThat(result.err()).contains("Execution bad-run FAILED: SegmentsDeadLettered")
                .contains("cause: 1 segment message(s) in the DLQ");
    }

    @Test
    void startWait_whenExecutionIsAbortedBeforeSeeding_printsWhyAndExits1() {
        Stack stack = Stack.create();
        StubSfn sfn = new StubSfn().then(ExecutionStatus.RUNNING, null, null)
                .then(ExecutionStatus.ABORTED, "States.Aborted", "stopped by an operator");

        Cli result = Cli.runCommand(new StartCommand(stack.cloudFormation(), sfn, null), Cli.onEmbedded(environment,
                "--stack", "bulk", "--run-id", "stopped-run", "--wait", "--poll-interval", "100ms", "--json"));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.ERROR);
        JsonNode json = result.json();
        assertThat(json.get("executionStatus").asText()).isEqualTo("ABORTED");
        assertThat(json.get("error").asText()).isEqualTo("States.Aborted");
        assertThat(json.get("cause").asText()).isEqualTo("stopped by an operator");
        assertThat(result.err()).contains("Execution stopped-run ABORTED: States.Aborted");
    }

    @Test
    void startResume_whenRunIsInTheLedger_startsANewExecutionWithTheRunsJobAndRunIdAndFollowsTheRun() throws Exception {
        Stack stack = Stack.create();
        var job = LedgerRuns.job("orders", 2).toBuilder().rateLimit(200).build();
        stack.runs().seed("first-run", job);
        stack.runs().complete("first-run", 0, new Counts(8, 8, 0, 0, 0));
        StubSfn sfn = new StubSfn().withExecution("first-run")
                .onStart(request -> stack.runs().complete("first-run", 1, new Counts(4, 4, 0, 0, 0)))
                .then(ExecutionStatus.SUCCEEDED, null, null);

        Cli result = Cli.runCommand(new StartCommand(stack.cloudFormation(), sfn, null), Cli.onEmbedded(environment,
                "--stack", "bulk", "--resume", "first-run", "--wait", "--poll-interval", "100ms", "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(sfn.started).singleElement().satisfies(request -> {
            assertThat(request.name()).startsWith("first-run-resume-");
            JsonNode input = new ObjectMapper().readTree(request.input());
            assertThat(input.get("RunId").asText()).isEqualTo("first-run");
            assertThat(input.get("RateLimiter").asDouble()).isEqualTo(200);
            assertThat(input.get("TotalSegments").asInt()).isEqualTo(2);
        });
        JsonNode summary = result.json();
        assertThat(summary.get("runId").asText()).isEqualTo("first-run");
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(2);
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(12);
        assertThat(result.err()).contains("Following run first-run");
    }

    @Test
    void startResume_whenRunIsNotInTheLedger_exits2AndStartsNothing() {
        Stack stack = Stack.create();
        StubSfn sfn = new StubSfn();

        Cli result = Cli.runCommand(new StartCommand(stack.cloudFormation(), sfn, null), Cli.onEmbedded(environment,
                "--stack", "bulk", "--resume", "never-ran"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).startsWith("ddb-bulk: Run 'never-ran' is not in ledger ");
        assertThat(sfn.started).isEmpty();
    }
}
