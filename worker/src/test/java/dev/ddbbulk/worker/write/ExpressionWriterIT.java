package dev.ddbbulk.worker.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.testing.RecordingSleeper;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** An expression job's UpdateItems on DynamoDB Local: the condition, the in-place guard, another table. */
@ExtendWith(EmbeddedServicesExtension.class)
class ExpressionWriterIT {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(1), Duration.ofMillis(10), 8);
    private static final String NAMES = "{\"#s\":\"status\"}";
    private static final String VALUES = "{\":old\":{\"S\":\"PENDING\"},\":new\":{\"S\":\"OPEN\"}}";

    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;

    private String table;
    private TableShape shape;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void newTable() {
        table = environment.unique("expr");
        TestTables.createCompositeTable(dynamoDb, table);
        shape = new TableShape(table, TestTables.PK, "S", TestTables.SK, "N");
    }

    @Test
    void update_whenInPlaceWithACondition_updatesTheItemsThatMeetItAndCountsTheOthers() throws Exception {
        List<Map<String, AttributeValue>> read = fill(table, 10);

        WriteResult result = writer(shape, job(table).conditionExpression("#s = :old")).update(read);

        // even sort keys are PENDING, odd ones DONE
        assertThat(result).isEqualTo(new WriteResult(5, 0, 5));
        Map<String, Map<String, AttributeValue>> stored = TestTables.byKey(TestTables.scanAll(dynamoDb, table));
        for (Map<String, AttributeValue> item : read) {
            String expected = Integer.parseInt(item.get(TestTables.SK).n()) % 2 == 0 ? "OPEN" : "DONE";
            assertThat(stored.get(TestTables.keyString(item)).get("status").s()).isEqualTo(expected);
            assertThat(stored.get(TestTables.keyString(item)).get("payload")).isEqualTo(item.get("payload"));
        }
    }

    @Test
    void update_whenInPlaceAndAnItemWasDeletedSinceTheScan_doesNotRecreateIt() throws Exception {
        List<Map<String, AttributeValue>> read = fill(table, 4);
        dynamoDb.deleteItem(b -> b.tableName(table).key(shape.keyOf(read.get(1))));

        WriteResult result = writer(shape, job(table).expressionAttributeValues("{\":new\":{\"S\":\"OPEN\"}}"))
                .update(read);

        assertThat(result).isEqualTo(new WriteResult(3, 0, 1));
        assertThat(TestTables.byKey(TestTables.scanAll(dynamoDb, table))).hasSize(3)
                .doesNotContainKey(TestTables.keyString(read.get(1)))
                .allSatisfy((key, item) -> assertThat(item.get("status").s()).isEqualTo("OPEN"));
    }

    @Test
    void update_whenIntoAnotherTable_createsMissingItemsWithTheKeyAndWhatTheUpdateSets() throws Exception {
        List<Map<String, AttributeValue>> read = fill(table, 4);
        String destination = environment.unique("expr-dst");
        TestTables.createCompositeTable(dynamoDb, destination);
        Map<String, AttributeValue> there = new LinkedHashMap<>(shape.keyOf(read.get(0)));
        there.put("kept", AttributeValue.fromS("already there"));
        dynamoDb.putItem(b -> b.tableName(destination).item(there));
        TableShape destinationShape = new TableShape(destination, TestTables.PK, "S", TestTables.SK, "N");

        WriteResult result = writer(destinationShape, job(table).destinationTable(destination)
                .expressionAttributeValues("{\":new\":{\"S\":\"OPEN\"}}")).update(read);

        assertThat(result).isEqualTo(new WriteResult(4, 0, 0));
        Map<String, Map<String, AttributeValue>> stored = TestTables.byKey(TestTables.scanAll(dynamoDb, destination));
        assertThat(stored).hasSize(4);
        assertThat(stored.get(TestTables.keyString(read.get(0))))
                .containsOnlyKeys(TestTables.PK, TestTables.SK, "kept", "status");
        assertThat(stored.get(TestTables.keyString(read.get(3))))
                .containsOnlyKeys(TestTables.PK, TestTables.SK, "status");
    }

    private ItemWriter writer(TableShape destination, JobConfig.Builder job) {
        return ItemWriter.forJob(dynamoDb, destination, job.build(), CapacityBudget.unlimited(), FAST, new Random(5),
                RecordingSleeper.withoutClock());
    }

    private static JobConfig.Builder job(String source) {
        return JobConfig.builder().sourceTable(source).updateExpression("SET #s = :new")
                .expressionAttributeNames(NAMES).expressionAttributeValues(VALUES);
    }

    /** Items 0..count-1, even sort keys PENDING and odd ones DONE, as the scan reads them. */
    private static List<Map<String, AttributeValue>> fill(String table, int count) {
        List<Map<String, AttributeValue>> items = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, AttributeValue> item = TestTables.item(table, i);
            item.put("status", AttributeValue.fromS(i % 2 == 0 ? "PENDING" : "DONE"));
            items.add(item);
        }
        TestTables.putAll(dynamoDb, table, items);
        return TestTables.scanAll(dynamoDb, table);
    }
}
