package dev.ddbbulk.seeder.progress;

import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SQS's approximate message counts for one queue. Approximate means they can lag by about a minute, which
 * is why {@link ProgressCheck} confirms a verdict built on them before acting on it.
 *
 * @param visible    waiting to be received
 * @param notVisible received and not yet deleted: a worker holds it
 * @param delayed    sent with a delay and not yet visible
 */
public record QueueDepth(long visible, long notVisible, long delayed) {
    public static final QueueDepth EMPTY = new QueueDepth(0, 0, 0);

    public long total() {
        return visible + notVisible + delayed;
    }

    /** Reads the three counts with one GetQueueAttributes call. */
    public static QueueDepth read(SqsClient sqs, String queueUrl) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return new QueueDepth(count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES),
                count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
                count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
    }

    /** {@link #read} bound to a client: queue URL in, depth out. */
    public static Function<String, QueueDepth> reader(SqsClient sqs) {
        return url -> read(sqs, url);
    }

    private static long count(Map<QueueAttributeName, String> attributes, QueueAttributeName name) {
        String value = attributes.get(name);
        return value == null || value.isBlank() ? 0 : Long.parseLong(value.trim());
    }
}
