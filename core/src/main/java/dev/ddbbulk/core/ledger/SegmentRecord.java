package dev.ddbbulk.core.ledger;

import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A segment's row in the progress ledger, or the row of a sort-key range split off one of its item collections.
 *
 * @param range     0 for the segment's own scan; 1.. for a range split off it (see {@link #isRange})
 * @param ranges    on a segment's own row, the range numbers taken so far; on a range's, the ranges split off it
 * @param startedAt when the first delivery claimed it, or null before
 * @param endedAt   when it was marked done, or null before
 * @param bounds    a range's sort keys as the ledger has them now (a split of its own shrinks them); null for a
 *                  segment's own row
 */
public record SegmentRecord(String runId, int segment, int range, SegmentStatus status,
                            Map<String, AttributeValue> checkpoint, Counts counts, long pages,
                            long continuations, long attempts, String lastError, long ranges,
                            Instant startedAt, Instant endedAt, dev.ddbbulk.core.message.SortKeyRange bounds) {

    /** Whether this is a sort-key range split off the segment rather than the segment's own scan. */
    public boolean isRange() {
        return range > 0;
    }

    /** How a message or the ledger's user names it: "segment 42" or "range 3 of segment 42". */
    public String describe() {
        return dev.ddbbulk.core.message.SegmentMessage.describe(segment, range);
    }
}
