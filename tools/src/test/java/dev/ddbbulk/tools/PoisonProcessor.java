package dev.ddbbulk.tools;

import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A copy that throws on the item with sort key {@value #POISON_SK}: its segment must end in the DLQ. */
public final class PoisonProcessor implements ItemProcessor {
    static final String POISON_SK = "7";

    @Override
    public ItemAction process(Map<String, AttributeValue> item) {
        if (POISON_SK.equals(item.get("sk").n())) {
            throw new IllegalStateException("poison item sk=" + POISON_SK);
        }
        return ItemAction.put(item);
    }
}
