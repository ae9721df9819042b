package dev.ddbbulk.worker;

import dev.ddbbulk.core.aws.AwsClients;
import dev.ddbbulk.core.job.ItemProcessors;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.rate.RateLimiter;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Retrier;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.worker.scan.SegmentScanner;
import dev.ddbbulk.worker.split.CollectionSplitter;
import dev.ddbbulk.worker.write.ItemWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Works a batch of segment messages: each message's segment is claimed ({@link Claims}), worked page by page
 * ({@link SegmentPages}: scan, process, write, checkpoint, continue), and marked done ({@link Completions});
 * a failed one is recorded ({@link SegmentFailures}) and reported for redelivery.
 *
 * <p>Knows nothing of Lambda: {@link WorkerHandler} calls {@link #process}, for Lambda and the CLI's local
 * fleet alike. One instance is one worker: not thread-safe; it owns its rate limiter, a claim thread and a
 * completion thread.
 */
public final class SegmentWorker {
    /**
     * DynamoDB calls one worker may have in flight besides its writes: the next page's scan, the next
     * segment's claim on its claim thread, and a completing transaction on its completion thread (or the
     * checkpoint, continuation or failure record of the page loop). Size HTTP pools from it.
     */
    public static final int OTHER_CALLS_IN_FLIGHT = 4;

    /** The DynamoDB connections one worker needs so that no call waits for one. */
    public static int dynamoDbConnections(int writesInFlight) {
        return writesInFlight + OTHER_CALLS_IN_FLIGHT;
    }

    private final DynamoDbClient dynamoDb;
    private final ProgressLedger ledger;
    private final Clock clock;
    private final Random random;
    private final Sleeper sleeper;
    private final Budgets budgets;
    private final SegmentPages pages;
    private final SegmentFailures failures;
    private final FailedDeliveries failedDeliveries;
    private final Redelivery redelivery;
    private final Retrier retrier;
    private final ClassLoader processorClasses;
    private final Map<String, RunContext> runs = new ConcurrentHashMap<>();
    /**
     * Runs completing transactions, one at a time, while the worker goes on to its next message. Its thread
     * ends after a second without work, so a worker that is dropped leaves no thread behind.
     */
    private final ExecutorService completing = ledgerThread("ddb-bulk-complete");
    /** Claims the next message's segment while the current segment's last page is written; idle threads end. */
    private final ExecutorService claiming = ledgerThread("ddb-bulk-claim");
    /** Scans the next page while the current one is processed and written. */
    private final ExecutorService scanning = ledgerThread("ddb-bulk-scan");

    public SegmentWorker(DynamoDbClient dynamoDb, SqsClient sqs, String queueUrl, ProgressLedger ledger,
                         Duration safetyMargin, Clock clock, Random random, Sleeper sleeper) {
        this(dynamoDb, sqs, queueUrl, ledger, safetyMargin, clock, random, sleeper, Budgets.PER_WORKER_SHARE);
    }

    public SegmentWorker(DynamoDbClient dynamoDb, SqsClient sqs, String queueUrl, ProgressLedger ledger,
                         Duration safetyMargin, Clock clock, Random random, Sleeper sleeper, Budgets budgets) {
        this(dynamoDb, sqs, queueUrl, ledger, safetyMargin, clock, random, sleeper, budgets, Redelivery.DEFAULT);
    }

    /** @param redelivery when a failed message comes back, and which receive is the queue's last */
    public SegmentWorker(DynamoDbClient dynamoDb, SqsClient sqs, String queueUrl, ProgressLedger ledger,
                         Duration safetyMargin, Clock clock, Random random, Sleeper sleeper, Budgets budgets,
                         Redelivery redelivery) {
        this(dynamoDb, sqs, queueUrl, ledger, safetyMargin, clock, random, sleeper, budgets, redelivery,
                ItemProcessors.defaultClassLoader());
    }

    /** @param processorClasses loads a run's processor class, e.g. one that also sees a jar of the user's processors */
    public SegmentWorker(DynamoDbClient dynamoDb, SqsClient sqs, String queueUrl, ProgressLedger ledger,
                         Duration safetyMargin, Clock clock, Random random, Sleeper sleeper, Budgets budgets,
                         Redelivery redelivery, ClassLoader processorClasses) {
        this.processorClasses = processorClasses;
        this.dynamoDb = dynamoDb;
        this.ledger = ledger;
        this.clock = clock;
        this.random = random;
        this.sleeper = sleeper;
        this.budgets = budgets;
        this.retrier = new Retrier(Backoff.DEFAULT, random, sleeper);
        this.failures = new SegmentFailures(ledger);
        this.failedDeliveries = new FailedDeliveries(ledger, sqs, queueUrl, redelivery, random);
        this.redelivery = redelivery;
        this.pages = new SegmentPages(new SegmentScanner(dynamoDb), ledger, new Continuation(ledger, sqs, queueUrl),
                failures, retrier, safetyMargin, clock, scanning,
                new CollectionSplitter(dynamoDb, ledger, sqs, queueUrl));
    }

    /** Builds a worker from the Lambda environment (see {@link WorkerEnv}) with clients for this region. */
    public static SegmentWorker fromEnvironment(Map<String, String> env) {
        // The environment is read before any client is built, so that a missing variable is what the error
        // names, not the region or credentials the clients would look for first.
        String ledgerTable = WorkerEnv.required(env, WorkerEnv.LEDGER_TABLE);
        String queueUrl = WorkerEnv.required(env, WorkerEnv.SEGMENT_QUEUE_URL);
        Duration margin = Duration.ofSeconds(WorkerEnv.number(env, WorkerEnv.SAFETY_MARGIN_SECONDS, 60));
        Duration doneSegmentTtl = Duration.ofDays(WorkerEnv.number(env, WorkerEnv.LEDGER_RECORD_TTL_DAYS, 0));
        Redelivery redelivery = WorkerEnv.redelivery(env);
        AwsClients clients = AwsClients.defaults().withMaxConnections(
                dynamoDbConnections(JobConfig.MAX_WRITES_IN_FLIGHT));
        DynamoDbClient dynamoDb = clients.dynamoDb();
        Clock clock = Clock.systemUTC();
        return new SegmentWorker(dynamoDb, clients.sqs(), queueUrl,
                new ProgressLedger(dynamoDb, ledgerTable, clock, doneSegmentTtl),
                margin, clock, new Random(), Sleeper.SYSTEM, Budgets.PER_WORKER_SHARE, redelivery);
    }

    private static ExecutorService ledgerThread(String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Processes a batch of messages before {@code deadline}. The first page of the batch always runs, so
     * every invocation makes progress however small its budget.
     */
    public BatchResult process(List<QueuedMessage> messages, Deadline deadline) {
        return process(messages.iterator(), deadline);
    }

    /**
     * Processes messages taken one at a time from {@code messages} before {@code deadline}. Every message
     * taken has a report in the result; a failed one comes back after its backoff (see {@link Redelivery}).
     */
    public BatchResult process(Iterator<QueuedMessage> messages, Deadline deadline) {
        List<Delivery> deliveries = new ArrayList<>();
        SegmentPages.Progress progress = new SegmentPages.Progress();
        Completions completions = new Completions(ledger, failures, retrier, clock, completing);
        Claims.Refusals refusals = (queued, message, failure) -> deliveries.add(new Delivery(queued, message,
                clock.instant(), new SegmentPages.Tally(), CompletableFuture.failedFuture(failure), clock));
        Claims claims = new Claims(messages, deadline, refusals, this::run, ledger, claiming);
        for (Claims.Taken next = claims.next(); next != null; next = claims.next()) {
            Instant started = clock.instant();
            SegmentPages.Tally tally = new SegmentPages.Tally();
            CompletableFuture<SegmentOutcome> outcome;
            try {
                outcome = pages.work(next, deadline, progress, completions, claims, tally);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = CompletableFuture.failedFuture(e);
            } catch (RuntimeException e) {
                outcome = CompletableFuture.failedFuture(e);
            }
            deliveries.add(new Delivery(next.queued(), next.message(), started, tally, outcome, clock));
            completions.flushDue();
        }
        completions.flushAll();
        List<SegmentReport> reports = new ArrayList<>(deliveries.size());
        Map<QueuedMessage, Throwable> failed = new LinkedHashMap<>();
        for (Delivery delivery : deliveries) {
            Settled settled = delivery.settle();
            if (settled.failure() != null) {
                SegmentFailures.log(delivery.queued().messageId(), settled.failure());
                failed.put(delivery.queued(), settled.failure());
            }
            reports.add(delivery.report(settled, settled.failure() != null
                    && redelivery.lastReceive(delivery.queued().receiveCount())));
        }
        failedDeliveries.settle(failed);
        return new BatchResult(reports);
    }

    /** A message's outcome, for a failed one the failure, and when it was known. */
    private record Settled(SegmentOutcome outcome, Throwable failure, Instant ended) {
    }

    /**
     * A message taken from a batch: what its delivery did so far and its outcome, settled once a completing
     * transaction (on the completion thread) is done.
     */
    private record Delivery(QueuedMessage queued, SegmentMessage message, Instant started, SegmentPages.Tally tally,
                            CompletableFuture<SegmentOutcome> outcome, CompletableFuture<Instant> ended) {

        Delivery(QueuedMessage queued, SegmentMessage message, Instant started, SegmentPages.Tally tally,
                 CompletableFuture<SegmentOutcome> outcome, Clock clock) {
            this(queued, message, started, tally, outcome, outcome.handle((o, e) -> clock.instant()));
        }

        /** Waits for the outcome (its completing transaction, if any); a failure fails the message. */
        Settled settle() {
            try {
                return new Settled(outcome.get(), null, ended.join());
            } catch (InterruptedException e) {
                // Failing the message is safe: if the transaction went through, the redelivery finds it done.
                Thread.currentThread().interrupt();
                return new Settled(SegmentOutcome.FAILED, e, ended.getNow(started));
            } catch (ExecutionException e) {
                return new Settled(SegmentOutcome.FAILED, e.getCause(), ended.join());
            }
        }

        SegmentReport report(Settled settled, boolean deadLettered) {
            return new SegmentReport(queued.messageId(), message == null ? null : message.runId(),
                    message == null ? null : message.segment(), message == null ? 0 : message.continuation(),
                    queued.receiveCount(), settled.outcome(), deadLettered, tally.counts, tally.throttles,
                    Duration.between(started, settled.ended()),
                    settled.failure() == null ? null : SegmentFailures.describe(settled.failure()),
                    message == null ? 0 : message.rangeIndex());
        }
    }

    /** The run's context, built once per worker on its first message. */
    private RunContext run(String runId) {
        return runs.computeIfAbsent(runId, this::loadRun);
    }

    private RunContext loadRun(String runId) {
        RunRecord run = ledger.findRun(runId).orElseThrow(() -> new IllegalStateException(
                "Run " + runId + " is not in ledger " + ledger.table() + "; was it seeded into another stack?"));
        TableValidator tables = new TableValidator(dynamoDb);
        TableShape destination = tables.describe(run.job().destinationTable(), "DestinationTable", "--destination");
        JobConfig job = run.job();
        TableShape source = job.inPlace() ? destination : tables.describe(job.sourceTable(), "SourceTable", "--source");
        CapacityBudget writeBudget = budgets.write(runId, job, clock, sleeper);
        ItemProcessor processor = job.updatesWithExpression() ? null
                : ItemProcessors.create(job.processor(), processorClasses);
        return new RunContext(job, processor,
                ItemWriter.forJob(dynamoDb, destination, job, writeBudget, Backoff.DEFAULT, random, sleeper),
                RateLimiter.of(job.rateLimit(), clock, sleeper), budgets.read(runId, job, clock, sleeper), writeBudget,
                source);
    }
}
