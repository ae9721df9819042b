package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * In place in conditional mode, a processor's change merges with another client's: through {@code ddb-bulk run},
 * another writer changes items between the worker's read and its write, deterministically, from inside the
 * processor.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class InPlaceMergeIT {
    private static final int ITEMS = 120;
    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
    }

    /**
     * Stamps {@code migrated = true} on every item. On the first page of each table, after the scan read it and
     * before the worker writes it, another client sets {@code note} on every item of the page and
     * {@code migrated = false} on its first item.
     */
    public static final class StampWhileAnotherWriterWrites implements ItemProcessor {
        static final Set<String> TABLES_WRITTEN = ConcurrentHashMap.newKeySet();
        /** The key of the item whose {@code migrated} the other writer set, by table. */
        static final Map<String, Map<String, AttributeValue>> CONTESTED = new ConcurrentHashMap<>();

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            Map<String, AttributeValue> stamped = new HashMap<>(item);
            stamped.put("migrated", AttributeValue.fromBool(true));
            return ItemAction.put(stamped);
        }

        @Override
        public List<ItemAction> processPage(List<Map<String, AttributeValue>> items) {
            String table = items.get(0).get(TestTables.SOURCE_ATTRIBUTE).s();
            if (TABLES_WRITTEN.add(table)) {
                for (Map<String, AttributeValue> item : items) {
                    dynamoDb.updateItem(b -> b.tableName(table).key(key(item)).updateExpression("SET note = :n")
                            .expressionAttributeValues(Map.of(":n", AttributeValue.fromS("theirs"))));
                }
                CONTESTED.put(table, key(items.get(0)));
                dynamoDb.updateItem(b -> b.tableName(table).key(key(items.get(0)))
                        .updateExpression("SET migrated = :f")
                        .expressionAttributeValues(Map.of(":f", AttributeValue.fromBool(false))));
            }
            return ItemProcessor.super.processPage(items);
        }
    }

    @Test
    void run_whenAnotherWriterChangesOtherAttributesDuringAnInPlaceRun_losesNeitherChange() {
        String source = environment.unique("merge");
        TestTables.createAndFill(dynamoDb, source, ITEMS);

        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--write-mode", "conditional",
                "--processor", StampWhileAnotherWriterWrites.class.getName(), "--segments", "1", "--workers", "1",
                "--page-size", "50", "--ledger-table", environment.unique("ledger"), "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(ITEMS);
        // The other writer's migrated = false on one item is a change of the attribute the processor sets: refused.
        assertThat(summary.get("itemsWritten").asLong()).isEqualTo(ITEMS - 1);
        assertThat(summary.get("conditionalCheckFailures").asLong()).isEqualTo(1);
        Map<String, AttributeValue> contested = StampWhileAnotherWriterWrites.CONTESTED.get(source);
        List<Map<String, AttributeValue>> stored = TestTables.scanAll(dynamoDb, source);
        assertThat(stored).hasSize(ITEMS);
        assertThat(stored).filteredOn(item -> item.containsKey("note")).hasSize(50)
                .allSatisfy(item -> assertThat(item.get("note").s()).isEqualTo("theirs"));
        for (Map<String, AttributeValue> item : stored) {
            boolean theirs = key(item).equals(contested);
            assertThat(item.get("migrated").bool()).as(TestTables.keyString(item)).isEqualTo(!theirs);
            assertThat(item.get("payload")).isEqualTo(TestTables.item(source,
                    Integer.parseInt(item.get(TestTables.SK).n())).get("payload"));
        }
    }

    private static Map<String, AttributeValue> key(Map<String, AttributeValue> item) {
        return Map.of(TestTables.PK, item.get(TestTables.PK), TestTables.SK, item.get(TestTables.SK));
    }
}
