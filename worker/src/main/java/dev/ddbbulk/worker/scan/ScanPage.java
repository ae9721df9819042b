package dev.ddbbulk.worker.scan;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One page of a segment's scan; {@code lastEvaluatedKey} is null on the segment's last page.
 *
 * @param items   the items that passed the job's filter (all of them without one); may be empty on any page
 * @param scanned the items the scan read, filtered out or not (its ScannedCount)
 */
public record ScanPage(List<Map<String, AttributeValue>> items, Map<String, AttributeValue> lastEvaluatedKey,
                       double consumedReadUnits, int scanned) {

    /** A page without a filter: every item read is in it. */
    public ScanPage(List<Map<String, AttributeValue>> items, Map<String, AttributeValue> lastEvaluatedKey,
                    double consumedReadUnits) {
        this(items, lastEvaluatedKey, consumedReadUnits, items.size());
    }

    public boolean last() {
        return lastEvaluatedKey == null;
    }

    /** The items read that the filter dropped. */
    public int filteredOut() {
        return scanned - items.size();
    }
}
