package dev.ddbbulk.core.processor;

import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What an {@link ItemProcessor} decides for one scanned item. */
public sealed interface ItemAction {

    /** Write this whole item to the destination table. */
    record Put(Map<String, AttributeValue> item) implements ItemAction {
        public Put {
            Objects.requireNonNull(item, "item");
        }
    }

    /** Delete this key from the destination table. */
    record Delete(Map<String, AttributeValue> key) implements ItemAction {
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Leave the destination as it is. */
    record Skip() implements ItemAction {
    }

    Skip SKIP = new Skip();

    static ItemAction put(Map<String, AttributeValue> item) {
        return new Put(item);
    }

    static ItemAction delete(Map<String, AttributeValue> key) {
        return new Delete(key);
    }

    static ItemAction skip() {
        return SKIP;
    }
}
