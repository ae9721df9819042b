package dev.ddbbulk.worker.scan;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** One page of a segment's scan; {@code lastEvaluatedKey} is null on the segment's last page. */
public record ScanPage(List<Map<String, AttributeValue>> items, Map<String, AttributeValue> lastEvaluatedKey,
                       double consumedReadUnits) {
    public boolean last() {
        return lastEvaluatedKey == null;
    }
}
