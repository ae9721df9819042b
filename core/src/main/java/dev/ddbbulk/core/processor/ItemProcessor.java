package dev.ddbbulk.core.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The user's transformation: called once for every scanned item, it returns what to write.
 *
 * <p>Implementations need a public no-argument constructor and must be thread-safe or stateless: one
 * instance serves a worker for a whole run. Delivery is at least once, so {@code process} must give the
 * same answer for the same item (put the transformed item, not "add 1 to a counter").
 *
 * <p>Throwing fails the item's segment: it is retried and, after the queue's receive limit, lands in
 * the dead-letter queue with the exception's message.
 */
@FunctionalInterface
public interface ItemProcessor {

    ItemAction process(Map<String, AttributeValue> item);

    /**
     * Processes one scan page; one action per item, in order. Override for work that is cheaper in bulk,
     * such as one BatchGetItem lookup per page.
     */
    default List<ItemAction> processPage(List<Map<String, AttributeValue>> items) {
        List<ItemAction> actions = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            actions.add(process(item));
        }
        return actions;
    }
}
