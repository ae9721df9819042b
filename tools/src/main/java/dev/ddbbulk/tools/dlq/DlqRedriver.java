package dev.ddbbulk.tools.dlq;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ListMessageMoveTasksResultEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SqsException;
import software.amazon.awssdk.services.sqs.model.UnsupportedOperationException;

/**
 * Moves every message of a DLQ back to the segment queue. Prefers SQS's own message move task
 * (StartMessageMoveTask), which moves each message exactly once, and waits for it to complete. Where the
 * endpoint lacks it, copies instead: receive, send to the target, and delete from the DLQ only after the send
 * succeeded. That is at least once: a delete that fails after its send leaves a duplicate, which is harmless
 * because the worker acknowledges a message for a completed segment without doing any work.
 */
public final class DlqRedriver {
    private static final Logger LOG = LoggerFactory.getLogger(DlqRedriver.class);
    private static final Set<String> UNSUPPORTED = Set.of("UnsupportedOperation",
            "AWS.SimpleQueueService.UnsupportedOperation", "InvalidAction", "UnknownOperationException");
    /** How long a copied message stays hidden in the DLQ between its receive and its delete. */
    private static final int COPY_VISIBILITY_SECONDS = 60;
    private static final int QUIET_RECEIVES_TO_STOP = 2;

    private final SqsClient sqs;
    private final Clock clock;
    private final Duration pollInterval;

    public DlqRedriver(SqsClient sqs, Clock clock, Duration pollInterval) {
        this.sqs = sqs;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    public enum Method { MOVE_TASK, COPY }

    /**
     * @param refused messages the target refused; they stay in the DLQ (visible again after a minute)
     */
    public record Result(Method method, long moved, long refused) {
    }

    /** A queue by both its names: the URL for sending and receiving, the ARN for move tasks. */
    public record Queue(String url, String arn) {
    }

    /**
     * Moves the DLQ's messages to the target and returns when none is left to move.
     *
     * @throws IllegalStateException when the move task fails, is cancelled, or outlasts {@code timeout}
     */
    public Result redrive(Queue dlq, Queue target, Duration timeout) throws InterruptedException {
        String handle;
        Instant startedAt = clock.instant();
        try {
            handle = sqs.startMessageMoveTask(b -> b.sourceArn(dlq.arn()).destinationArn(target.arn())).taskHandle();
        } catch (UnsupportedOperationException e) {
            return copy(dlq, target);
        } catch (SqsException e) {
            if (e.awsErrorDetails() != null && UNSUPPORTED.contains(e.awsErrorDetails().errorCode())) {
                return copy(dlq, target);
            }
            throw e;
        }
        Instant deadline = startedAt.plus(timeout);
        while (true) {
            ListMessageMoveTasksResultEntry task = latestTask(dlq, handle);
            if (task != null) {
                switch (task.status()) {
                    case "COMPLETED":
                        return new Result(Method.MOVE_TASK, orZero(task.approximateNumberOfMessagesMoved()), 0);
                    case "FAILED":
                        throw new IllegalStateException("The SQS message move task from " + dlq.arn() + " failed after"
                                + " moving " + orZero(task.approximateNumberOfMessagesMoved()) + " message(s): "
                                + task.failureReason() + "; the rest are still in the DLQ, run redrive again");
                    case "CANCELLING":
                    case "CANCELLED":
                        throw new IllegalStateException("The SQS message move task from " + dlq.arn()
                                + " was cancelled after moving " + orZero(task.approximateNumberOfMessagesMoved())
                                + " message(s); the rest are still in the DLQ");
                    default:
                        break; // RUNNING
                }
            }
            if (clock.instant().isAfter(deadline)) {
                throw new IllegalStateException("The SQS message move task from " + dlq.arn() + " is still running after "
                        + timeout.toSeconds() + " s; it goes on in SQS (see ListMessageMoveTasks)");
            }
            TimeUnit.MILLISECONDS.sleep(pollInterval.toMillis());
        }
    }

    /** Our task: SQS reports a task's handle only while it runs, and lists the most recent task first. */
    private ListMessageMoveTasksResultEntry latestTask(Queue dlq, String handle) {
        List<ListMessageMoveTasksResultEntry> tasks = sqs.listMessageMoveTasks(b -> b.sourceArn(dlq.arn()).maxResults(10))
                .results();
        for (ListMessageMoveTasksResultEntry task : tasks) {
            if (handle != null && handle.equals(task.taskHandle())) {
                return task;
            }
        }
        return tasks.isEmpty() ? null : tasks.get(0);
    }

    private Result copy(Queue dlq, Queue target) {
        LOG.info("{} does not support message move tasks; copying and deleting instead", dlq.url());
        long moved = 0;
        long refused = 0;
        int quiet = 0;
        while (quiet < QUIET_RECEIVES_TO_STOP) {
            List<Message> received = sqs.receiveMessage(b -> b.queueUrl(dlq.url()).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).visibilityTimeout(COPY_VISIBILITY_SECONDS).messageAttributeNames("All"))
                    .messages();
            if (received.isEmpty()) {
                quiet++;
                continue;
            }
            quiet = 0;
            Map<String, Message> byId = new HashMap<>();
            List<SendMessageBatchRequestEntry> sends = new ArrayList<>();
            for (int i = 0; i < received.size(); i++) {
                Message m = received.get(i);
                byId.put(Integer.toString(i), m);
                sends.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(m.body())
                        .messageAttributes(m.messageAttributes()).build());
            }
            var sent = sqs.sendMessageBatch(b -> b.queueUrl(target.url()).entries(sends));
            List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>();
            sent.successful().forEach(ok -> deletes.add(DeleteMessageBatchRequestEntry.builder().id(ok.id())
                    .receiptHandle(byId.get(ok.id()).receiptHandle()).build()));
            if (sent.hasFailed() && !sent.failed().isEmpty()) {
                // Not deleted, so not lost: they stay in the DLQ and reappear after the visibility timeout.
                refused += sent.failed().size();
                LOG.warn("{} refused {} message(s); they stay in the DLQ: {}", target.url(), sent.failed().size(),
                        sent.failed());
            }
            if (!deletes.isEmpty()) {
                var deleted = sqs.deleteMessageBatch(b -> b.queueUrl(dlq.url()).entries(deletes));
                if (deleted.hasFailed() && !deleted.failed().isEmpty()) {
                    LOG.warn("Could not delete {} copied message(s) from the DLQ; each will be redriven again,"
                            + " which the ledger makes harmless: {}", deleted.failed().size(), deleted.failed());
                }
            }
            moved += deletes.size();
        }
        return new Result(Method.COPY, moved, refused);
    }

    private static long orZero(Long n) {
        return n == null ? 0 : n;
    }
}
