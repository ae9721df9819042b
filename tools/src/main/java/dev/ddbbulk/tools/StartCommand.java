package dev.ddbbulk.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.job.AutoSegments;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.SegmentChoice;
import dev.ddbbulk.core.job.SegmentCount;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunProgress;
import dev.ddbbulk.tools.estimate.FleetProfile;
import dev.ddbbulk.tools.estimate.JobEstimator;
import dev.ddbbulk.tools.estimate.Prices;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.EstimateReport;
import dev.ddbbulk.tools.output.ExitCodes;
import dev.ddbbulk.tools.output.RunSummary;
import dev.ddbbulk.tools.stack.ExecutionFollower;
import dev.ddbbulk.tools.stack.ExecutionInput;
import dev.ddbbulk.tools.stack.StackResolver;
import dev.ddbbulk.tools.stack.StackResources;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.InvalidNameException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Starts a run on a deployed stack: an execution of its state machine, named by the run id (the seeder
 * records the run under the execution's name), with job parameters that override the stack's. With
 * {@code --resume}, a new execution re-attaches to an existing run (the state machine's {@code RunId} input).
 */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Start a run on a deployed stack (an execution of its state machine); --wait follows it to the end.")
final class StartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AwsMixin aws;

    @Mixin
    PriceMixin prices;

    @Option(names = "--stack", required = true, description = "Name of the CloudFormation stack deployed from template.yaml.")
    String stack;

    @Option(names = "--run-id", description = "Run id, used as the execution's name. Default: a new UUID.")
    String runId;

    @Option(names = "--resume", paramLabel = "RUN_ID",
            description = "Follow an existing run again (after 'dlq redrive', or when its execution ended early): a new"
                    + " execution with the run's own job and RunId; nothing is seeded twice.")
    String resume;

    @Option(names = "--input", paramLabel = "JSON",
            description = "Job parameters named like the template's, as a JSON object, e.g. {\"TotalSegments\":200}. They"
                    + " override the stack's. TotalSegments not given here or by --set is auto: the seeder picks it from"
                    + " the source's item count and size.")
    String input;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "One job parameter, e.g. --set ItemProcessor=stamp; repeatable; applied over --input.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--wait", description = "Show progress until the execution ends, then the summary; the exit code tells how it ended.")
    boolean waitForEnd;

    @Option(names = "--poll-interval", converter = DurationConverter.class, defaultValue = "5s",
            description = "How often --wait asks Step Functions and the ledger. Default: ${DEFAULT-VALUE}.")
    Duration pollInterval;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout.")
    boolean json;

    private final CloudFormationClient cloudFormation;
    private final SfnClient sfn;
    private final DynamoDbClient dynamoDb;

    StartCommand() {
        this(null, null, null);
    }

    /**
     * With clients to use instead of building them from the options (tests); the command does not close them.
     * A null one is built from the options.
     *
     * @param dynamoDb describes the job's tables for the estimate printed before the execution starts
     */
    StartCommand(CloudFormationClient cloudFormation, SfnClient sfn, DynamoDbClient dynamoDb) {
        this.cloudFormation = cloudFormation;
        this.sfn = sfn;
        this.dynamoDb = dynamoDb;
    }

    @Override
    public Integer call() throws Exception {
        if (resume != null && (runId != null || input != null || !sets.isEmpty())) {
            throw new InvalidJobException("--resume follows a run with its own job; drop --run-id, --input and --set");
        }
        ObjectNode parsedInput = resume == null ? ExecutionInput.parse(input, sets) : null;
        Prices priceTable = prices.load();
        String id = resume != null ? ExecutionInput.requireValidRunId(resume)
                : runId != null ? ExecutionInput.requireValidRunId(runId) : UUID.randomUUID().toString();
        String executionName = resume != null ? ExecutionInput.resumeExecutionName(resume, new Random()) : id;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CloudFormationClient cfn = cloudFormation != null ? cloudFormation : aws.stackClients().cloudFormation();
        SfnClient stepFunctions = sfn != null ? sfn : aws.stackClients().sfn();
        try {
            StackResources resources = new StackResolver(cfn).resolve(stack);
            ObjectNode executionInput;
            if (resume != null) {
                executionInput = ExecutionInput.resume(id, recordedJob(resources, id));
            } else {
                executionInput = ExecutionInput.withAutoSegmentsByDefault(parsedInput);
                SegmentCount segments = ExecutionInput.totalSegments(executionInput, resources.parameters());
                ExecutionInput.job(executionInput, resources.parameters())
                        .ifPresent(job -> printEstimate(job, segments, priceTable, err));
            }
            String executionArn;
            try {
                executionArn = stepFunctions.startExecution(b -> b.stateMachineArn(resources.stateMachineArn())
                        .name(executionName).input(ExecutionInput.toJson(executionInput))).executionArn();
            } catch (ExecutionAlreadyExistsException e) {
                throw new InvalidJobException("Run id '" + executionName + "' already names another execution of "
                        + resources.stateMachineArn() + "; choose another --run-id or omit it for a new one", e);
            } catch (InvalidNameException e) {
                throw new InvalidJobException("--run-id '" + executionName + "' is refused as an execution name: "
                        + e.awsErrorDetails().errorMessage(), e);
            }
            String verb = resume != null ? "Following run" : "Started run";
            ObjectMapper mapper = new ObjectMapper();
            if (!waitForEnd) {
                if (json) {
                    out.println(mapper.writeValueAsString(mapper.createObjectNode().put("runId", id)
                            .put("executionArn", executionArn).put("stack", stack)));
                } else {
                    out.printf("%s %s%n  execution  %s%n", verb, id, executionArn);
                }
                out.flush();
                return ExitCodes.OK;
            }
            err.printf("%s %s%n  execution  %s%n", verb, id, executionArn);
            err.flush();
            return follow(resources, id, executionArn, stepFunctions, out, err, mapper);
        } finally {
            if (sfn == null) {
                stepFunctions.close();
            }
            if (cloudFormation == null) {
                cfn.close();
            }
        }
    }

    /**
     * Prints the estimate of {@code job} on the stack's Lambda fleet. The seeder, not this command, decides whether
     * the job can run (its role may see tables this one cannot), so an estimate that cannot be made is said and
     * the execution starts all the same. The seeder also picks TotalSegments {@code auto}, by the same rule and
     * figures as the number shown here.
     */
    private void printEstimate(JobConfig job, SegmentCount segments, Prices priceTable, PrintWriter err) {
        DynamoDbClient own = null;
        try {
            DynamoDbClient client = dynamoDb != null ? dynamoDb : (own = aws.dynamoDbClients(2).dynamoDb());
            JobEstimator estimator = new JobEstimator(client, prices.forRegion(priceTable, JobEstimator.regionOf(client)));
            estimator.checkTables(job);
            SegmentChoice choice = new AutoSegments(client).choose(segments, job, Optional.empty());
            EstimateReport.printBrief(estimator.estimate(choice.applyTo(job), FleetProfile.lambda()), choice, err);
        } catch (InvalidJobException | SdkException e) {
            err.println("No estimate: " + e.getMessage());
            err.flush();
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    private JobConfig recordedJob(StackResources resources, String id) {
        try (DynamoDbClient dynamoDb = aws.dynamoDbClients(2).dynamoDb()) {
            return new ProgressLedger(dynamoDb, resources.ledgerTableName(), Clock.systemUTC()).findRun(id)
                    .orElseThrow(() -> new InvalidJobException("Run '" + id + "' is not in ledger "
                            + resources.ledgerTableName() + " of stack '" + stack + "'; check the run id"
                            + " ('ddb-bulk status --stack " + stack + "' shows the latest)"))
                    .job();
        }
    }

    private int follow(StackResources resources, String id, String executionArn, SfnClient stepFunctions,
                       PrintWriter out, PrintWriter err, ObjectMapper mapper) throws Exception {
        Clock clock = Clock.systemUTC();
        try (DynamoDbClient dynamoDb = aws.dynamoDbClients(4).dynamoDb();
             SqsClient sqs = aws.sqsClients(4).sqs()) {
            ProgressLedger ledger = new ProgressLedger(dynamoDb, resources.ledgerTableName(), clock);
            DescribeExecutionResponse execution = new ExecutionFollower(stepFunctions, ledger, clock)
                    .follow(executionArn, id, pollInterval, err, System.console() != null);
            ExecutionStatus status = execution.status();
            long dlq = QueuePair.depth(sqs, resources.deadLetterQueueUrl());
            long elapsedMs = execution.stopDate() != null && execution.startDate() != null
                    ? Duration.between(execution.startDate(), execution.stopDate()).toMillis() : 0;
            RunProgress progress = ledger.findRun(id).isPresent() ? ledger.progress(id) : null;
            RunSummary summary = progress == null ? null
                    : RunSummary.of(progress, dlq, elapsedMs, null, null, resources.deadLetterQueueUrl());
            if (json) {
                ObjectNode node = summary != null ? summary.toJson(mapper)
                        : mapper.createObjectNode().put("runId", id).put("dlqMessages", dlq);
                node.put("executionArn", executionArn).put("executionStatus", execution.statusAsString());
                if (status != ExecutionStatus.SUCCEEDED) {
                    node.put("error", execution.error()).put("cause", execution.cause());
                }
                if (summary != null) {
                    summary.printText(err);
                }
                out.println(mapper.writeValueAsString(node));
            } else if (summary != null) {
                summary.printText(out);
            } else {
                out.printf("Run %s was not recorded in ledger %s: the execution ended before the seeder recorded it%n",
                        id, resources.ledgerTableName());
            }
            out.flush();
            if (status == ExecutionStatus.SUCCEEDED) {
                return ExitCodes.OK;
            }
            err.printf("Execution %s %s: %s%n  cause: %s%n", id, execution.statusAsString(),
                    execution.error() == null ? "(no error)" : execution.error(),
                    execution.cause() == null ? "(none given)" : execution.cause());
            err.flush();
            // The run's own ledger tells whether its segments failed, not a DLQ that other runs may share.
            boolean segmentsFailed = progress != null && !progress.deadLetteredSegments().isEmpty();
            return status == ExecutionStatus.FAILED && segmentsFailed ? ExitCodes.SEGMENTS_FAILED : ExitCodes.ERROR;
        }
    }
}
