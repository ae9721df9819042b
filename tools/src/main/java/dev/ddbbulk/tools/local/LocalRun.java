package dev.ddbbulk.tools.local;

import dev.ddbbulk.core.job.ItemProcessors;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunProgress;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.seeder.SeedResult;
import dev.ddbbulk.seeder.SegmentSeeder;
import dev.ddbbulk.tools.output.ProgressReporter;
import dev.ddbbulk.tools.output.RunSummary;
import dev.ddbbulk.worker.Budgets;
import dev.ddbbulk.worker.Redelivery;
import dev.ddbbulk.worker.SegmentWorker;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Runs a job in this JVM exactly as the deployed stack does: the seeder, then a fleet of workers on the
 * segment queue until every segment is done or the queue has nothing left (the rest is in the DLQ).
 */
public final class LocalRun {
    /** How long the fleet must see an empty queue before it concludes that nothing is left to do. */
    private static final int EMPTY_CHECKS_TO_STOP = 3;
    /** How often the ledger is read for completion while no message settles (e.g. all wait for a retry). */
    private static final Duration LEDGER_READ_EVERY = Duration.ofSeconds(2);
    /** The seeder's sending threads. */
    static final int SEEDER_THREADS = 16;

    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final ProgressLedger ledger;
    private final QueuePair queues;
    private final Clock clock;
    private final Random random;
    private final ClassLoader processorClasses;

    public LocalRun(DynamoDbClient dynamoDb, SqsClient sqs, ProgressLedger ledger, QueuePair queues, Clock clock,
             Random random) {
        this(dynamoDb, sqs, ledger, queues, clock, random, ItemProcessors.defaultClassLoader());
    }

    /** @param processorClasses loads the job's processor class, for the seeder's check and every worker */
    public LocalRun(DynamoDbClient dynamoDb, SqsClient sqs, ProgressLedger ledger, QueuePair queues, Clock clock,
             Random random, ClassLoader processorClasses) {
        this.processorClasses = processorClasses;
        this.dynamoDb = dynamoDb;
        this.sqs = sqs;
        this.ledger = ledger;
        this.queues = queues;
        this.clock = clock;
        this.random = random;
    }

    /**
     * The DynamoDB connections a local run of {@code workers} needs so that no call waits for one: every
     * worker's calls in flight ({@link SegmentWorker#dynamoDbConnections}), and a margin for the
     * seeder's and the progress checks' calls. A call that waits 10 s for a connection fails.
     */
    public static int dynamoDbConnections(int workers, int writesInFlight) {
        return workers * SegmentWorker.dynamoDbConnections(writesInFlight) + SEEDER_THREADS;
    }

    /** The SQS connections: one call at a time per worker, and the seeder's sending threads. */
    public static int sqsConnections(int workers) {
        return workers + SEEDER_THREADS;
    }

    /** The seeder's result, or its failure as thrown by the seeder, so that bad input still exits with 2. */
    private static SeedResult result(Future<SeedResult> seeded) {
        try {
            return seeded.get();
        } catch (ExecutionException e) {
            throw new SeedingFailed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SeedingFailed(e);
        }
    }

    /** Carries the seeder's failure out of the fleet's completion check. */
    private static final class SeedingFailed extends RuntimeException {
        SeedingFailed(Throwable cause) {
            super(cause);
        }

        InterruptedException unwrap() throws InterruptedException {
            if (getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (getCause() instanceof Error error) {
                throw error;
            }
            if (getCause() instanceof InterruptedException interrupted) {
                return interrupted;
            }
            throw new IllegalStateException("Seeding failed: " + getCause(), getCause());
        }
    }

    /**
     * Fleet settings: how many workers and how they are timed.
     *
     * @param retryDelay a failed message's first redelivery delay, doubling with each receive
     */
    public record FleetOptions(int workers, Duration timeBudget, Duration safetyMargin, Duration retryDelay,
                        boolean showProgress, boolean terminal) {
        public static Duration marginFor(Duration budget) {
            Duration quarter = budget.dividedBy(4);
            return quarter.compareTo(Duration.ofSeconds(60)) < 0 ? quarter : Duration.ofSeconds(60);
        }
    }

