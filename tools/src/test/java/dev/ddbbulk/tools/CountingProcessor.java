package dev.ddbbulk.tools;

import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A copy that counts how often the worker handed it each item (through {@link #processPage}, the path the
 * worker takes; the demo's verification calls {@link #process} and is not counted).
 */
public final class CountingProcessor implements ItemProcessor {
    static final Map<String, AtomicInteger> SEEN = new ConcurrentHashMap<>();

    @Override
    public ItemAction process(Map<String, AttributeValue> item) {
        return ItemAction.put(item);
    }

    @Override
    public List<ItemAction> processPage(List<Map<String, AttributeValue>> items) {
        for (Map<String, AttributeValue> item : items) {
            SEEN.computeIfAbsent(item.get("pk").s() + "/" + item.get("sk").n(), k -> new AtomicInteger())
                    .incrementAndGet();
        }
        return ItemProcessor.super.processPage(items);
    }
}
