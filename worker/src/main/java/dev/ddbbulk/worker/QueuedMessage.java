package dev.ddbbulk.worker;

/**
 * A received SQS message as the worker sees it, whether it came from Lambda or the local fleet.
 *
 * @param receiptHandle what changes the message's visibility; null when there is none (a message built in a
 *                      test), and then a failure leaves its return to the queue's visibility timeout
 * @param receiveCount  SQS's ApproximateReceiveCount: 1 on the first delivery
 */
public record QueuedMessage(String messageId, String body, String receiptHandle, int receiveCount) {
    public QueuedMessage {
        if (receiveCount < 1) {
            throw new IllegalArgumentException("A received message's receive count is at least 1, got " + receiveCount);
        }
    }

    /** A first delivery with no receipt handle. */
    public QueuedMessage(String messageId, String body) {
        this(messageId, body, null, 1);
    }
}
