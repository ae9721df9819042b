package dev.ddbbulk.tools.local;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.message.DynamoDbKeyCodec;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.worker.scan.SegmentScanner;
import dev.ddbbulk.worker.write.ItemWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The demo's table: items with a composite key ({@code pk} S, {@code sk} N), generated deterministically
 * from their index so that the result of any processor can be verified without keeping a copy.
 */
public final class DemoData {
    static final String PK = "pk";
    static final String SK = "sk";
    private static final int PARTITIONS = 997;

    private DemoData() {
    }

    public static void createTable(DynamoDbClient dynamoDb, String table) {
        dynamoDb.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName(PK).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(SK).attributeType(ScalarAttributeType.N).build())
                .keySchema(KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build()));
        dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(table));
    }

    /**
     * Refuses an --item-bytes the demo's items cannot have: not below their fixed attributes (about 90 B), well
     * under DynamoDB's 400 KB item limit. The demo and the bench check it alike.
     */
    public static void requireItemBytes(int bytes) {
        if (bytes < 100 || bytes > 350_000) {
            throw new InvalidJobException("--item-bytes must be between 100 and 350000, got " + bytes);
        }
    }

    /** Item {@code i}: about {@code bytes} bytes in all. */
    public static Map<String, AttributeValue> item(int i, int bytes) {
        Random r = new Random(i * 7919L + 17);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, AttributeValue.fromS("customer#" + (i % PARTITIONS)));
        item.put(SK, AttributeValue.fromN(Integer.toString(i)));
        item.put("name", AttributeValue.fromS("name-" + Integer.toHexString(r.nextInt())));
        item.put("amount", AttributeValue.fromN(r.nextInt(1_000_000) + "." + (1 + r.nextInt(99))));
        byte[] blob = new byte[16];
        r.nextBytes(blob);
        item.put("checksum", AttributeValue.fromB(SdkBytes.fromByteArray(blob)));
        int padding = Math.max(0, bytes - 90);
        StringBuilder payload = new StringBuilder(padding);
        while (payload.length() < padding) {
            payload.append((char) ('a' + r.nextInt(26)));
        }
        item.put("payload", AttributeValue.fromS(payload.toString()));
        return item;
    }

    /** Writes items 0..count-1 with BatchWriteItem from {@code threads} threads. */
    public static void fill(DynamoDbClient dynamoDb, TableShape shape, int count, int bytes, int threads)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> parts = new ArrayList<>();
            int chunk = 500;
            for (int from = 0; from < count; from += chunk) {
                int start = from;
                int end = Math.min(count, from + chunk);
                parts.add(pool.submit(() -> {
                    List<ItemAction> puts = new ArrayList<>(end - start);
                    for (int i = start; i < end; i++) {
                        puts.add(ItemAction.put(item(i, bytes)));
                    }
                    new ItemWriter(dynamoDb, shape, Backoff.DEFAULT, new Random(start), Sleeper.SYSTEM).write(puts);
                    return null;
                }));
            }
            for (Future<?> part : parts) {
                part.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Filling " + shape.table() + " failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Checks that the destination holds exactly what the processor makes of items 0..count-1: for a copy
     * into another table, each put and nothing else; in place, the source with each put or delete applied.
     *
     * @return null when it matches, else the first problem found
     */
    public static String verify(DynamoDbClient dynamoDb, TableShape destination, ItemProcessor processor, int count,
                         int bytes, boolean inPlace) throws InterruptedException {
        Map<String, Integer> expected = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            Map<String, AttributeValue> source = item(i, bytes);
            ItemAction action;
            try {
                action = processor.process(source);
            } catch (RuntimeException e) {
                return "the processor fails on item " + DynamoDbKeyCodec.toJson(destination.keyOf(source)) + ": " + e;
            }
            if (inPlace) {
                expected.put(keyOf(destination, source), canonicalHash(source));
            }
            if (action instanceof ItemAction.Put put) {
                expected.put(keyOf(destination, put.item()), canonicalHash(put.item()));
            } else if (action instanceof ItemAction.Delete delete) {
                expected.remove(keyOf(destination, delete.key()));
            }
        }
        Map<String, Integer> actual = new ConcurrentHashMap<>(count * 2);
        List<String> duplicates = new ArrayList<>();
        SegmentScanner scanner = new SegmentScanner(dynamoDb);
        int segments = 4;
        ExecutorService pool = Executors.newFixedThreadPool(segments);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int s = 0; s < segments; s++) {
                int segment = s;
                readers.add(pool.submit(() -> scanner.forEachPage(destination.table(), segment, segments, 1000, true,
                        page -> page.items().forEach(item -> {
                            if (actual.put(keyOf(destination, item), canonicalHash(item)) != null) {
                                synchronized (duplicates) {
                                    duplicates.add(keyOf(destination, item));
                                }
                            }
                        }))));
            }
            for (Future<?> reader : readers) {
                reader.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Reading " + destination.table() + " for verification failed: "
                    + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        if (!duplicates.isEmpty()) {
            return "the scan returned key " + duplicates.get(0) + " twice";
        }
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            Integer found = actual.get(e.getKey());
            if (found == null) {
                return "item " + e.getKey() + " is missing from " + destination.table();
            }
            if (!found.equals(e.getValue())) {
                return "item " + e.getKey() + " in " + destination.table() + " differs from what the processor makes";
            }
        }
        if (actual.size() != expected.size()) {
            return destination.table() + " holds " + actual.size() + " items, expected " + expected.size();
        }
        return null;
    }

    /**
     * A hash that treats equal numbers as equal however they are written: DynamoDB stores "1.50" as "1.5",
     * so a processor's output and what the table returns may differ in form only.
     */
    static int canonicalHash(Map<String, AttributeValue> item) {
        int hash = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            AttributeValue v = e.getValue();
            Object canonical = v.n() != null ? new java.math.BigDecimal(v.n()).stripTrailingZeros() : v;
            hash += e.getKey().hashCode() ^ canonical.hashCode();
        }
        return hash;
    }

    private static String keyOf(TableShape shape, Map<String, AttributeValue> item) {
        return DynamoDbKeyCodec.toJson(shape.keyOf(item));
    }
}
