package dev.ddbbulk.worker;

import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Hands a segment on when its delivery's time runs short: saves the pages written since the last checkpoint,
 * gives the lease up, and sends a continuation message that resumes the scan after {@code key}.
 */
final class Continuation {
    private final ProgressLedger ledger;
    private final SqsClient sqs;
    private final String queueUrl;

    Continuation(ProgressLedger ledger, SqsClient sqs, String queueUrl) {
        this.ledger = ledger;
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    void send(ProgressLedger.Lease lease, ProgressLedger.Pages unsaved, SegmentMessage message,
              Map<String, AttributeValue> key) {
        ledger.releaseForContinuation(lease, unsaved);
        String body = SegmentMessageCodec.toJson(message.continueAt(key));
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
    }
}
