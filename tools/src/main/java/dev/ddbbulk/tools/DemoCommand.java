package dev.ddbbulk.tools;

import dev.ddbbulk.core.job.AutoSegments;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.ItemProcessors;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.SegmentChoice;
import dev.ddbbulk.core.job.SegmentCount;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.embedded.EmbeddedServices;
import dev.ddbbulk.tools.local.DemoData;
import dev.ddbbulk.tools.local.LocalRun;
import dev.ddbbulk.tools.local.ProcessorJar;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.EstimateReport;
import dev.ddbbulk.tools.output.RunSummary;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The embedded default: DynamoDB Local and ElasticMQ start inside this JVM, a demo table is filled, the
 * whole pipeline (seeder, queue, worker fleet, DLQ, ledger) runs, and the destination is verified.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on embedded DynamoDB Local + ElasticMQ (no account, no Docker) and verify the result.")
final class DemoCommand implements Callable<Integer> {
    static final String SOURCE = "demo-source";

    @Spec
    CommandSpec spec;

    @Mixin
    LocalRunMixin local;

    @Option(names = "--items", defaultValue = "20000", description = "Items in the demo table. Default: ${DEFAULT-VALUE}.")
    int items;

    @Option(names = "--item-bytes", defaultValue = "220", description = "Approximate size of an item. Default: ${DEFAULT-VALUE}.")
    int itemBytes;

    @Option(names = "--segments", defaultValue = "200",
            description = "TotalSegments: 1..1000000, or auto (from the filled table's item count and size)."
                    + " Default: ${DEFAULT-VALUE}.")
    String segments;

    @Option(names = "--workers", defaultValue = "4", description = "Worker threads (ParallelLambdaFunctions). Default: ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--destination", defaultValue = "demo-destination",
            description = "Destination table, created like the source; '" + SOURCE + "' updates in place. Default: ${DEFAULT-VALUE}.")
    String destination;

    @Override
    public Integer call() throws Exception {
        SegmentCount requestedSegments = SegmentCount.parse(segments);
        JobConfig config = local.jobFor(SOURCE, destination, requestedSegments, workers);
        local.fleet.validate();
        if (items < 0) {
            throw new InvalidJobException("--items must be 0 or more, got " + items);
        }
        DemoData.requireItemBytes(itemBytes);
        try (ProcessorJar jar = local.openProcessorJar()) {
            jar.requireProcessor(config);
            return run(config, requestedSegments, ItemProcessors.create(config.processor(), jar.classes()), jar);
        }
    }

    private int run(JobConfig job, SegmentCount requestedSegments, ItemProcessor processor, ProcessorJar jar)
            throws InterruptedException {
        JobConfig config = job;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String id = local.runIdOrNew();
        err.println("Starting DynamoDB Local and ElasticMQ inside this JVM...");
        err.flush();
        try (EmbeddedServices services = EmbeddedServices.start();
             DynamoDbClient dynamoDb = services.dynamoDbClient(LocalRun.dynamoDbConnections(workers, config.writesInFlight()));
             SqsClient sqs = services.sqsClient(LocalRun.sqsConnections(workers))) {
            DemoData.createTable(dynamoDb, SOURCE);
            if (!config.inPlace()) {
                DemoData.createTable(dynamoDb, config.destinationTable());
            }
            TableValidator validator = new TableValidator(dynamoDb, jar.classes());
            // Before the fill and the fleet: a bad expression fails at once, with nothing else started.
            validator.validate(config);
            TableShape source = validator.describe(SOURCE, "SourceTable", "--source");
            long fillStart = System.nanoTime();
            DemoData.fill(dynamoDb, source, items, itemBytes, 4);
            err.printf("Filled %s with %d items in %d ms%n", SOURCE, items, (System.nanoTime() - fillStart) / 1_000_000);
            err.flush();

            // The ledger starts empty with the services: the run is new, and auto sizes it from the filled table.
            SegmentChoice choice = new AutoSegments(dynamoDb).choose(requestedSegments, config, Optional.empty());
            config = choice.applyTo(config);
            err.println(EstimateReport.segmentsLine(choice));

            Clock clock = Clock.systemUTC();
            ProgressLedger ledger = new ProgressLedger(dynamoDb, RunCommand.DEFAULT_LEDGER, clock);
            ledger.createTableIfMissing();
            QueuePair queues = local.createQueues(sqs, "ddb-bulk-segments");
            RunSummary summary = local.execute(dynamoDb, sqs, ledger, queues, clock, id, config, false, jar, err);

            if (config.updatesWithExpression() || config.expressions().filterExpression() != null) {
                // Which items an expression matches, and what an update makes of them, is DynamoDB's to work out.
                err.println("Not verifying " + config.destinationTable() + ": what expressions select and change is"
                        + " DynamoDB's to work out; the counts are the ledger's");
                err.flush();
                return summary.print(out, err, local.fleet.json);
            }
            err.println("Verifying " + config.destinationTable() + " against " + SOURCE + "...");
            err.flush();
            String problem = DemoData.verify(dynamoDb, validator.describe(config.destinationTable(),
                    "DestinationTable", "--destination"), config.dryRun() ? item -> ItemAction.skip() : processor, items, itemBytes,
                    config.inPlace());
            summary = summary.withVerification(problem);
            return summary.print(out, err, local.fleet.json);
        }
    }
}
