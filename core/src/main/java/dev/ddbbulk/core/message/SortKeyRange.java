package dev.ddbbulk.core.message;

import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A part of one item collection split off a segment: the items of one partition key whose sort key lies after
 * {@code from}'s and up to {@code to}'s. Worked by a Query, page by page, like a segment by its scan.
 *
 * @param index            1.. within its segment: the range's row in the ledger
 * @param partitionKeyName the table's partition key; the other attribute of the keys is its sort key
 * @param from             a primary key of the collection; the range starts after it (it need not be an item)
 * @param to               a primary key of the collection; the range ends with it
 */
public record SortKeyRange(int index, String partitionKeyName, Map<String, AttributeValue> from,
                           Map<String, AttributeValue> to) {
    public SortKeyRange {
        if (index < 1) {
            throw new IllegalArgumentException("A range's index starts at 1, got " + index);
        }
        Objects.requireNonNull(partitionKeyName, "partitionKeyName");
        from = Map.copyOf(from);
        to = Map.copyOf(to);
        if (from.size() != 2 || !from.keySet().equals(to.keySet()) || !from.containsKey(partitionKeyName)
                || !from.get(partitionKeyName).equals(to.get(partitionKeyName))) {
            throw new IllegalArgumentException("A range's bounds are two keys of one partition key '"
                    + partitionKeyName + "' and a sort key, got " + from.keySet() + " and " + to.keySet());
        }
    }

    public String sortKeyName() {
        return from.keySet().stream().filter(name -> !name.equals(partitionKeyName)).findFirst().orElseThrow();
    }

    public AttributeValue partitionKey() {
        return from.get(partitionKeyName);
    }

    /** The sort key the range starts after. */
    public AttributeValue fromSortKey() {
        return from.get(sortKeyName());
    }

    /** The sort key the range ends with. */
    public AttributeValue toSortKey() {
        return to.get(sortKeyName());
    }
}
