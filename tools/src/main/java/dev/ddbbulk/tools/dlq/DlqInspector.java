package dev.ddbbulk.tools.dlq;

import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Lists a dead-letter queue's messages without consuming them. SQS has no "peek": a message is only seen by
 * receiving it. Receiving with VisibilityTimeout=0 is not a listing, because the same messages may come back on
 * every receive and the rest are never reached (nor is it known when all were seen). So each receive hides what
 * it returns for a short {@code hold}, so that the next receive returns others; distinct message ids are
 * collected until receives bring no new ones; then every received message is made visible again at once
 * (ChangeMessageVisibility to 0). Nothing is deleted; if this process dies, the messages reappear after the hold.
 *
 * <p>Each receive adds one to a message's ApproximateReceiveCount. That is harmless here: the count only
 * matters to a queue's redrive policy, and a DLQ has none of its own.
 */
public final class DlqInspector {
    private static final Logger LOG = LoggerFactory.getLogger(DlqInspector.class);
    /** Consecutive receives without a new message after which the listing is taken as complete. */
    private static final int QUIET_RECEIVES_TO_STOP = 2;

    private final SqsClient sqs;
    private final Duration hold;

    public DlqInspector(SqsClient sqs, Duration hold) {
        this.sqs = sqs;
        this.hold = hold;
    }

    /**
     * A dead-lettered message.
     *
     * @param segment      null when the body is not a segment message
     * @param receiveCount ApproximateReceiveCount as SQS reported it (it includes this inspection's receive)
     */
    public record DeadLetter(String messageId, String body, SegmentMessage segment, long receiveCount) {
    }

    /** Up to {@code max} distinct messages of the queue, in the order first received; all left in the queue. */
    public List<DeadLetter> peek(String queueUrl, int max) {
        Map<String, Message> seen = new LinkedHashMap<>();
        int visibility = (int) Math.max(1, hold.toSeconds());
        try {
            int quiet = 0;
            while (seen.size() < max && quiet < QUIET_RECEIVES_TO_STOP) {
                int batch = Math.min(10, max - seen.size());
                List<Message> received = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(batch)
                        .waitTimeSeconds(1).visibilityTimeout(visibility)
                        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
                int fresh = 0;
                for (Message m : received) {
                    // The latest receipt handle is the one SQS honours for a visibility change.
                    if (seen.put(m.messageId(), m) == null) {
                        fresh++;
                    }
                }
                quiet = fresh == 0 ? quiet + 1 : 0;
            }
        } finally {
            release(queueUrl, new ArrayList<>(seen.values()));
        }
        List<DeadLetter> letters = new ArrayList<>(seen.size());
        for (Message m : seen.values()) {
            letters.add(new DeadLetter(m.messageId(), m.body(), segmentOf(m.body()), receiveCount(m)));
        }
        return letters;
    }

    private void release(String queueUrl, List<Message> messages) {
        for (int from = 0; from < messages.size(); from += 10) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (int i = from; i < Math.min(messages.size(), from + 10); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i))
                        .receiptHandle(messages.get(i).receiptHandle()).visibilityTimeout(0).build());
            }
            var response = sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries));
            if (response.hasFailed() && !response.failed().isEmpty()) {
                // Not lost: they become visible again when the hold ends.
                LOG.warn("Could not make {} inspected message(s) visible again; they reappear within {} s: {}",
                        response.failed().size(), hold.toSeconds(), response.failed());
            }
        }
    }

    private static SegmentMessage segmentOf(String body) {
        try {
            return SegmentMessageCodec.fromJson(body);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static long receiveCount(Message m) {
        String count = m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        return count == null ? 0 : Long.parseLong(count);
    }
}
