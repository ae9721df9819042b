package dev.ddbbulk.tools.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.worker.BatchResult;
import dev.ddbbulk.worker.SegmentOutcome;
import dev.ddbbulk.worker.SegmentWorker;
import dev.ddbbulk.worker.WorkerHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * A fleet of worker threads that consume the segment queue the way Lambda's SQS event source mapping
 * does: invoke a worker with up to {@link #BATCH_SIZE} messages and a time budget, delete what succeeded,
 * and leave failed messages to come back (after the worker's backoff) until the queue's redrive policy moves
 * them to the DLQ.
 *
 * <p>Each invocation calls the worker's Lambda handler ({@link WorkerHandler}) with an {@link SQSEvent} and a
 * {@link Context} whose remaining time is the time budget, so a local run exercises what Lambda runs.
 * Unlike Lambda, the fleet's workers share what they receive: messages are received 10 at a time (with
 * a visibility timeout of the budget and 30 s more) into one local buffer, and an invocation takes its
 * messages from it one at a time, when the worker writes its current segment's last page (and claims the
 * next segment meanwhile). So no worker waits for work while another holds messages it has not started,
 * which at the end of a run would leave workers idle for up to nine segments' time.
 */
public final class LocalFleet {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalFleet.class);
    /** Messages one invocation takes at most: the template's event source mapping gives Lambda 10 a batch. */
    static final int BATCH_SIZE = 10;
    private final SqsClient sqs;
    private final String queueUrl;
    private final List<WorkerHandler> workers;
    private final Duration timeBudget;
    private final Duration safetyMargin;
    private final int visibilitySeconds;
    /** Received and not yet taken, oldest first. */
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final Clock clock;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong itemsScanned = new AtomicLong();
    /** Messages settled, by what they came to; filled once, so reading it needs no lock. */
    private final Map<SegmentOutcome, AtomicLong> outcomes = new EnumMap<>(SegmentOutcome.class);
    private final AtomicLong settled = new AtomicLong();
    private final AtomicInteger busy = new AtomicInteger();

    /**
     * @param safetyMargin the workers' own: an invocation takes no further message once its deadline is
     *                     this close, since the worker would only hand it on as a continuation
     */
    public LocalFleet(SqsClient sqs, String queueUrl, List<SegmentWorker> workers, Duration timeBudget,
               Duration safetyMargin, Clock clock) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.workers = workers.stream().map(worker -> new WorkerHandler(worker, clock, this::record)).toList();
        this.timeBudget = timeBudget;
        this.safetyMargin = safetyMargin;
        this.visibilitySeconds = (int) Math.min(43_200, timeBudget.plusSeconds(30).toSeconds());
        this.clock = clock;
        for (SegmentOutcome outcome : SegmentOutcome.values()) {
            outcomes.put(outcome, new AtomicLong());
        }
    }

    /**
     * Runs the fleet until {@code finished} says so, checking every {@code pollInterval}.
     *
     * @throws IllegalStateException when a worker thread died of an unexpected error
     */
    public void runUntil(BooleanSupplier finished, Duration pollInterval) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(workers.size(), r -> {
            Thread t = new Thread(r, "ddb-bulk-worker");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> threads = new ArrayList<>();
        for (WorkerHandler worker : workers) {
            threads.add(pool.submit(() -> {
                consume(worker);
                return null;
            }));
        }
        try {
            while (!finished.getAsBoolean()) {
                for (Future<?> thread : threads) {
                    if (thread.isDone()) {
                        rethrow(thread);
                    }
                }
                TimeUnit.MILLISECONDS.sleep(pollInterval.toMillis());
            }
        } finally {
            stopping.set(true);
            pool.shutdown();
            if (!pool.awaitTermination(timeBudget.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        }
        for (Future<?> thread : threads) {
            rethrow(thread);
        }
        // After a failure they come back when their visibility timeout ends, as after a crash.
        releaseUnstarted();
    }

    private static void rethrow(Future<?> thread) throws InterruptedException {
        try {
            thread.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("A worker thread failed: " + e.getCause(), e.getCause());
        }
    }

    private void consume(WorkerHandler worker) {
        while (!stopping.get()) {
            Received first = take(1);
            if (first == null) {
                continue;
            }
            // Every message of the invocation was received no earlier than its first (the buffer is oldest
            // first), within a receive's time: the visibility timeout's 30 s over the budget covers that.
            Instant deadline = first.at().plus(timeBudget);
            InvocationRecords records = new InvocationRecords(first.message(), () -> takeBefore(deadline));
            SQSEvent event = new SQSEvent();
            event.setRecords(records);
            invocations.incrementAndGet();
            busy.incrementAndGet();
            try {
                SQSBatchResponse response = worker.handleRequest(event, new FleetContext(deadline, clock));
                acknowledge(records.taken(), response);
            } finally {
                busy.decrementAndGet();
            }
        }
    }

    /**
     * The oldest message received and not taken; when there is none, receives up to {@link #BATCH_SIZE}
     * more, waiting up to {@code waitSeconds} for them.
     */
    private Received take(int waitSeconds) {
        Received next = received.poll();
        if (next != null) {
            return next;
        }
        Instant at = clock.instant();
        ReceiveMessageResponse response = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                .maxNumberOfMessages(BATCH_SIZE).waitTimeSeconds(waitSeconds).visibilityTimeout(visibilitySeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                        MessageSystemAttributeName.SENT_TIMESTAMP));
        if (response.hasMessages()) {
            response.messages().forEach(m -> received.add(new Received(m, at)));
        }
        return received.poll();
    }

    /**
     * The next message for an invocation that must end by {@code deadline}; null when the fleet stops, the
     * deadline is within the safety margin (the worker would only hand the message on as a continuation), or
     * none is there.
     */
    private Message takeBefore(Instant deadline) {
        if (stopping.get() || Duration.between(clock.instant(), deadline).compareTo(safetyMargin) <= 0) {
            return null;
        }
        Received next = take(0);
        return next == null ? null : next.message();
    }

    /** Makes what was received but not taken visible again at once, for whoever works the queue next. */
    private void releaseUnstarted() {
        List<ChangeMessageVisibilityBatchRequestEntry> release = new ArrayList<>();
        for (Received r = received.poll(); r != null; r = received.poll()) {
            release.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(r.message().messageId())
                    .receiptHandle(r.message().receiptHandle()).visibilityTimeout(0).build());
        }
        for (int from = 0; from < release.size(); from += BATCH_SIZE) {
            List<ChangeMessageVisibilityBatchRequestEntry> chunk =
                    release.subList(from, Math.min(release.size(), from + BATCH_SIZE));
            sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(chunk));
        }
    }

    /** A message and when its receive began (its visibility timeout runs from about then). */
    private record Received(Message message, Instant at) {
    }

    private void record(BatchResult result) {
        Counts counts = result.counts();
        itemsScanned.addAndGet(counts.scanned());
        result.outcomes().values().forEach(outcome -> outcomes.get(outcome).incrementAndGet());
        settled.addAndGet(result.outcomes().size());
    }

    /**
     * Deletes what succeeded, as Lambda's event source mapping does; what failed comes back when the worker's
     * backoff, which set its visibility, has passed.
     */
    private void acknowledge(List<Message> messages, SQSBatchResponse response) {
        Set<String> failedIds = response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).collect(Collectors.toSet());
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (Message m : messages) {
            if (!failedIds.contains(m.messageId())) {
                done.add(DeleteMessageBatchRequestEntry.builder().id(m.messageId())
                        .receiptHandle(m.receiptHandle()).build());
            }
        }
        if (!done.isEmpty()) {
            var deleted = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(done));
            if (deleted.hasFailed() && !deleted.failed().isEmpty()) {
                // Not lost: the message comes back after its visibility timeout and the ledger acknowledges it.
                LOG.warn("SQS did not delete {} processed message(s); they will be redelivered and skipped: {}",
                        deleted.failed().size(), deleted.failed());
            }
        }
    }

    /** Messages the workers have finished with, whatever the outcome: a change means the ledger moved. */
    long messagesSettled() {
        return settled.get();
    }

    /** Whether any worker is working a batch of messages now. */
    public boolean busy() {
        return busy.get() > 0;
    }

    long invocations() {
        return invocations.get();
    }

    long itemsScanned() {
        return itemsScanned.get();
    }

    public long segmentsCompleted() {
        return outcomes(SegmentOutcome.COMPLETED);
    }

    long continuations() {
        return outcomes(SegmentOutcome.CONTINUED);
    }

    public long failures() {
        return outcomes(SegmentOutcome.FAILED);
    }

    /** How many messages the workers settled with {@code outcome}: duplicates too are acknowledged so. */
    public long outcomes(SegmentOutcome outcome) {
        return outcomes.get(outcome).get();
    }
}
