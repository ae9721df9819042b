package dev.ddbbulk.core.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Shared fixtures of the integration tests: composite-key tables (pk S, sk N) filled with BatchWriteItem,
 * queues, and reading everything back. Tests name what they create with the embedded fixture's
 * {@code EmbeddedEnvironment.unique}, so they never share data.
 */
public final class TestTables {
    public static final String PK = "pk";
    public static final String SK = "sk";
    /** Every fixture item carries its table's name, so a processor can count per test. */
    public static final String SOURCE_ATTRIBUTE = "src";

    private TestTables() {
    }

    public static void createCompositeTable(DynamoDbClient dynamoDb, String table) {
        createTable(dynamoDb, table, PK, ScalarAttributeType.S, SK, ScalarAttributeType.N);
    }

    /** @param rangeKey null for a table with a partition key only */
    public static void createTable(DynamoDbClient dynamoDb, String table, String hashKey, ScalarAttributeType hashType,
                            String rangeKey, ScalarAttributeType rangeType) {
        List<AttributeDefinition> definitions = new ArrayList<>();
        List<KeySchemaElement> schema = new ArrayList<>();
        definitions.add(AttributeDefinition.builder().attributeName(hashKey).attributeType(hashType).build());
        schema.add(KeySchemaElement.builder().attributeName(hashKey).keyType(KeyType.HASH).build());
        if (rangeKey != null) {
            definitions.add(AttributeDefinition.builder().attributeName(rangeKey).attributeType(rangeType).build());
            schema.add(KeySchemaElement.builder().attributeName(rangeKey).keyType(KeyType.RANGE).build());
        }
        dynamoDb.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(definitions).keySchema(schema));
        dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(table));
    }

    /** Item number {@code i} of a fixture table: 40 partition keys, so segments mix partitions and sort keys. */
    public static Map<String, AttributeValue> item(String table, int i) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(PK, AttributeValue.fromS("p" + (i % 40)));
        item.put(SK, AttributeValue.fromN(Integer.toString(i)));
        item.put("payload", AttributeValue.fromS("value-" + i + "-" + "x".repeat(i % 17)));
        item.put("amount", AttributeValue.fromN(i + ".50"));
        item.put(SOURCE_ATTRIBUTE, AttributeValue.fromS(table));
        return item;
    }

    /** Creates a composite-key table and fills it with items 0..count-1. */
    public static void createAndFill(DynamoDbClient dynamoDb, String table, int count) {
        createCompositeTable(dynamoDb, table);
        fill(dynamoDb, table, count);
    }

    public static void fill(DynamoDbClient dynamoDb, String table, int count) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            items.add(item(table, i));
        }
        putAll(dynamoDb, table, items);
    }

    public static void putAll(DynamoDbClient dynamoDb, String table, List<Map<String, AttributeValue>> items) {
        for (int from = 0; from < items.size(); from += 25) {
            List<WriteRequest> pending = new ArrayList<>();
            for (Map<String, AttributeValue> item : items.subList(from, Math.min(items.size(), from + 25))) {
                pending.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt == 20) {
                    throw new IllegalStateException("DynamoDB Local left " + pending.size() + " items unprocessed");
                }
                Map<String, List<WriteRequest>> request = Map.of(table, pending);
                var response = dynamoDb.batchWriteItem(b -> b.requestItems(request));
                pending = response.hasUnprocessedItems()
                        ? response.unprocessedItems().getOrDefault(table, List.of()) : List.of();
            }
        }
    }

    /** Every item of the table, read with a consistent paginated scan. */
    public static List<Map<String, AttributeValue>> scanAll(DynamoDbClient dynamoDb, String table) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamoDb.scan(b -> b.tableName(table).consistentRead(true)
                    .exclusiveStartKey(from));
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    /** The table's items by their "pk|sk" key, to compare two tables item by item. */
    public static Map<String, Map<String, AttributeValue>> byKey(List<Map<String, AttributeValue>> items) {
        Map<String, Map<String, AttributeValue>> byKey = new HashMap<>();
        for (Map<String, AttributeValue> item : items) {
            byKey.put(keyString(item), item);
        }
        return byKey;
    }

    /** The item's key as text: "p7|42" for the fixture's number sort keys; a string or binary one as it is. */
    public static String keyString(Map<String, AttributeValue> item) {
        AttributeValue sort = item.get(SK);
        String sortText = sort.n() != null ? sort.n() : sort.s() != null ? sort.s()
                : java.util.HexFormat.of().formatHex(sort.b().asByteArrayUnsafe());
        return item.get(PK).s() + "|" + sortText;
    }

    /** A queue whose received messages stay invisible for longer than any test runs. */
    public static String createQueue(SqsClient sqs, String name) {
        return sqs.createQueue(b -> b.queueName(name)
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "600"))).queueUrl();
    }

    /**
     * Receives until {@code expected} messages have arrived or {@code timeout} has passed; returns what
     * arrived, so the caller's assertion on the count is what fails.
     */
    public static List<Message> receive(SqsClient sqs, String queueUrl, int expected, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<Message> received = new ArrayList<>();
        while (received.size() < expected && Instant.now().isBefore(deadline)) {
            received.addAll(sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(1)).messages());
        }
        return received;
    }

    /** Visible, in-flight and delayed messages together; exact on ElasticMQ. */
    public static long messagesInQueue(SqsClient sqs, String queueUrl) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().mapToLong(Long::parseLong).sum();
    }
}
