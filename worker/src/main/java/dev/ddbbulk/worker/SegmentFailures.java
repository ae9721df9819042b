package dev.ddbbulk.worker;

import dev.ddbbulk.core.ledger.ProgressLedger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter path's first step: a failed delivery is logged and recorded on its segment in the ledger
 * (with the pages it wrote before the failure), and its message is reported as a batch item failure, which
 * the queue redelivers until its redrive policy moves it to the DLQ.
 */
final class SegmentFailures {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentFailures.class);

    private final ProgressLedger ledger;

    SegmentFailures(ProgressLedger ledger) {
        this.ledger = ledger;
    }

    /** Records why a delivery failed, keeping {@code failure} as the error that counts. */
    void record(ProgressLedger.Lease lease, Exception failure, ProgressLedger.Pages unsaved) {
        try {
            ledger.recordFailure(lease, describe(failure), unsaved);
        } catch (RuntimeException recordFailure) {
            failure.addSuppressed(recordFailure);
        }
    }

    /** Logs that message {@code messageId} failed with {@code failure}: it is reported and retried. */
    static void log(String messageId, Throwable failure) {
        LOG.warn("Message {} failed and will be retried: {}", messageId, describe(failure), failure);
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
