package dev.ddbbulk.tools;

import dev.ddbbulk.core.job.AutoSegments;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.SegmentChoice;
import dev.ddbbulk.core.job.SegmentCount;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.tools.estimate.FleetProfile;
import dev.ddbbulk.tools.estimate.JobEstimator;
import dev.ddbbulk.tools.estimate.Prices;
import dev.ddbbulk.tools.local.LocalRun;
import dev.ddbbulk.tools.local.ProcessorJar;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.EstimateReport;
import dev.ddbbulk.tools.output.ExitCodes;
import dev.ddbbulk.tools.output.RunSummary;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The seeder and a worker fleet in this JVM against existing tables on AWS or any compatible endpoint,
 * with a temporary queue pair unless queue URLs are given.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a job with a local worker fleet against existing tables (AWS by default, or --endpoint-url).")
final class RunCommand implements Callable<Integer> {
    static final String DEFAULT_LEDGER = "ddb-bulk-ledger";

    @Spec
    CommandSpec spec;

    @Mixin
    LocalRunMixin local;

    @Mixin
    AwsMixin aws;

    @Mixin
    PriceMixin prices;

    @Option(names = "--source", description = "SourceTable: the table to scan. Required unless --resume.")
    String source;

    @Option(names = "--destination", description = "DestinationTable. Default: the source (update in place).")
    String destination;

    @Option(names = "--segments", defaultValue = SegmentCount.AUTO_TEXT,
            description = "TotalSegments: 1..1000000, or auto (from the source's item count and size: segments of at most"
                    + " about 5 minutes of a worker, at least 4 a worker; a run that exists keeps its number)."
                    + " Default: ${DEFAULT-VALUE}.")
    String segments;

    @Option(names = "--workers", defaultValue = "10", description = "Worker threads (ParallelLambdaFunctions). Default: ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--ledger-table", defaultValue = DEFAULT_LEDGER,
            description = "Progress ledger table, created if missing. Default: ${DEFAULT-VALUE}.")
    String ledgerTable;

    @Option(names = "--queue-url", description = "Existing segment queue (with a redrive policy to --dlq-url). Default: a temporary queue pair.")
    String queueUrl;

    @Option(names = "--dlq-url", description = "Existing dead-letter queue; required with --queue-url.")
    String dlqUrl;

    @Option(names = "--resume", paramLabel = "RUN_ID",
            description = "Continue a run after the whole fleet stopped: re-enqueue its segments that are not done."
                    + " The job is the one recorded in the ledger; job options are not allowed with it.")
    String resume;

    @Override
    public Integer call() throws Exception {
        local.fleet.validate();
        Prices priceTable = prices.load();
        if ((queueUrl == null) != (dlqUrl == null)) {
            throw new InvalidJobException("--queue-url and --dlq-url go together; give both or neither");
        }
        if (resume != null) {
            if (source != null || destination != null || local.runId != null) {
                throw new InvalidJobException("--resume takes the job recorded in the ledger; drop --source,"
                        + " --destination and --run-id");
            }
            return execute(resume, null, priceTable);
        }
        if (source == null) {
            throw new InvalidJobException("--source is required (or --resume RUN_ID); name the table to scan");
        }
        SegmentCount requestedSegments = SegmentCount.parse(segments);
        JobConfig config = local.jobFor(source, destination, requestedSegments, workers);
        return execute(local.runIdOrNew(), config, requestedSegments, priceTable);
    }

    private int execute(String id, JobConfig requested, Prices priceTable) throws Exception {
        return execute(id, requested, null, priceTable);
    }

    /** @param requestedSegments TotalSegments as given; null with a resumed run's job */
    private int execute(String id, JobConfig requested, SegmentCount requestedSegments, Prices priceTable)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // A resumed run brings its own WritesInFlight from the ledger: size the pool for the most there can be
        // (a pool opens only the connections it uses).
        int connections = LocalRun.dynamoDbConnections(workers, JobConfig.MAX_WRITES_IN_FLIGHT);
        try (ProcessorJar jar = local.openProcessorJar();
             DynamoDbClient dynamoDb = aws.dynamoDbClients(connections).dynamoDb();
             SqsClient sqs = aws.sqsClients(LocalRun.sqsConnections(workers)).sqs()) {
            Clock clock = Clock.systemUTC();
            ProgressLedger ledger = new ProgressLedger(dynamoDb, ledgerTable, clock);
            JobConfig config = requested;
            if (config == null) {
                new TableValidator(dynamoDb).describe(ledgerTable, "LedgerTable", "--ledger-table");
                config = ledger.findRun(id).orElseThrow(() -> new InvalidJobException("Run '" + id
                        + "' is not in ledger " + ledgerTable + "; check the run id and --ledger-table")).job();
            }
            // Validate against the live tables before creating the ledger or any queue: bad input writes nothing.
            jar.requireProcessor(config);
            new TableValidator(dynamoDb, jar.classes()).validate(config);
            if (requested != null) {
                SegmentChoice choice = new AutoSegments(dynamoDb).choose(requestedSegments, config,
                        requestedSegments.auto() ? recordedJob(ledger, id) : Optional.empty());
                config = choice.applyTo(config);
                // A resumed run has done part of its job already: the figures of the whole would mislead.
                Duration budget = local.fleet.timeBudget;
                EstimateReport.printBrief(new JobEstimator(dynamoDb,
                        prices.forRegion(priceTable, JobEstimator.regionOf(dynamoDb)))
                        .estimate(config, FleetProfile.local(budget, LocalRun.FleetOptions.marginFor(budget))), choice,
                        err);
            }
            ledger.createTableIfMissing();
            boolean temporary = queueUrl == null;
            QueuePair queues = temporary
                    ? local.createQueues(sqs, "ddb-bulk-" + id.replaceAll("[^a-zA-Z0-9_-]", "").substring(0,
                            Math.min(8, id.replaceAll("[^a-zA-Z0-9_-]", "").length())))
                    : QueuePair.existing(sqs, queueUrl, dlqUrl);
            RunSummary summary = local.execute(dynamoDb, sqs, ledger, queues, clock, id, config, requested == null, jar,
                    err);
            if (temporary && summary.exitCode() == ExitCodes.OK) {
                queues.delete(sqs);
            } else if (temporary) {
                err.println("Kept the temporary queues for inspection: " + queues.queueUrl() + " and " + queues.dlqUrl());
            }
            return summary.print(out, err, local.fleet.json);
        }
    }

    /** The job of run {@code id} when the ledger has it: a --run-id naming a run already started keeps its segments. */
    private static Optional<JobConfig> recordedJob(ProgressLedger ledger, String id) {
        try {
            return ledger.findRun(id).map(RunRecord::job);
        } catch (ResourceNotFoundException e) {
            // No ledger table yet: this run is new, and the table is created below.
            return Optional.empty();
        }
    }
}
