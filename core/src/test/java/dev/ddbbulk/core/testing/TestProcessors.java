package dev.ddbbulk.core.testing;

import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Processors that jobs in the tests name by class, as users name theirs. The worker instantiates them by
 * reflection, so what a test wants to observe lives in static state keyed by the fixture's source table.
 */
public final class TestProcessors {
    private TestProcessors() {
    }

    /** Copies every item and counts how often each key was processed. */
    public static final class Counting implements ItemProcessor {
        private static final Map<String, Map<String, AtomicInteger>> COUNTS = new ConcurrentHashMap<>();

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            COUNTS.computeIfAbsent(item.get(TestTables.SOURCE_ATTRIBUTE).s(), t -> new ConcurrentHashMap<>())
                    .computeIfAbsent(TestTables.keyString(item), k -> new AtomicInteger())
                    .incrementAndGet();
            return ItemAction.put(item);
        }

        /** How often each key of {@code sourceTable} was processed. */
        public static Map<String, Integer> timesProcessed(String sourceTable) {
            return COUNTS.getOrDefault(sourceTable, Map.of()).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
        }
    }

    /** Copies every item; each page moves {@link #CLOCK} on by {@link #PAGE_TIME}, as if it took that long. */
    public static final class Ticking implements ItemProcessor {
        public static final MutableClock CLOCK = new MutableClock(java.time.Instant.now());
        public static final java.time.Duration PAGE_TIME = java.time.Duration.ofSeconds(4);

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            return ItemAction.put(item);
        }

        @Override
        public java.util.List<ItemAction> processPage(java.util.List<Map<String, AttributeValue>> items) {
            CLOCK.advance(PAGE_TIME);
            return ItemProcessor.super.processPage(items);
        }
    }

    /** Copies every item but throws on any item that has a {@code poison} attribute. */
    public static final class Poison implements ItemProcessor {
        public static final String ATTRIBUTE = "poison";

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            if (item.containsKey(ATTRIBUTE)) {
                throw new IllegalStateException("poisoned item " + TestTables.keyString(item));
            }
            return ItemAction.put(item);
        }
    }

    /** Copies every item but throws the first time it meets an item with a {@code flaky} attribute. */
    public static final class FlakyOnce implements ItemProcessor {
        public static final String ATTRIBUTE = "flaky";
        private static final Set<String> FAILED_ONCE = ConcurrentHashMap.newKeySet();

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            if (item.containsKey(ATTRIBUTE)
                    && FAILED_ONCE.add(item.get(TestTables.SOURCE_ATTRIBUTE).s() + "/" + TestTables.keyString(item))) {
                throw new IllegalStateException("transient failure on " + TestTables.keyString(item));
            }
            return ItemAction.put(item);
        }
    }
}
