package dev.ddbbulk.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunProgress;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.ExitCodes;
import dev.ddbbulk.tools.stack.ExecutionInput;
import dev.ddbbulk.tools.stack.StackResources;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Shows where a run stands: from a deployed stack (its latest execution by default), or from a ledger table
 * and DLQ given directly (a local run, an embedded setup).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a run's progress: segments, items, rate, ETA, DLQ depth and failed segments.")
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AwsMixin aws;

    @Option(names = "--stack", description = "The deployed stack; its outputs name the ledger, DLQ and state machine.")
    String stack;

    @Option(names = "--run", description = "Run id (the execution's name). Default with --stack: the latest execution.")
    String run;

    @Option(names = "--ledger-table", description = "Progress ledger table, instead of --stack (a local run).")
    String ledgerTable;

    @Option(names = "--dlq-url", description = "Dead-letter queue to count, with --ledger-table.")
    String dlqUrl;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout.")
    boolean json;

    private final CloudFormationClient cloudFormation;
    private final SfnClient sfn;

    StatusCommand() {
        this(null, null);
    }

    /** With clients to use instead of building them from the options (tests); the command does not close them. */
    StatusCommand(CloudFormationClient cloudFormation, SfnClient sfn) {
        this.cloudFormation = cloudFormation;
        this.sfn = sfn;
    }

    @Override
    public Integer call() throws Exception {
        if ((stack == null) == (ledgerTable == null)) {
            throw new InvalidJobException("Give --stack NAME, or --ledger-table TABLE (with --run ID and optionally"
                    + " --dlq-url URL) for a run outside a stack; not both");
        }
        if (stack != null && dlqUrl != null) {
            throw new InvalidJobException("--dlq-url goes with --ledger-table; with --stack the DLQ is the stack's");
        }
        if (stack == null && run == null) {
            throw new InvalidJobException("--run ID is required with --ledger-table; the ledger does not know which run is latest");
        }
        Clock clock = Clock.systemUTC();
        if (stack == null) {
            print(read(ledgerTable, dlqUrl, run, null, null, clock));
            return ExitCodes.OK;
        }
        StackResources resources = aws.resolveStack(stack, cloudFormation);
        DescribeExecutionResponse described;
        SfnClient stepFunctions = sfn != null ? sfn : aws.stackClients().sfn();
        try {
            described = run != null ? executionNamed(resources, run, stepFunctions) : latest(resources, stepFunctions);
        } finally {
            if (sfn == null) {
                stepFunctions.close();
            }
        }
        String runId = run != null ? run : runOf(described);
        RunStatus.Execution execution = described == null ? null : new RunStatus.Execution(
                described.executionArn(), described.statusAsString(), described.error(), described.cause());
        if (execution != null && !ledgerHasRun(resources.ledgerTableName(), runId, clock)) {
            printNotRecorded(runId, execution, resources.ledgerTableName());
        } else {
            print(read(resources.ledgerTableName(), resources.deadLetterQueueUrl(), runId, execution,
                    described == null ? null : described.stopDate(), clock));
        }
        return ExitCodes.OK;
    }

    private DescribeExecutionResponse latest(StackResources resources, SfnClient stepFunctions) {
        var latest = stepFunctions.listExecutions(b -> b.stateMachineArn(resources.stateMachineArn()).maxResults(1))
                .executions();
        if (latest.isEmpty()) {
            throw new InvalidJobException("Stack '" + stack + "' has no runs yet (its state machine has no"
                    + " executions); start one with 'ddb-bulk start --stack " + stack + "'");
        }
        String arn = latest.get(0).executionArn();
        return stepFunctions.describeExecution(b -> b.executionArn(arn));
    }

    /** The execution named by the run id; null when there is none (the run was re-attached or recorded otherwise). */
    private static DescribeExecutionResponse executionNamed(StackResources resources, String runId,
                                                           SfnClient stepFunctions) {
        try {
            return stepFunctions.describeExecution(b -> b.executionArn(resources.executionArn(runId)));
        } catch (ExecutionDoesNotExistException e) {
            return null;
        }
    }

    /** An execution's run: the one it re-attached to ({@code RunId} in its input), else its own name. */
    private static String runOf(DescribeExecutionResponse execution) throws Exception {
        String input = execution.input();
        JsonNode runId = input == null ? null : new ObjectMapper().readTree(input).get(ExecutionInput.RUN_ID);
        return runId != null && runId.isTextual() && !runId.asText().isBlank() ? runId.asText() : execution.name();
    }

    /** The seeder has not recorded the run yet, or the execution failed before it could. */
    private void printNotRecorded(String runId, RunStatus.Execution execution, String table) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            out.println(mapper.writeValueAsString(mapper.createObjectNode().put("runId", runId)
                    .put("state", execution.status()).put("recorded", false).put("executionArn", execution.arn())
                    .put("executionStatus", execution.status()).put("error", execution.error())
                    .put("cause", execution.cause())));
        } else {
            out.printf("Run %s: %s, not in ledger %s yet%n", runId, execution.status(), table);
            if (execution.error() != null) {
                out.printf("  execution  %s: %s%n", execution.error(), execution.cause());
            }
        }
        out.flush();
    }

    private boolean ledgerHasRun(String table, String runId, Clock clock) {
        try (DynamoDbClient dynamoDb = aws.dynamoDbClients(2).dynamoDb()) {
            return new ProgressLedger(dynamoDb, table, clock).findRun(runId).isPresent();
        }
    }

    private RunStatus read(String table, String dlq, String runId, RunStatus.Execution execution, Instant stoppedAt,
                           Clock clock) {
        try (DynamoDbClient dynamoDb = aws.dynamoDbClients(4).dynamoDb()) {
            ProgressLedger ledger = new ProgressLedger(dynamoDb, table, clock);
            RunProgress progress = ledger.progress(runId);
            Instant end = stoppedAt != null ? stoppedAt
                    : progress.run().complete() ? ledger.lastCompletedAt(runId).orElse(clock.instant())
                    : clock.instant();
            long elapsedMs = Math.max(0, Duration.between(progress.run().createdAt(), end).toMillis());
            Long dlqMessages = null;
            if (dlq != null) {
                try (SqsClient sqs = aws.sqsClients(2).sqs()) {
                    dlqMessages = QueuePair.depth(sqs, dlq);
                }
            }
            return new RunStatus(progress, execution, dlqMessages, dlq, elapsedMs);
        }
    }

    private void print(RunStatus status) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            out.println(mapper.writeValueAsString(status.toJson(mapper)));
            out.flush();
        } else {
            status.printText(out);
        }
    }
}
