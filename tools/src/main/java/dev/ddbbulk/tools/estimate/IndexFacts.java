package dev.ddbbulk.tools.estimate;

import java.util.List;

/**
 * A secondary index as DescribeTable tells it: an item written to the table is written to the index too when it
 * has the index's keys, which costs the index's write units (a local index's are the table's).
 *
 * @param name              the index name
 * @param global            a global secondary index; false for a local one
 * @param keyAttributes     the index's partition key and sort key, if any
 * @param projectionType    {@code ALL}, {@code KEYS_ONLY} or {@code INCLUDE}
 * @param projectedAttributes with {@code INCLUDE}, the non-key attributes projected; empty otherwise
 * @param capacity          a global index's own capacity; null for a local index
 */
public record IndexFacts(String name, boolean global, List<String> keyAttributes, String projectionType,
                         List<String> projectedAttributes, Capacity capacity) {
    public IndexFacts {
        keyAttributes = List.copyOf(keyAttributes);
        projectedAttributes = List.copyOf(projectedAttributes);
    }

    public boolean keysOnly() {
        return "KEYS_ONLY".equals(projectionType);
    }
}
