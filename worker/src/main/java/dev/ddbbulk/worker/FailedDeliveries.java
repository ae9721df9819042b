package dev.ddbbulk.worker;

import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;

/**
 * The end of a failed delivery, before its message is reported as a batch item failure: the message's
 * visibility timeout is shortened to its {@link Redelivery} backoff, and on the queue's last receive its
 * segment is marked dead-lettered in the ledger with the error, so that the run's verdict needs no queue.
 */
final class FailedDeliveries {
    private static final Logger LOG = LoggerFactory.getLogger(FailedDeliveries.class);
    private static final int SQS_BATCH = 10;

    private final ProgressLedger ledger;
    private final SqsClient sqs;
    private final String queueUrl;
    private final Redelivery redelivery;
    private final Random random;

    FailedDeliveries(ProgressLedger ledger, SqsClient sqs, String queueUrl, Redelivery redelivery, Random random) {
        this.ledger = ledger;
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.redelivery = redelivery;
        this.random = random;
    }

    /**
     * Settles the batch's failed messages, each with the failure that ended it. A step that fails here is
     * added to that failure and logged: the message still comes back, after its visibility timeout at worst.
     */
    void settle(Map<QueuedMessage, Throwable> failed) {
        List<ChangeMessageVisibilityBatchRequestEntry> visibility = new ArrayList<>();
        failed.forEach((message, failure) -> {
            if (redelivery.lastReceive(message.receiveCount())) {
                deadLetter(message, failure);
            }
            if (message.receiptHandle() != null) {
                visibility.add(ChangeMessageVisibilityBatchRequestEntry.builder()
                        .id(Integer.toString(visibility.size())).receiptHandle(message.receiptHandle())
                        .visibilityTimeout(redelivery.visibilitySeconds(message.receiveCount(), random)).build());
            }
        });
        for (int from = 0; from < visibility.size(); from += SQS_BATCH) {
            changeVisibility(visibility.subList(from, Math.min(visibility.size(), from + SQS_BATCH)));
        }
    }

    private void deadLetter(QueuedMessage message, Throwable failure) {
        SegmentMessage segment;
        try {
            segment = SegmentMessageCodec.fromJson(message.body());
        } catch (RuntimeException unreadable) {
            LOG.error("Message {} failed on its last receive and names no segment, so no run records it: {}",
                    message.messageId(), SegmentFailures.describe(failure));
            return;
        }
        try {
            boolean marked = ledger.recordDeadLettered(segment.runId(), segment.segment(), segment.rangeIndex(),
                    message.messageId(), SegmentFailures.describe(failure));
            LOG.error("{} of run {} failed on its last receive ({}) and goes to the dead-letter queue{}: {}",
                    capitalized(segment.describe()), segment.runId(), message.receiveCount(),
                    marked ? "" : " (the ledger has it done or held by another delivery)",
                    SegmentFailures.describe(failure));
        } catch (RuntimeException e) {
            LOG.error("{} of run {} goes to the dead-letter queue, but the ledger could not record it"
                    + " (the run will look stalled, not failed): {}", capitalized(segment.describe()), segment.runId(),
                    SegmentFailures.describe(e), e);
        }
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private void changeVisibility(List<ChangeMessageVisibilityBatchRequestEntry> entries) {
        try {
            ChangeMessageVisibilityBatchResponse response =
                    sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries));
            if (response.hasFailed() && !response.failed().isEmpty()) {
                LOG.warn("SQS kept the visibility timeout of {} failed message(s); they come back after it: {}",
                        response.failed().size(), response.failed());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not shorten the visibility timeout of {} failed message(s); they come back after it: {}",
                    entries.size(), SegmentFailures.describe(e), e);
        }
    }
}
