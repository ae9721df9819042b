package dev.ddbbulk.worker;

import dev.ddbbulk.core.ledger.Counts;
import java.time.Duration;

/**
 * What one delivery of a segment message came to: the source of the worker's outcome log line and metrics.
 *
 * @param runId        null when the message could not be read
 * @param segment      null when the message could not be read
 * @param continuation how often the segment had been handed on before this delivery (0 for the seed)
 * @param receiveCount SQS's receive count of the message, this delivery included
 * @param deadLettered whether this failed delivery was the queue's last receive of the message: the worker
 *                     marked its segment dead-lettered in the ledger, and SQS moves the message to the DLQ
 * @param counts       the items this delivery handled, pages written before a failure included
 * @param throttles    DynamoDB calls of this delivery's scans and writes that were throttled, each retried: the
 *                     worker's capacity budgets heard of them during the delivery (with budgets shared by a
 *                     local fleet, other workers' throttles of that time too)
 * @param duration     from the start of the delivery's page loop to its outcome (for a completed segment, the
 *                     transaction that marked it done)
 * @param error        why a failed delivery failed; null otherwise
 * @param range        the sort-key range of the segment the message was for, 0 for the segment's own scan
 */
public record SegmentReport(String messageId, String runId, Integer segment, int continuation, int receiveCount,
                            SegmentOutcome outcome, boolean deadLettered, Counts counts, long throttles,
                            Duration duration, String error, int range) {

    /** A report of a segment's own scan. */
    public SegmentReport(String messageId, String runId, Integer segment, int continuation, int receiveCount,
                         SegmentOutcome outcome, boolean deadLettered, Counts counts, long throttles,
                         Duration duration, String error) {
        this(messageId, runId, segment, continuation, receiveCount, outcome, deadLettered, counts, throttles,
                duration, error, 0);
    }
}
