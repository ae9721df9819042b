package dev.ddbbulk.core;

import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One unit of work on the queue: a segment of a run's parallel scan, optionally resuming at a key.
 * The progress ledger's checkpoint wins over {@code exclusiveStartKey}; the key here is what the sender knew.
 *
 * @param continuation how many times this segment has been handed on near a time limit (0 for the seed)
 */
public record SegmentMessage(String runId, int segment, int totalSegments,
                             Map<String, AttributeValue> exclusiveStartKey, int continuation) {
    public SegmentMessage {
        Objects.requireNonNull(runId, "runId");
        if (totalSegments < 1 || segment < 0 || segment >= totalSegments) {
            throw new IllegalArgumentException("segment " + segment + " is outside 0.." + (totalSegments - 1));
        }
        exclusiveStartKey = exclusiveStartKey == null || exclusiveStartKey.isEmpty()
                ? null : Map.copyOf(exclusiveStartKey);
        if (continuation < 0) {
            throw new IllegalArgumentException("continuation must be >= 0, got " + continuation);
        }
    }

    public static SegmentMessage seed(String runId, int segment, int totalSegments) {
        return new SegmentMessage(runId, segment, totalSegments, null, 0);
    }

    public SegmentMessage continueAt(Map<String, AttributeValue> key) {
        return new SegmentMessage(runId, segment, totalSegments, key, continuation + 1);
    }
}
