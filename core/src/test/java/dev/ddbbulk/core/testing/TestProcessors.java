package dev.ddbbulk.core.testing;

import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /**
     * Copies every item and counts how often the worker handed it each key: through {@link #processPage}, the
     * worker's path, so that a verification calling {@link #process} (the demo's) counts nothing. Keys are
     * counted per source table, as the fixture items name it; items without that attribute (the demo's data)
     * under {@link #NO_SOURCE}.
     */
    public static final class Counting implements ItemProcessor {
        /** Where items without a {@code src} attribute are counted; a test that reads it forgets it first. */
        public static final String NO_SOURCE = "";
        private static final Map<String, Map<String, AtomicInteger>> COUNTS = new ConcurrentHashMap<>();

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            return ItemAction.put(item);
        }

        @Override
        public List<ItemAction> processPage(List<Map<String, AttributeValue>> items) {
            for (Map<String, AttributeValue> item : items) {
                AttributeValue source = item.get(TestTables.SOURCE_ATTRIBUTE);
                COUNTS.computeIfAbsent(source == null ? NO_SOURCE : source.s(), t -> new ConcurrentHashMap<>())
                        .computeIfAbsent(TestTables.keyString(item), k -> new AtomicInteger())
                        .incrementAndGet();
            }
            return ItemProcessor.super.processPage(items);
        }

        /** How often each key of {@code sourceTable} was processed. */
        public static Map<String, Integer> timesProcessed(String sourceTable) {
            return COUNTS.getOrDefault(sourceTable, Map.of()).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
        }

        /** Drops the counts of {@code sourceTable}. */
        public static void forget(String sourceTable) {
            COUNTS.remove(sourceTable);
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
        public List<ItemAction> processPage(List<Map<String, AttributeValue>> items) {
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

    /**
     * Copies every item but throws on the one with sort key {@value #SORT_KEY}, for data that carries no
     * {@code poison} attribute (the demo's): that item's segment must end in the DLQ.
     */
    public static final class PoisonSortKey implements ItemProcessor {
        public static final String SORT_KEY = "7";

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            if (SORT_KEY.equals(item.get(TestTables.SK).n())) {
                throw new IllegalStateException("poison item sk=" + SORT_KEY);
            }
            return ItemAction.put(item);
        }
    }

    /**
     * Copies every item, but the first item after {@link #reset()} holds its worker until the test calls
     * {@link #release()} (or a minute has passed, when it fails the segment): the other segments must get
     * done meanwhile. Its state is global, so one test at a time may hold.
     */
    public static final class Holding implements ItemProcessor {
        private static final AtomicBoolean HOLDING = new AtomicBoolean();
        private static volatile CountDownLatch released = new CountDownLatch(1);

        public static void reset() {
            HOLDING.set(false);
            released = new CountDownLatch(1);
        }

        public static void release() {
            released.countDown();
        }

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            if (HOLDING.compareAndSet(false, true)) {
                try {
                    if (!released.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("held for 60 s: no other worker finished the other segments");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while held", e);
                }
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
