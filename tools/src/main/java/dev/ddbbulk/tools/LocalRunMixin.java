package dev.ddbbulk.tools;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.SegmentCount;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.tools.local.LocalRun;
import dev.ddbbulk.tools.local.ProcessorJar;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.RunSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;
import java.util.UUID;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What demo and run share: a job's parameters, the local fleet's options and the run id, and running the job
 * on a local fleet once its tables and ledger are there.
 */
final class LocalRunMixin {
    @Mixin
    JobMixin job;

    @Mixin
    FleetMixin fleet;

    @Option(names = "--run-id", description = "Run id in the ledger. Default: a new UUID.")
    String runId;

    @Option(names = "--processor-jar", paramLabel = "PATH",
            description = "A jar holding the --processor class, loaded by the seeder's check and every worker (as a"
                    + " Lambda layer is on the deployed functions).")
    Path processorJar;

    /**
     * The job of these options, refused before anything is created when one page of it cannot fit in a
     * worker's time budget less its safety margin. With {@code auto} segments its TotalSegments is the default
     * until {@link dev.ddbbulk.core.job.AutoSegments} replaces it.
     */
    JobConfig jobFor(String source, String destination, SegmentCount segments, int workers) {
        JobConfig config = job.builder(source, destination, segments.auto() ? JobConfig.DEFAULT_SEGMENTS
                : segments.number(), workers).build();
        config.requireOnePageFits(fleet.timeBudget.minus(LocalRun.FleetOptions.marginFor(fleet.timeBudget)));
        return config;
    }

    /** The classes of --processor-jar, or none; refused before anything is created when it is not a jar. */
    ProcessorJar openProcessorJar() {
        return ProcessorJar.open(processorJar);
    }

    /** --run-id, or a new UUID when it was not given. */
    String runIdOrNew() {
        return runId != null ? runId : UUID.randomUUID().toString();
    }

    /**
     * Creates (or reuses) segment queue {@code name} and its DLQ with the fleet's --max-receive-count, and a
     * visibility timeout of the time budget and 30 s more.
     */
    QueuePair createQueues(SqsClient sqs, String name) {
        return QueuePair.create(sqs, name, fleet.maxReceiveCount, fleet.timeBudget.plusSeconds(30));
    }

    /**
     * Seeds run {@code id} of {@code config} into {@code queues} and works it with the job's workers until it
     * ends, showing progress on {@code err} (a progress line on a terminal).
     *
     * @param resume whether the run is already in the ledger (re-enqueue its segments that are not done)
     * @param jar where the seeder's check and the workers load the processor class from
     */
    RunSummary execute(DynamoDbClient dynamoDb, SqsClient sqs, ProgressLedger ledger, QueuePair queues, Clock clock,
                       String id, JobConfig config, boolean resume, ProcessorJar jar, PrintWriter err)
            throws InterruptedException {
        LocalRun run = new LocalRun(dynamoDb, sqs, ledger, queues, clock, new Random(), jar.classes());
        return run.execute(id, config, fleet.options(config.parallelWorkers(), System.console() != null), resume, err);
    }
}
