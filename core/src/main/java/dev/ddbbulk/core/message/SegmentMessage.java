package dev.ddbbulk.core.message;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One unit of work on the queue: a segment of a run's parallel scan, optionally resuming at a key.
 * The progress ledger's checkpoint wins over {@code exclusiveStartKey}; the key here is what the sender knew.
 *
 * @param continuation how many times this segment has been handed on near a time limit (0 for the seed)
 * @param resumedAt    set by a resume, which the user starts once the run's fleet has stopped: a lease on the
 *                     segment claimed before then belongs to a delivery that is gone, and this message may take
 *                     it over instead of waiting for it to expire; null otherwise
 * @param range        a sort-key range split off the segment, worked by a Query instead of the segment's scan;
 *                     null for the segment's own scan
 */
public record SegmentMessage(String runId, int segment, int totalSegments,
                             Map<String, AttributeValue> exclusiveStartKey, int continuation, Instant resumedAt,
                             SortKeyRange range) {
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

    public SegmentMessage(String runId, int segment, int totalSegments, Map<String, AttributeValue> exclusiveStartKey,
                          int continuation) {
        this(runId, segment, totalSegments, exclusiveStartKey, continuation, null, null);
    }

    public SegmentMessage(String runId, int segment, int totalSegments, Map<String, AttributeValue> exclusiveStartKey,
                          int continuation, Instant resumedAt) {
        this(runId, segment, totalSegments, exclusiveStartKey, continuation, resumedAt, null);
    }

    /** The first message of a range split off a segment: its Query starts after the range's lower bound. */
    public static SegmentMessage range(String runId, int segment, int totalSegments, SortKeyRange range) {
        return new SegmentMessage(runId, segment, totalSegments, range.from(), 0, null, Objects.requireNonNull(range));
    }

    /** A range re-enqueued by a resume that started at {@code resumedAt}. */
    public static SegmentMessage resumeRange(String runId, int segment, int totalSegments, SortKeyRange range,
                                             Instant resumedAt) {
        return new SegmentMessage(runId, segment, totalSegments, range.from(), 0, Objects.requireNonNull(resumedAt),
                Objects.requireNonNull(range));
    }

    /** This range's message once a split of its own has shrunk it to {@code shrunk}. */
    public SegmentMessage withRange(SortKeyRange shrunk) {
        if (range == null || shrunk.index() != range.index()) {
            throw new IllegalArgumentException("Only a range shrinks, and it keeps its index: " + describe()
                    + " to range " + shrunk.index());
        }
        return new SegmentMessage(runId, segment, totalSegments, exclusiveStartKey, continuation, resumedAt, shrunk);
    }

    /** 0 for the segment's own scan, the range's index for a range split off it. */
    public int rangeIndex() {
        return range == null ? 0 : range.index();
    }

    /** "segment 42" or "range 3 of segment 42". */
    public String describe() {
        return describe(segment, rangeIndex());
    }

    /** How messages, the ledger and its users name a segment's own scan (range 0) or a range split off it. */
    public static String describe(int segment, int range) {
        return range == 0 ? "segment " + segment : "range " + range + " of segment " + segment;
    }

    public static SegmentMessage seed(String runId, int segment, int totalSegments) {
        return new SegmentMessage(runId, segment, totalSegments, null, 0);
    }

    /** A segment re-enqueued by a resume that started at {@code resumedAt}. */
    public static SegmentMessage resume(String runId, int segment, int totalSegments, Instant resumedAt) {
        return new SegmentMessage(runId, segment, totalSegments, null, 0, Objects.requireNonNull(resumedAt));
    }

    /** The continuation is sent after its sender released the lease, so it takes nothing over. */
    public SegmentMessage continueAt(Map<String, AttributeValue> key) {
        return new SegmentMessage(runId, segment, totalSegments, key, continuation + 1, null, range);
    }
}
