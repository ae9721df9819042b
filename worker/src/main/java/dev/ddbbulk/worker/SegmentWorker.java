package dev.ddbbulk.worker;

import dev.ddbbulk.core.aws.AwsClients;
import dev.ddbbulk.core.job.ItemProcessors;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.rate.RateLimiter;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.retry.Throttling;
import dev.ddbbulk.worker.scan.ScanPage;
import dev.ddbbulk.worker.scan.SegmentScanner;
import dev.ddbbulk.worker.write.ItemWriter;
import dev.ddbbulk.worker.write.WriteResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Works segment messages: claims the segment in the ledger, scans it page by page from its checkpoint,
 * passes each page to the job's processor, writes the result, and checkpoints. When the deadline comes
 * within the safety margin it checkpoints, sends a continuation message and acknowledges the current one.
 *
 * <p>Knows nothing of Lambda: the worker Lambda and the CLI's local fleet both call {@link #process}.
 * One instance is one worker: not thread-safe, it owns its rate limiter and a completion thread.
 */
public final class SegmentWorker {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentWorker.class);
    /**
     * DynamoDB calls one worker may have in flight at once: its scan or write, the next segment's claim on
     * its claim thread, and a completing transaction on its completion thread. Size HTTP pools from it.
     */
    public static final int DYNAMODB_CALLS_IN_FLIGHT = 3;

    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final String queueUrl;
    private final ProgressLedger ledger;
    private final Duration safetyMargin;
    private final Clock clock;
    private final Random random;
    private final Sleeper sleeper;
    private final SegmentScanner scanner;
    private final Map<String, RunContext> runs = new ConcurrentHashMap<>();
    private final Budgets budgets;
    /**
     * Runs completing transactions, one at a time, while the worker goes on to its next message. Its thread
     * ends after a second without work, so a worker that is dropped leaves no thread behind.
     */
    private final ExecutorService completions = ledgerThread("ddb-bulk-complete");
    /** Claims the next message's segment while the current segment's last page is written; idle threads end. */
    private final ExecutorService claiming = ledgerThread("ddb-bulk-claim");

    /**
     * Where a worker's capacity budgets come from. Lambda workers each hold an even share of the job's
     * budget ({@link #PER_WORKER_SHARE}); workers in one JVM share one budget for the whole fleet, which
     * stays exact however the segments fall to them.
     */
    public interface Budgets {
        CapacityBudget read(String runId, JobConfig job, Clock clock, Sleeper sleeper);

        CapacityBudget write(String runId, JobConfig job, Clock clock, Sleeper sleeper);

        Budgets PER_WORKER_SHARE = new Budgets() {
            @Override
            public CapacityBudget read(String runId, JobConfig job, Clock clock, Sleeper sleeper) {
                return CapacityBudget.of(job.readUnitsPerWorker(), clock, sleeper);
            }

            @Override
            public CapacityBudget write(String runId, JobConfig job, Clock clock, Sleeper sleeper) {
                return CapacityBudget.of(job.writeUnitsPerWorker(), clock, sleeper);
            }
        };

        /** One budget per run for all the workers that use this instance. */
        static Budgets sharedByFleet() {
            Map<String, CapacityBudget> reads = new ConcurrentHashMap<>();
            Map<String, CapacityBudget> writes = new ConcurrentHashMap<>();
            return new Budgets() {
                @Override
                public CapacityBudget read(String runId, JobConfig job, Clock clock, Sleeper sleeper) {
                    return reads.computeIfAbsent(runId, id -> CapacityBudget.of(job.maxReadUnits(), clock, sleeper));
                }

                @Override
                public CapacityBudget write(String runId, JobConfig job, Clock clock, Sleeper sleeper) {
                    return writes.computeIfAbsent(runId, id -> CapacityBudget.of(job.maxWriteUnits(), clock, sleeper));
                }
            };
        }
    }

    public SegmentWorker(DynamoDbClient dynamoDb, SqsClient sqs, String queueUrl, ProgressLedger ledger,
                         Duration safetyMargin, Clock clock, Random random, Sleeper sleeper) {
        this(dynamoDb, sqs, queueUrl, ledger, safetyMargin, clock, random, sleeper, Budgets.PER_WORKER_SHARE);
    }

    public SegmentWorker(DynamoDbClient dynamoDb, SqsClient sqs, String queueUrl, ProgressLedger ledger,
                         Duration safetyMargin, Clock clock, Random random, Sleeper sleeper, Budgets budgets) {
        this.budgets = budgets;
        this.dynamoDb = dynamoDb;
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.ledger = ledger;
        this.safetyMargin = safetyMargin;
        this.clock = clock;
        this.random = random;
        this.sleeper = sleeper;
        this.scanner = new SegmentScanner(dynamoDb);
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

    /** Builds a worker from the Lambda environment (see {@link WorkerEnv}) with clients for this region. */
    public static SegmentWorker fromEnvironment(Map<String, String> env) {
        AwsClients clients = AwsClients.defaults();
        DynamoDbClient dynamoDb = clients.dynamoDb();
        Clock clock = Clock.systemUTC();
        Duration margin = Duration.ofSeconds(Long.parseLong(env.getOrDefault(WorkerEnv.SAFETY_MARGIN_SECONDS, "60")));
        return new SegmentWorker(dynamoDb, clients.sqs(), WorkerEnv.required(env, WorkerEnv.SEGMENT_QUEUE_URL),
                new ProgressLedger(dynamoDb, WorkerEnv.required(env, WorkerEnv.LEDGER_TABLE), clock),
                margin, clock, new Random(), Sleeper.SYSTEM);
    }

    /**
     * Processes a batch of messages before {@code deadline}. The first page of the batch always runs, so
     * every invocation makes progress however small its budget.
     */
    public BatchResult process(List<QueuedMessage> messages, Deadline deadline) {
        return process(messages.iterator(), deadline);
    }

    /**
     * Processes messages taken one at a time from {@code messages}, which may bring them only when asked
     * (the local fleet takes a message from the queue only when a worker is free for it), before
     * {@code deadline}. Every message taken has an outcome in the result.
     */
    public BatchResult process(Iterator<QueuedMessage> messages, Deadline deadline) {
        Map<String, Future<SegmentOutcome>> pending = new LinkedHashMap<>();
        Progress progress = new Progress();
        Completions completing = new Completions();
        Claims claims = new Claims(messages, deadline, pending);
        for (Taken next = claims.next(); next != null; next = claims.next()) {
            Future<SegmentOutcome> outcome;
            try {
                outcome = processOne(next, deadline, progress, completing, claims);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = CompletableFuture.completedFuture(SegmentOutcome.FAILED);
            } catch (RuntimeException e) {
                outcome = failed(next.messageId(), e);
            }
            pending.put(next.messageId(), outcome);
            completing.flushDue();
        }
        completing.flushAll();
        List<String> failed = new ArrayList<>();
        Map<String, SegmentOutcome> outcomes = new LinkedHashMap<>();
        pending.forEach((messageId, future) -> {
            SegmentOutcome outcome = settle(messageId, future);
            if (outcome == SegmentOutcome.FAILED) {
                failed.add(messageId);
            }
            outcomes.put(messageId, outcome);
        });
        return new BatchResult(List.copyOf(failed), outcomes, progress.counts);
    }

    /** The outcome of a message that failed with {@code e}, logged: it is reported and retried. */
    private static Future<SegmentOutcome> failed(String messageId, RuntimeException e) {
        LOG.warn("Message {} failed and will be retried: {}", messageId, describe(e), e);
        return CompletableFuture.completedFuture(SegmentOutcome.FAILED);
    }

    /** Waits for a segment's completing transaction; a failed one fails its message, which is retried. */
    private static SegmentOutcome settle(String messageId, Future<SegmentOutcome> outcome) {
        try {
            return outcome.get();
        } catch (InterruptedException e) {
            // Failing the message is safe: if the transaction went through, the redelivery finds it done.
            Thread.currentThread().interrupt();
            return SegmentOutcome.FAILED;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            LOG.warn("Message {} failed and will be retried: {}", messageId, describe(cause), cause);
            return SegmentOutcome.FAILED;
        }
    }

    /**
     * Works one message, whose claim {@code claims} sent, up to its segment's last page, and sends the next
     * message's claim once that page is processed, before it is written. The segment is then marked done
     * together with the other segments of the batch that ended within the run's checkpoint interval, in one
     * transaction on this worker's completion thread (settled before the batch returns), so the ledger's
     * slowest call neither holds up the scan nor runs once a segment.
     */
    private Future<SegmentOutcome> processOne(Taken taken, Deadline deadline, Progress progress,
                                              Completions completing, Claims claims) throws InterruptedException {
        SegmentMessage message = taken.message();
        RunContext run = taken.run();
        var claim = taken.claim();
        if (claim instanceof ProgressLedger.Claim.AlreadyDone) {
            return CompletableFuture.completedFuture(SegmentOutcome.ALREADY_DONE);
        }
        if (claim instanceof ProgressLedger.Claim.Leased) {
            return CompletableFuture.completedFuture(SegmentOutcome.DUPLICATE_IN_FLIGHT);
        }
        var granted = (ProgressLedger.Claim.Granted) claim;
        ProgressLedger.Lease lease = granted.lease();
        SegmentRecord record = granted.segment();
        Map<String, AttributeValue> key = record.checkpoint() != null ? record.checkpoint()
                : record.pages() == 0 ? message.exclusiveStartKey() : null;
        Counts totals = record.counts();
        // Pages written but not yet checkpointed: saved every checkpoint interval, and always at the end,
        // before a continuation and after a failure. Only a worker killed outright loses them (and writes
        // them again on redelivery, as it would a page written just before a per-page checkpoint).
        ProgressLedger.Pages unsaved = ProgressLedger.Pages.NONE;
        Instant nextCheckpoint = clock.instant().plus(run.job.checkpointInterval());
        try {
            while (true) {
                if (progress.pages > 0 && deadline.remaining().compareTo(safetyMargin) < 0) {
                    ledger.releaseForContinuation(lease, unsaved);
                    unsaved = ProgressLedger.Pages.NONE;
                    String body = SegmentMessageCodec.toJson(message.continueAt(key));
                    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
                    return CompletableFuture.completedFuture(SegmentOutcome.CONTINUED);
                }
                Map<String, AttributeValue> startKey = key;
                ScanPage page = Throttling.retry(() -> scanner.scanPage(run.job.sourceTable(), message.segment(),
                        message.totalSegments(), startKey, run.job.pageSize(), run.job.consistentRead(),
                        run.readBudget.consumedCapacityToReturn()),
                        run.readBudget, Backoff.DEFAULT, random, sleeper);
                run.readBudget.consumed(page.consumedReadUnits());
                // The next message's claim, a ledger round trip, runs while the last page is written.
                Counts pageCounts = run.handle(page, page.last() ? claims::claimNext : () -> { });
                progress.pages++;
                progress.counts = progress.counts.plus(pageCounts);
                totals = totals.plus(pageCounts);
                unsaved = unsaved.plus(pageCounts, page.lastEvaluatedKey());
                if (page.last()) {
                    return completing.add(run.job,
                            new ProgressLedger.Completion(lease, unsaved, totals, record.continuations()));
                }
                key = page.lastEvaluatedKey();
                if (!clock.instant().isBefore(nextCheckpoint)) {
                    lease = ledger.checkpoint(lease, unsaved);
                    unsaved = ProgressLedger.Pages.NONE;
                    nextCheckpoint = clock.instant().plus(run.job.checkpointInterval());
                }
                completing.flushDue();
            }
        } catch (ProgressLedger.LeaseLostException e) {
            LOG.warn("{}; another delivery carries the segment on", e.getMessage());
            return CompletableFuture.completedFuture(SegmentOutcome.DUPLICATE_IN_FLIGHT);
        } catch (RuntimeException | InterruptedException e) {
            recordFailure(lease, e, unsaved);
            throw e;
        }
    }

    /**
     * Marks segments done in one transaction, sending it again (with jittered backoff) while DynamoDB
     * cancels it for a conflict with another transaction on the run record. A failure fails every one of
     * them: their next deliveries go on from their last checkpoints.
     */
    private void complete(List<Completing> batch) {
        List<ProgressLedger.Completion> completions = batch.stream().map(Completing::completion).toList();
        try {
            List<ProgressLedger.Completion> lost = completeWithRetry(completions);
            for (Completing c : batch) {
                if (lost.contains(c.completion())) {
                    LOG.warn("Lost the lease on segment {} of run {}; another delivery carries the segment on",
                            c.completion().lease().segment(), c.completion().lease().runId());
                    c.outcome().complete(SegmentOutcome.DUPLICATE_IN_FLIGHT);
                } else {
                    c.outcome().complete(SegmentOutcome.COMPLETED);
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            for (Completing c : batch) {
                // The last page has no key to resume after: the next delivery goes on from the last checkpoint.
                recordFailure(c.completion().lease(), e, ProgressLedger.Pages.NONE);
                c.outcome().completeExceptionally(e);
            }
        } catch (Error e) {
            batch.forEach(c -> c.outcome().completeExceptionally(e));
            throw e;
        }
    }

    private List<ProgressLedger.Completion> completeWithRetry(List<ProgressLedger.Completion> completions)
            throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return ledger.complete(completions);
            } catch (TransactionCanceledException e) {
                if (!ProgressLedger.isTransactionConflict(e) || attempt + 1 >= Backoff.DEFAULT.maxAttempts()) {
                    throw e;
                }
            }
            sleeper.sleep(Backoff.DEFAULT.delay(attempt, random));
        }
    }

    /** Records why a delivery failed, keeping {@code failure} as the error that counts. */
    private void recordFailure(ProgressLedger.Lease lease, Exception failure, ProgressLedger.Pages unsaved) {
        try {
            ledger.recordFailure(lease, describe(failure), unsaved);
        } catch (RuntimeException recordFailure) {
            failure.addSuppressed(recordFailure);
        }
    }

    private RunContext loadRun(String runId) {
        RunRecord run = ledger.findRun(runId).orElseThrow(() -> new IllegalStateException(
                "Run " + runId + " is not in ledger " + ledger.table() + "; was it seeded into another stack?"));
        TableShape destination = new TableValidator(dynamoDb).describe(run.job().destinationTable(),
                "DestinationTable", "--destination");
        JobConfig job = run.job();
        CapacityBudget writeBudget = budgets.write(runId, job, clock, sleeper);
        return new RunContext(job, ItemProcessors.create(job.processor()),
                new ItemWriter(dynamoDb, destination, job.writeMode(), job.versionAttribute(), job.inPlace(),
                        writeBudget, Backoff.DEFAULT, random, sleeper),
                RateLimiter.of(job.rateLimit(), clock, sleeper), budgets.read(runId, job, clock, sleeper));
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /**
     * Takes the batch's messages one at a time and claims each one's segment on the claim thread. A worker
     * asks for the next claim when its current segment's last page is processed, so the claim's round trip
     * runs while that page is written: a message is taken early by at most one page's write, never while a
     * slow processor holds the worker.
     */
    private final class Claims {
        private final Iterator<QueuedMessage> messages;
        private final Deadline deadline;
        private final Map<String, Future<SegmentOutcome>> outcomes;
        private Taken ahead;

        Claims(Iterator<QueuedMessage> messages, Deadline deadline, Map<String, Future<SegmentOutcome>> outcomes) {
            this.messages = messages;
            this.deadline = deadline;
            this.outcomes = outcomes;
        }

        /** The next message to work, its claim on its way; null when the batch has no more. */
        Taken next() {
            claimNext();
            Taken next = ahead;
            ahead = null;
            return next;
        }

        /** Takes the next readable message, if any and none is taken yet, and sends its claim. */
        void claimNext() {
            while (ahead == null && messages.hasNext()) {
                ahead = take(messages.next());
            }
        }

        /** A message with its claim sent, or null when it is unreadable: its outcome is then a failure. */
        private Taken take(QueuedMessage queued) {
            try {
                SegmentMessage message = SegmentMessageCodec.fromJson(queued.body());
                RunContext run = runs.computeIfAbsent(message.runId(), SegmentWorker.this::loadRun);
                if (message.totalSegments() != run.job.totalSegments()) {
                    throw new IllegalArgumentException("Message for segment " + message.segment() + " says "
                            + message.totalSegments() + " segments but run " + message.runId() + " has "
                            + run.job.totalSegments());
                }
                String owner = UUID.randomUUID().toString();
                Instant leaseUntil = deadline.at().plus(ProgressLedger.leaseGrace());
                Future<ProgressLedger.Claim> claim = claiming.submit(() ->
                        ledger.claim(message.runId(), message.segment(), queued.messageId(), owner, leaseUntil,
                                message.resumedAt()));
                return new Taken(queued.messageId(), message, run, claim);
            } catch (RuntimeException e) {
                outcomes.put(queued.messageId(), failed(queued.messageId(), e));
                return null;
            }
        }
    }

    /** A message taken from the batch, with its run and its segment's claim, sent or answered. */
    private record Taken(String messageId, SegmentMessage message, RunContext run,
                         Future<ProgressLedger.Claim> pendingClaim) {
        /**
         * The claim's answer. It waits through an interrupt (keeping it for the caller), as a synchronous
         * call would: a claim granted but never seen would hold the segment against every other message
         * until its lease ran out.
         */
        ProgressLedger.Claim claim() {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return pendingClaim.get();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException cause) {
                            throw cause;
                        }
                        if (e.getCause() instanceof Error cause) {
                            throw cause;
                        }
                        throw new IllegalStateException("Claim of segment " + message.segment() + " failed", e.getCause());
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A segment to be marked done, and where its message's outcome goes once it is. */
    private record Completing(ProgressLedger.Completion completion, CompletableFuture<SegmentOutcome> outcome) {
    }

    /**
     * The segments of one batch whose last page is written, gathered a run at a time and marked done in one
     * transaction when the run's checkpoint interval has passed since the first of them ended (at once with
     * an interval of 0), when {@link ProgressLedger#MAX_COMPLETIONS} are waiting, and at the end of the batch.
     */
    private final class Completions {
        /** Per run, the segments waiting, oldest first, and when they are due. */
        private final Map<String, Waiting> waiting = new LinkedHashMap<>();

        private record Waiting(List<Completing> segments, Instant due) {
        }

        Future<SegmentOutcome> add(JobConfig job, ProgressLedger.Completion completion) {
            String runId = completion.lease().runId();
            CompletableFuture<SegmentOutcome> outcome = new CompletableFuture<>();
            Waiting run = waiting.computeIfAbsent(runId,
                    id -> new Waiting(new ArrayList<>(), clock.instant().plus(job.checkpointInterval())));
            run.segments().add(new Completing(completion, outcome));
            if (run.segments().size() >= ProgressLedger.MAX_COMPLETIONS) {
                flush(runId);
            }
            flushDue();
            return outcome;
        }

        void flushDue() {
            if (waiting.isEmpty()) {
                return;
            }
            Instant now = clock.instant();
            List.copyOf(waiting.keySet()).forEach(runId -> {
                if (!now.isBefore(waiting.get(runId).due())) {
                    flush(runId);
                }
            });
        }

        void flushAll() {
            List.copyOf(waiting.keySet()).forEach(this::flush);
        }

        private void flush(String runId) {
            List<Completing> batch = waiting.remove(runId).segments();
            completions.execute(() -> complete(batch));
        }
    }

    /** What this invocation did, for live progress. */
    private static final class Progress {
        long pages;
        Counts counts = Counts.ZERO;
    }

    /** A run's job and the collaborators built for it once per worker. */
    private record RunContext(JobConfig job, ItemProcessor processor, ItemWriter writer, RateLimiter rateLimiter,
                              CapacityBudget readBudget) {
        /** Processes and writes a page, running {@code beforeWrite} once it is processed. */
        Counts handle(ScanPage page, Runnable beforeWrite) throws InterruptedException {
            List<ItemAction> actions = processor.processPage(page.items());
            if (actions.size() != page.items().size()) {
                throw new IllegalStateException("ItemProcessor " + job.processor() + " returned " + actions.size()
                        + " actions for a page of " + page.items().size() + " items; return one per item");
            }
            rateLimiter.acquire(page.items().size());
            long puts = actions.stream().filter(ItemAction.Put.class::isInstance).count();
            long deletes = actions.stream().filter(ItemAction.Delete.class::isInstance).count();
            long skipped = actions.size() - puts - deletes;
            beforeWrite.run();
            if (job.dryRun()) {
                // Counted as if written, so the summary says what a real run would write; nothing is.
                return new Counts(page.items().size(), puts, deletes, skipped, 0);
            }
            WriteResult result = writer.write(page.items(), actions);
            return new Counts(page.items().size(), result.written(), result.deleted(), skipped,
                    result.conditionalFailures(), result.alreadyApplied());
        }
    }
}