    /**
     * Seeds the run (or, with {@code resume}, re-enqueues its segments that are not done) and works it to
     * its end; returns the ledger's summary.
     */
    public RunSummary execute(String runId, JobConfig job, FleetOptions options, boolean resume, PrintWriter err)
            throws InterruptedException {
        long start = clock.millis();
        SegmentSeeder seeder = new SegmentSeeder(new TableValidator(dynamoDb, processorClasses), ledger, sqs,
                queues.queueUrl(), random, SEEDER_THREADS, Backoff.DEFAULT, Sleeper.SYSTEM, clock);
        // The fleet starts with the seeder, as Lambda's event source mapping does, so workers take the first
        // segments while the rest are still being sent (a million segments take a minute or two to send).
        // The seeder records the run before its first message, so a worker always finds the run it is given.
        ExecutorService seeding = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ddb-bulk-seed");
            t.setDaemon(true);
            return t;
        });
        Future<SeedResult> seeded = seeding.submit(() -> resume ? seeder.resume(runId) : seeder.seed(runId, job));
        seeding.shutdown();
        List<SegmentWorker> workers = new ArrayList<>();
        Budgets budgets = Budgets.sharedByFleet();
        Redelivery redelivery = Redelivery.startingAt(options.retryDelay(), queues.maxReceiveCount());
        for (int i = 0; i < options.workers(); i++) {
            workers.add(new SegmentWorker(dynamoDb, sqs, queues.queueUrl(), ledger, options.safetyMargin(), clock,
                    new Random(random.nextLong()), Sleeper.SYSTEM, budgets, redelivery, processorClasses));
        }
        LocalFleet fleet = new LocalFleet(sqs, queues.queueUrl(), workers, options.timeBudget(),
                options.safetyMargin(), clock);
        int[] emptyChecks = {0};
        long[] completed = {0};
        long[] lastSettled = {-1};
        long[] lastLedgerRead = {0};
        boolean[] seedReported = {false};
        java.util.function.BooleanSupplier finished = () -> {
            if (!seeded.isDone()) {
                return false;
            }
            SeedResult result = result(seeded);
            if (!seedReported[0] && options.showProgress()) {
                err.printf("%s run %s: %d segment messages in %d ms%n", resume ? "Resumed" : "Seeded", runId,
                        result.messagesSent(), result.elapsed().toMillis());
                err.flush();
            }
            seedReported[0] = true;
            // The ledger is read when the fleet has finished a message since the last read, or every
            // LEDGER_READ_EVERY otherwise, and the queue only while no worker is busy: polling costs the
            // same endpoints the workers need.
            long settled = fleet.messagesSettled();
            long now = clock.millis();
            if (settled != lastSettled[0] || now - lastLedgerRead[0] >= LEDGER_READ_EVERY.toMillis()) {
                lastSettled[0] = settled;
                lastLedgerRead[0] = now;
                completed[0] = ledger.findRun(runId).orElseThrow().segmentsCompleted();
                if (completed[0] >= job.totalSegments()) {
                    return true;
                }
            }
            if (fleet.busy()) {
                emptyChecks[0] = 0;
                return false;
            }
            emptyChecks[0] = QueuePair.depth(sqs, queues.queueUrl()) == 0 ? emptyChecks[0] + 1 : 0;
            return emptyChecks[0] >= EMPTY_CHECKS_TO_STOP;
        };
        try {
            if (options.showProgress()) {
                try (var progress = new ProgressReporter(err, options.terminal(), job.totalSegments(),
                        () -> completed[0], fleet::itemsScanned, clock)) {
                    fleet.runUntil(finished, Duration.ofMillis(200));
                }
            } else {
                fleet.runUntil(finished, Duration.ofMillis(200));
            }
        } catch (SeedingFailed e) {
            throw e.unwrap();
        } finally {
            seeded.cancel(true);
        }
        RunProgress progress = ledger.progress(runId);
        long dlq = QueuePair.depth(sqs, queues.dlqUrl());
        return RunSummary.of(progress, dlq, clock.millis() - start, null, null, queues.dlqUrl());
    }
}
