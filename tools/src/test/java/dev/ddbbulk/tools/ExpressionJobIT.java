package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.tools.output.ExitCodes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Expression jobs through {@code ddb-bulk run}: the seeder, the local fleet and the worker, on DynamoDB Local.
 * The source's items alternate kind A (even sort keys) and B (odd), and are PENDING except every third (DONE).
 */
@ExtendWith(EmbeddedServicesExtension.class)
class ExpressionJobIT {
    private static final int ITEMS = 300;
    private static final String NAMES = "{\"#s\":\"status\",\"#k\":\"kind\"}";

    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static EmbeddedEnvironment environment;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, SqsClient sharedSqs,
                                  EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        sqs = sharedSqs;
        environment = sharedEnvironment;
    }

    @Test
    void run_whenUpdateAloneInPlace_updatesEveryItemAndKeepsTheRestOfEachItem() {
        String source = sourceTable();

        Cli result = run(source, "--update", "SET #m = :t", "--names", "{\"#m\":\"migrated\"}",
                "--values", "{\":t\":{\"BOOL\":true}}");

        assertCounts(result, ITEMS, ITEMS, 0, 0);
        Map<String, Map<String, AttributeValue>> stored = TestTables.byKey(TestTables.scanAll(dynamoDb, source));
        assertThat(stored).hasSize(ITEMS);
        for (int i = 0; i < ITEMS; i++) {
            Map<String, AttributeValue> expected = item(source, i);
            expected.put("migrated", AttributeValue.fromBool(true));
            assertThat(stored.get(TestTables.keyString(expected))).isEqualTo(expected);
        }
    }

    @Test
    void run_whenConditionAndFilterInPlace_updatesMatchingItemsCountsFailedConditionsAndSkipsFilteredOnes() {
        String source = sourceTable();

        Cli result = run(source, "--update", "SET #s = :new", "--condition", "#s = :old", "--filter", "#k = :a",
                "--names", NAMES, "--values",
                "{\":old\":{\"S\":\"PENDING\"},\":new\":{\"S\":\"OPEN\"},\":a\":{\"S\":\"A\"}}");

        // kind A: the 150 even sort keys, of which 50 (4 mod 6) are DONE and fail the condition
        assertCounts(result, ITEMS, 100, 150, 50);
        Map<String, Map<String, AttributeValue>> stored = TestTables.byKey(TestTables.scanAll(dynamoDb, source));
        for (int i = 0; i < ITEMS; i++) {
            Map<String, AttributeValue> expected = item(source, i);
            if (i % 2 == 0 && i % 3 != 1) {
                expected.put("status", AttributeValue.fromS("OPEN"));
            }
            assertThat(stored.get(TestTables.keyString(expected))).as("item " + i).isEqualTo(expected);
        }
    }

    @Test
    void run_whenTheReadmesExampleRuns_opensEveryPendingOrder() {
        String source = sourceTable();

        Cli result = run(source, "--update", "SET #s = :new", "--condition", "#s = :old", "--names",
                "{\"#s\":\"status\"}", "--values", "{\":old\":{\"S\":\"PENDING\"},\":new\":{\"S\":\"OPEN\"}}");

        assertCounts(result, ITEMS, 200, 0, 100);
        assertThat(TestTables.scanAll(dynamoDb, source)).extracting(i -> i.get("status").s())
                .containsOnly("OPEN", "DONE").filteredOn("DONE"::equals).hasSize(100);
    }

    @Test
    void run_whenFilterIntoAnotherTable_createsEachMatchingKeyThereWithWhatTheUpdateSets() {
        String source = sourceTable();
        String destination = environment.unique("expr-dst");
        TestTables.createCompositeTable(dynamoDb, destination);

        Cli result = run(source, "--destination", destination, "--update", "SET #s = :new", "--filter", "#k = :a",
                "--names", NAMES, "--values", "{\":new\":{\"S\":\"OPEN\"},\":a\":{\"S\":\"A\"}}");

        assertCounts(result, ITEMS, 150, 150, 0);
        Map<String, Map<String, AttributeValue>> stored = TestTables.byKey(TestTables.scanAll(dynamoDb, destination));
        assertThat(stored).hasSize(150).allSatisfy((key, item) -> assertThat(item)
                .containsOnlyKeys(TestTables.PK, TestTables.SK, "status").containsEntry("status", AttributeValue.fromS("OPEN")));
        assertThat(stored.keySet()).allSatisfy(key -> assertThat(Integer.parseInt(key.split("\\|")[1]) % 2).isZero());
        assertThat(TestTables.scanAll(dynamoDb, source)).hasSize(ITEMS)
                .noneMatch(i -> i.get("status").s().equals("OPEN"));
    }

    @Test
    void run_whenAConditionIntoAnotherTable_updatesOnlyWhereItHoldsThere() {
        String source = sourceTable();
        String destination = environment.unique("expr-dst");
        TestTables.createCompositeTable(dynamoDb, destination);
        List<Map<String, AttributeValue>> there = new ArrayList<>();
        for (int i = 0; i < 20; i += 2) {
            Map<String, AttributeValue> kept = new LinkedHashMap<>();
            kept.put(TestTables.PK, item(source, i).get(TestTables.PK));
            kept.put(TestTables.SK, item(source, i).get(TestTables.SK));
            kept.put("status", AttributeValue.fromS("KEEP"));
            there.add(kept);
        }
        TestTables.putAll(dynamoDb, destination, there);

        Cli result = run(source, "--destination", destination, "--update", "SET #s = :new",
                "--condition", "attribute_not_exists(#s)", "--filter", "#k = :a", "--names", NAMES,
                "--values", "{\":new\":{\"S\":\"OPEN\"},\":a\":{\"S\":\"A\"}}");

        assertCounts(result, ITEMS, 140, 150, 10);
        Map<String, Map<String, AttributeValue>> stored = TestTables.byKey(TestTables.scanAll(dynamoDb, destination));
        assertThat(stored).hasSize(150);
        assertThat(stored.values()).filteredOn(i -> i.get("status").s().equals("KEEP")).hasSize(10);
    }

    @Test
    void run_whenDryRun_countsWhatWouldBeUpdatedAndWritesNothing() {
        String source = sourceTable();
        List<Map<String, AttributeValue>> before = TestTables.scanAll(dynamoDb, source);

        Cli result = run(source, "--dry-run", "--update", "SET #s = :new", "--condition", "#s = :old",
                "--filter", "#k = :a", "--names", NAMES,
                "--values", "{\":old\":{\"S\":\"PENDING\"},\":new\":{\"S\":\"OPEN\"},\":a\":{\"S\":\"A\"}}");

        assertThat(result.json().get("dryRun").asBoolean()).isTrue();
        // A dry run cannot evaluate conditions: every item that passes the filter counts as updated.
        assertCounts(result, ITEMS, 150, 150, 0);
        assertThat(TestTables.scanAll(dynamoDb, source)).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void run_whenAProcessorJobsFilterMatchesFewItems_walksTheEmptyPagesToTheEndWithExactCounts() {
        String source = sourceTable();
        String destination = environment.unique("filter-dst");
        TestTables.createCompositeTable(dynamoDb, destination);

        // Ten of 300 items in pages of 20: most pages come back empty, and not last.
        Cli result = run(source, "--destination", destination, "--filter", "#sk < :ten",
                "--names", "{\"#sk\":\"sk\"}", "--values", "{\":ten\":{\"N\":\"10\"}}");

        assertCounts(result, ITEMS, 10, 290, 0);
        Map<String, Map<String, AttributeValue>> copied = TestTables.byKey(TestTables.scanAll(dynamoDb, destination));
        assertThat(copied).hasSize(10);
        for (int i = 0; i < 10; i++) {
            Map<String, AttributeValue> expected = item(source, i);
            assertThat(copied.get(TestTables.keyString(expected))).isEqualTo(expected);
        }
    }

    static Stream<Arguments> badExpressions() {
        return Stream.of(
                Arguments.of(List.of("--update", "SET #s = :new,", "--names", "{\"#s\":\"status\"}",
                        "--values", "{\":new\":{\"S\":\"OPEN\"}}"),
                        "ddb-bulk: UpdateExpression 'SET #s = :new,' is refused by DynamoDB: Invalid UpdateExpression:"),
                Arguments.of(List.of("--update", "SET #s = :new", "--condition", "#s == :new",
                        "--names", "{\"#s\":\"status\"}", "--values", "{\":new\":{\"S\":\"OPEN\"}}"),
                        "ddb-bulk: ConditionExpression '#s == :new' is refused by DynamoDB: Invalid ConditionExpression:"),
                Arguments.of(List.of("--update", "SET #s = :new", "--filter", "size(#s) >", "--names",
                        "{\"#s\":\"status\"}", "--values", "{\":new\":{\"S\":\"OPEN\"}}"),
                        "ddb-bulk: FilterExpression 'size(#s) >' is refused by DynamoDB: Invalid FilterExpression:"),
                Arguments.of(List.of("--update", "SET #s = :new", "--values", "{\":new\":{\"S\":\"OPEN\"}}"),
                        "ddb-bulk: UpdateExpression uses #s, which ExpressionAttributeNames does not define;"),
                Arguments.of(List.of("--update", "SET #s = :new", "--names", "{\"#s\":\"status\"}",
                        "--values", "{\":new\":\"OPEN\"}"),
                        "ddb-bulk: ExpressionAttributeValues :new must be one typed value like {\"S\":\"x\"}"),
                Arguments.of(List.of("--update", "SET #s = :new", "--names", "{\"#s\":", "--values",
                        "{\":new\":{\"S\":\"OPEN\"}}"),
                        "ddb-bulk: ExpressionAttributeNames is not valid JSON ("),
                Arguments.of(List.of("--update", "SET #s = :new", "--processor", "stamp", "--names",
                        "{\"#s\":\"status\"}", "--values", "{\":new\":{\"S\":\"OPEN\"}}"),
                        "ddb-bulk: ItemProcessor 'stamp' and UpdateExpression both say how to change items;"));
    }

    @ParameterizedTest
    @MethodSource("badExpressions")
    void run_whenAnExpressionNameOrValueIsBad_exits2WithOneLineAndWritesNothing(List<String> options,
                                                                               String message) {
        String source = sourceTable();
        List<Map<String, AttributeValue>> before = TestTables.scanAll(dynamoDb, source);
        String ledger = environment.unique("ledger");
        int queuesBefore = sqs.listQueues().queueUrls().size();

        Cli result = Cli.run(Cli.onEmbedded(environment, Stream.concat(Stream.of("run", "--source", source,
                "--ledger-table", ledger), options.stream()).toArray(String[]::new)));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).startsWith(message);
        assertThat(result.err().strip().lines()).hasSize(1);
        assertThat(result.out()).isEmpty();
        assertThat(dynamoDb.listTablesPaginator().tableNames()).doesNotContain(ledger);
        assertThat(sqs.listQueues().queueUrls()).hasSize(queuesBefore);
        assertThat(TestTables.scanAll(dynamoDb, source)).containsExactlyInAnyOrderElementsOf(before);
    }

    /** {@code ddb-bulk run} on {@code source} with a ledger of its own, 7 segments, 3 workers, pages of 20. */
    private static Cli run(String source, String... options) {
        String[] args = Stream.concat(Stream.of("run", "--source", source, "--segments", "7", "--workers", "3",
                "--page-size", "20", "--ledger-table", environment.unique("ledger"), "--json"), Arrays.stream(options))
                .toArray(String[]::new);
        return Cli.run(Cli.onEmbedded(environment, args));
    }

    private static void assertCounts(Cli result, long scanned, long written, long skipped, long failures) {
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("itemsScanned").asLong()).as("scanned").isEqualTo(scanned);
        assertThat(summary.get("itemsWritten").asLong()).as("written").isEqualTo(written);
        assertThat(summary.get("itemsSkipped").asLong()).as("skipped").isEqualTo(skipped);
        assertThat(summary.get("conditionalCheckFailures").asLong()).as("failures").isEqualTo(failures);
        assertThat(summary.get("itemsDeleted").asLong()).isZero();
        assertThat(summary.get("itemsAlreadyApplied").asLong()).isZero();
    }

    private static String sourceTable() {
        String source = environment.unique("expr-src");
        TestTables.createCompositeTable(dynamoDb, source);
        List<Map<String, AttributeValue>> items = new ArrayList<>(ITEMS);
        for (int i = 0; i < ITEMS; i++) {
            items.add(item(source, i));
        }
        TestTables.putAll(dynamoDb, source, items);
        return source;
    }

    private static Map<String, AttributeValue> item(String table, int i) {
        Map<String, AttributeValue> item = TestTables.item(table, i);
        // As DynamoDB stores it, so that items read back compare equal.
        item.put("amount", AttributeValue.fromN(i + ".5"));
        item.put("kind", AttributeValue.fromS(i % 2 == 0 ? "A" : "B"));
        item.put("status", AttributeValue.fromS(i % 3 == 1 ? "DONE" : "PENDING"));
        return item;
    }
}
