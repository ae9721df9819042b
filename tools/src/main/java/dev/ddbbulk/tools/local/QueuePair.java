package dev.ddbbulk.tools.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The segment queue and its dead-letter queue, as the template creates them and the CLI creates locally.
 *
 * @param maxReceiveCount receives of a message before the redrive policy moves it to the dead-letter queue
 */
public record QueuePair(String queueUrl, String dlqUrl, int maxReceiveCount) {

    /**
     * Creates (or reuses) {@code name} and {@code name-dlq}; the segment queue's redrive policy moves a
     * message to the DLQ after {@code maxReceiveCount} receives.
     */
    public static QueuePair create(SqsClient sqs, String name, int maxReceiveCount, Duration visibilityTimeout) {
        String dlqUrl = sqs.createQueue(b -> b.queueName(name + "-dlq")
                .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"))).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
        String queueUrl = sqs.createQueue(b -> b.queueName(name).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY, redrive,
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(Math.min(43_200, visibilityTimeout.toSeconds())))))
                .queueUrl();
        return new QueuePair(queueUrl, dlqUrl, maxReceiveCount);
    }

    /**
     * Existing queues: the segment queue's redrive policy says after how many receives a message is
     * dead-lettered; without one, never (the worker then never marks a segment dead-lettered).
     */
    public static QueuePair existing(SqsClient sqs, String queueUrl, String dlqUrl) {
        String redrive = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                .attributes().get(QueueAttributeName.REDRIVE_POLICY);
        if (redrive == null || redrive.isBlank()) {
            return new QueuePair(queueUrl, dlqUrl, Integer.MAX_VALUE);
        }
        try {
            return new QueuePair(queueUrl, dlqUrl, new ObjectMapper().readTree(redrive).path("maxReceiveCount").asInt(
                    Integer.MAX_VALUE));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Queue " + queueUrl + " has a redrive policy that is not JSON: " + redrive, e);
        }
    }

    public void delete(SqsClient sqs) {
        sqs.deleteQueue(b -> b.queueUrl(queueUrl));
        sqs.deleteQueue(b -> b.queueUrl(dlqUrl));
    }

    /** Visible + in flight + delayed messages of a queue: exact on ElasticMQ, approximate on SQS. */
    public static long depth(SqsClient sqs, String url) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return a.values().stream().mapToLong(Long::parseLong).sum();
    }
}
