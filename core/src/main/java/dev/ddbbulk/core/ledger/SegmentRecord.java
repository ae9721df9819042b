package dev.ddbbulk.core.ledger;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A segment's row in the progress ledger. */
public record SegmentRecord(String runId, int segment, SegmentStatus status,
                            Map<String, AttributeValue> checkpoint, Counts counts, long pages,
                            long continuations, long attempts, String lastError) {
}
