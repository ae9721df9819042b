package dev.ddbbulk.tools;

import dev.ddbbulk.core.BatchResult;
import dev.ddbbulk.core.Counts;
import dev.ddbbulk.core.Deadline;
import dev.ddbbulk.core.QueuedMessage;
import dev.ddbbulk.core.SegmentOutcome;
import dev.ddbbulk.core.SegmentWorker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * A fleet of worker threads that consume the segment queue the way Lambda's SQS event source mapping
 * does: receive up to 10 messages with a visibility timeout, invoke the worker with a time budget, delete
 * what succeeded, and leave failed messages to come back (after {@code retryDelay}) until the queue's
 * redrive policy moves them to the DLQ.
 */
final class LocalFleet {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalFleet.class);
    private final SqsClient sqs;
    private final String queueUrl;
    private final List<SegmentWorker> workers;
    private final Duration timeBudget;
    private final Duration retryDelay;
    private final Clock clock;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong itemsScanned = new AtomicLong();
    private final AtomicLong segmentsCompleted = new AtomicLong();
    private final AtomicLong continuations = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong settled = new AtomicLong();
    private final AtomicInteger busy = new AtomicInteger();

    LocalFleet(SqsClient sqs, String queueUrl, List<SegmentWorker> workers, Duration timeBudget,
               Duration retryDelay, Clock clock) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.workers = List.copyOf(workers);
        this.timeBudget = timeBudget;
        this.retryDelay = retryDelay;
        this.clock = clock;
    }

    /**
     * Runs the fleet until {@code finished} says so, checking every {@code pollInterval}.
     *
     * @throws IllegalStateException when a worker thread died of an unexpected error
     */
    void runUntil(BooleanSupplier finished, Duration pollInterval) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(workers.size(), r -> {
            Thread t = new Thread(r, "ddb-bulk-worker");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> threads = new ArrayList<>();
        for (SegmentWorker worker : workers) {
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
    }

    private static void rethrow(Future<?> thread) throws InterruptedException {
        try {
            thread.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("A worker thread failed: " + e.getCause(), e.getCause());
        }
    }

    private void consume(SegmentWorker worker) {
        int visibility = (int) Math.min(43_200, timeBudget.plusSeconds(30).toSeconds());
        while (!stopping.get()) {
            ReceiveMessageResponse response = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                    .maxNumberOfMessages(10).waitTimeSeconds(1).visibilityTimeout(visibility));
            if (!response.hasMessages() || response.messages().isEmpty()) {
                continue;
            }
            List<Message> messages = response.messages();
            Deadline deadline = Deadline.after(timeBudget, clock);
            invocations.incrementAndGet();
            busy.incrementAndGet();
            try {
                BatchResult result = worker.process(messages.stream()
                        .map(m -> new QueuedMessage(m.messageId(), m.body())).toList(), deadline);
                record(result);
                acknowledge(messages, result);
            } finally {
                busy.decrementAndGet();
            }
        }
    }

    private void record(BatchResult result) {
        Counts counts = result.counts();
        itemsScanned.addAndGet(counts.scanned());
        segmentsCompleted.addAndGet(result.count(SegmentOutcome.COMPLETED));
        continuations.addAndGet(result.count(SegmentOutcome.CONTINUED));
        failures.addAndGet(result.count(SegmentOutcome.FAILED));
        settled.addAndGet(result.outcomes().size());
    }

    private void acknowledge(List<Message> messages, BatchResult result) {
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        List<ChangeMessageVisibilityBatchRequestEntry> retry = new ArrayList<>();
        for (Message m : messages) {
            if (result.failedMessageIds().contains(m.messageId())) {
                retry.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(m.messageId())
                        .receiptHandle(m.receiptHandle()).visibilityTimeout((int) retryDelay.toSeconds()).build());
            } else {
                done.add(DeleteMessageBatchRequestEntry.builder().id(m.messageId())
                        .receiptHandle(m.receiptHandle()).build());
            }
        }
        if (!done.isEmpty()) {
            var response = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(done));
            if (response.hasFailed() && !response.failed().isEmpty()) {
                // Not lost: the message comes back after its visibility timeout and the ledger acknowledges it.
                LOG.warn("SQS did not delete {} processed message(s); they will be redelivered and skipped: {}",
                        response.failed().size(), response.failed());
            }
        }
        if (!retry.isEmpty()) {
            sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(retry));
        }
    }

    /** Messages the workers have finished with, whatever the outcome: a change means the ledger moved. */
    long messagesSettled() {
        return settled.get();
    }

    /** Whether any worker is working a batch of messages now. */
    boolean busy() {
        return busy.get() > 0;
    }

    long invocations() {
        return invocations.get();
    }

    long itemsScanned() {
        return itemsScanned.get();
    }

    long segmentsCompleted() {
        return segmentsCompleted.get();
    }

    long continuations() {
        return continuations.get();
    }

    long failures() {
        return failures.get();
    }
}
