package dev.ddbbulk.worker.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.WriteMode;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.testing.RecordingSleeper;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Conditional mode on DynamoDB Local: the conditions that keep another writer's change (in place, the update of
 * only what the processor changed and the version compare; copy mode's "only a higher version"; conditional
 * deletes) and throttled UpdateItem and DeleteItem calls, which must be retried without changing any count.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class ConditionalWriterIT {
    private static final String VERSION = "version";
    private static final Backoff FAST = new Backoff(Duration.ofMillis(1), Duration.ofMillis(10), 8);

    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;

    private String table;
    private TableShape shape;
    private RecordingSleeper sleeper;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void newTable() {
        table = environment.unique("cond");
        TestTables.createCompositeTable(dynamoDb, table);
        shape = new TableShape(table, TestTables.PK, "S", TestTables.SK, "N");
        sleeper = RecordingSleeper.withoutClock();
    }

    @Test
    void write_whenInPlaceAndAnotherWriterBumpedAVersionSinceTheRead_refusesThatItemCountsItAndWritesTheRest()
            throws Exception {
        TestTables.putAll(dynamoDb, table, items(0, 10, 1, "original"));
        List<Map<String, AttributeValue>> read = readAll(table);
        Map<String, AttributeValue> theirs = item(3, 2, "changed by someone else");
        dynamoDb.putItem(b -> b.tableName(table).item(theirs));

        WriteResult result = writer(dynamoDb, table, VERSION, true).write(read, stampAll(read));

        assertThat(result).isEqualTo(new WriteResult(9, 0, 1, 0));
        Map<String, Map<String, AttributeValue>> stored = TestTables.byKey(readAll(table));
        assertThat(stored).hasSize(10);
        assertThat(stored.get(TestTables.keyString(theirs))).isEqualTo(theirs);
        for (Map<String, AttributeValue> original : read) {
            if (!TestTables.keyString(original).equals(TestTables.keyString(theirs))) {
                assertThat(stored.get(TestTables.keyString(original))).isEqualTo(stamped(original));
            }
        }
    }

    @Test
    void write_whenInPlaceAndAnItemReadWithoutAVersionGotOneSince_refusesThatItemAndWritesTheRest()
            throws Exception {
        TestTables.putAll(dynamoDb, table, List.of(unversioned(0), unversioned(1), unversioned(2)));
        List<Map<String, AttributeValue>> read = readAll(table);
        Map<String, AttributeValue> theirs = item(1, 1, "versioned by someone else");
        dynamoDb.putItem(b -> b.tableName(table).item(theirs));

        WriteResult result = writer(dynamoDb, table, VERSION, true).write(read, stampAll(read));

        assertThat(result).isEqualTo(new WriteResult(2, 0, 1, 0));
        Map<String, Map<String, AttributeValue>> stored = TestTables.byKey(readAll(table));
        assertThat(stored.get(TestTables.keyString(theirs))).isEqualTo(theirs);
        assertThat(stored.get(TestTables.keyString(unversioned(0)))).isEqualTo(stamped(unversioned(0)));
        assertThat(stored.get(TestTables.keyString(unversioned(2)))).isEqualTo(stamped(unversioned(2)));
    }

    @Test
    void write_whenCopyingOverHigherEqualAndLowerVersions_keepsHigherAndEqualOnesAndOverwritesLowerOnes()
            throws Exception {
        String destination = environment.unique("cond-dst");
        TestTables.createCompositeTable(dynamoDb, destination);
        List<Map<String, AttributeValue>> source = items(0, 6, 5, "source");
        Map<String, AttributeValue> higher = item(0, 9, "newer in the destination");
        Map<String, AttributeValue> lower = item(1, 2, "older in the destination");
        Map<String, AttributeValue> sameVersionOtherData = item(3, 5, "same version, other data");
        // item 2 is there already exactly as the copy would leave it; items 4 and 5 are not there at all
        TestTables.putAll(dynamoDb, destination, List.of(higher, lower, source.get(2), sameVersionOtherData));

        WriteResult result = writer(dynamoDb, destination, VERSION, false)
                .write(source, source.stream().map(ItemAction::put).toList());

        // written: 1 (over a lower version), 4 and 5 (new); refused: 0 (higher), 3 (equal); 2 already applied
        assertThat(result).isEqualTo(new WriteResult(3, 0, 2, 1));
        Map<String, Map<String, AttributeValue>> expected = TestTables.byKey(List.of(higher, source.get(1),
                source.get(2), sameVersionOtherData, source.get(4), source.get(5)));
        assertThat(TestTables.byKey(readAll(destination))).isEqualTo(expected);
    }

    @Test
    void write_whenDeletingInPlaceWithAVersion_deletesUnchangedItemsAndRefusesOneChangedSinceTheRead()
            throws Exception {
        TestTables.putAll(dynamoDb, table, items(0, 8, 1, "original"));
        List<Map<String, AttributeValue>> read = readAll(table);
        Map<String, AttributeValue> theirs = item(2, 2, "changed by someone else");
        dynamoDb.putItem(b -> b.tableName(table).item(theirs));
        dynamoDb.deleteItem(b -> b.tableName(table).key(shape.keyOf(item(6, 1, ""))));
        // Even sort keys are deleted, odd ones stamped: one page of both.
        List<ItemAction> actions = read.stream()
                .map(i -> Integer.parseInt(i.get(TestTables.SK).n()) % 2 == 0 ? ItemAction.delete(i)
                        : ItemAction.put(stamped(i)))
                .toList();

        WriteResult result = writer(dynamoDb, table, VERSION, true).write(read, actions);

        // deleted: 0 and 4; refused: 2 (its version moved on); already applied: 6 (deleted by the other writer)
        assertThat(result).isEqualTo(new WriteResult(4, 2, 1, 1));
        Map<String, Map<String, AttributeValue>> expected = new HashMap<>();
        expected.put(TestTables.keyString(theirs), theirs);
        for (int odd = 1; odd < 8; odd += 2) {
            expected.put(TestTables.keyString(item(odd, 1, "")), stamped(item(odd, 1, "original")));
        }
        assertThat(TestTables.byKey(readAll(table))).isEqualTo(expected);
    }

    @Test
    void write_whenDeletingInPlaceWithoutAVersionAttribute_requiresOnlyThatTheItemStillExists() throws Exception {
        TestTables.putAll(dynamoDb, table, items(0, 5, 1, "original"));
        List<Map<String, AttributeValue>> read = readAll(table);
        // Without a version attribute a change is invisible to the condition; a deletion is not.
        dynamoDb.putItem(b -> b.tableName(table).item(item(1, 7, "changed by someone else")));
        dynamoDb.deleteItem(b -> b.tableName(table).key(shape.keyOf(item(3, 1, ""))));

        WriteResult result = writer(dynamoDb, table, null, true)
                .write(read, read.stream().map(ItemAction::delete).toList());

        assertThat(result).isEqualTo(new WriteResult(0, 4, 0, 1));
        assertThat(readAll(table)).isEmpty();
    }

    @Test
    void write_whenUpdateItemAndDeleteItemAreThrottled_retriesThemAndCountsEachItemOnce() throws Exception {
        TestTables.putAll(dynamoDb, table, items(0, 30, 1, "original"));
        List<Map<String, AttributeValue>> read = readAll(table);
        Map<String, AttributeValue> theirs = item(5, 2, "changed by someone else");
        dynamoDb.putItem(b -> b.tableName(table).item(theirs));
        List<ItemAction> actions = read.stream()
                .map(i -> Integer.parseInt(i.get(TestTables.SK).n()) % 3 == 0 ? ItemAction.delete(i)
                        : ItemAction.put(stamped(i)))
                .toList();
        ThrottlingDynamoDb throttling = new ThrottlingDynamoDb(dynamoDb, 3);

        WriteResult result = writer(throttling, table, VERSION, true).write(read, actions);

        // In place, a put is written as an update of what it changed.
        assertThat(throttling.throttledUpdates).hasPositiveValue();
        assertThat(throttling.throttledDeletes).hasPositiveValue();
        assertThat(throttling.throttledPuts).hasValue(0);
        // Every throttle was waited out once and retried; nothing else slept.
        assertThat(sleeper.sleeps()).hasSize(throttling.throttledUpdates.get() + throttling.throttledDeletes.get());
        // 10 deletes (sort keys 0, 3, ... 27), 20 puts, of which item 5's is refused.
        assertThat(result).isEqualTo(new WriteResult(19, 10, 1, 0));
        Map<String, Map<String, AttributeValue>> expected = new HashMap<>();
        for (Map<String, AttributeValue> original : read) {
            int sk = Integer.parseInt(original.get(TestTables.SK).n());
            if (sk == 5) {
                expected.put(TestTables.keyString(theirs), theirs);
            } else if (sk % 3 != 0) {
                expected.put(TestTables.keyString(original), stamped(original));
            }
        }
        assertThat(TestTables.byKey(readAll(table))).isEqualTo(expected);
    }

    @Test
    void write_whenInPlaceWithoutAVersionAndAnotherWriterChangedAnotherAttributeSinceTheRead_keepsBothChanges()
            throws Exception {
        TestTables.putAll(dynamoDb, table, List.of(unversioned(0), unversioned(1), unversioned(2)));
        List<Map<String, AttributeValue>> read = readAll(table);
        dynamoDb.updateItem(b -> b.tableName(table).key(shape.keyOf(unversioned(1)))
                .updateExpression("SET note = :n").expressionAttributeValues(Map.of(":n", s("theirs"))));

        WriteResult result = writer(dynamoDb, table, null, true).write(read, stampAll(read));

        assertThat(result).isEqualTo(new WriteResult(3, 0, 0, 0));
        Map<String, AttributeValue> both = stamped(unversioned(1));
        both.put("note", s("theirs"));
        assertThat(TestTables.byKey(readAll(table))).isEqualTo(TestTables.byKey(List.of(stamped(unversioned(0)),
                both, stamped(unversioned(2)))));
    }

    @Test
    void write_whenInPlaceAndAnotherWriterChangedTheSameAttributeSinceTheRead_refusesAndKeepsTheirs()
            throws Exception {
        TestTables.putAll(dynamoDb, table, List.of(unversioned(0), unversioned(1)));
        List<Map<String, AttributeValue>> read = readAll(table);
        dynamoDb.updateItem(b -> b.tableName(table).key(shape.keyOf(unversioned(0)))
                .updateExpression("SET payload = :p").expressionAttributeValues(Map.of(":p", s("theirs"))));
        List<ItemAction> actions = read.stream().map(i -> {
            Map<String, AttributeValue> changed = new LinkedHashMap<>(i);
            changed.put("payload", s("ours"));
            return ItemAction.put(changed);
        }).toList();

        WriteResult result = writer(dynamoDb, table, null, true).write(read, actions);

        assertThat(result).isEqualTo(new WriteResult(1, 0, 1, 0));
        Map<String, Map<String, AttributeValue>> stored = TestTables.byKey(readAll(table));
        assertThat(stored.get(TestTables.keyString(unversioned(0))).get("payload")).isEqualTo(s("theirs"));
        assertThat(stored.get(TestTables.keyString(unversioned(1))).get("payload")).isEqualTo(s("ours"));
    }

    @Test
    void write_whenInPlaceAndAProcessorRemovesAnAttributeAndAnotherWriterAddedOneMeanwhile_keepsTheirs()
            throws Exception {
        TestTables.putAll(dynamoDb, table, List.of(unversioned(0)));
        List<Map<String, AttributeValue>> read = readAll(table);
        dynamoDb.updateItem(b -> b.tableName(table).key(shape.keyOf(unversioned(0)))
                .updateExpression("SET extra = :e").expressionAttributeValues(Map.of(":e", s("theirs"))));
        Map<String, AttributeValue> withoutPayload = new LinkedHashMap<>(read.get(0));
        withoutPayload.remove("payload");

        WriteResult result = writer(dynamoDb, table, null, true).write(read, List.of(ItemAction.put(withoutPayload)));

        assertThat(result).isEqualTo(new WriteResult(1, 0, 0, 0));
        Map<String, AttributeValue> expected = new LinkedHashMap<>(withoutPayload);
        expected.put("extra", s("theirs"));
        assertThat(readAll(table)).containsExactly(expected);
    }

    @Test
    void write_whenInPlaceAndTheProcessorReturnsItemsUnchanged_writesNothingAndCountsThemUnchanged()
            throws Exception {
        TestTables.putAll(dynamoDb, table, items(0, 4, 1, "original"));
        List<Map<String, AttributeValue>> read = readAll(table);
        ThrottlingDynamoDb counting = new ThrottlingDynamoDb(dynamoDb, Integer.MAX_VALUE);

        WriteResult result = writer(counting, table, VERSION, true)
                .write(read, read.stream().map(ItemAction::put).toList());

        assertThat(result).isEqualTo(new WriteResult(0, 0, 0, 0, 4));
        assertThat(counting.updates).hasValue(0);
        assertThat(counting.puts).hasValue(0);
        assertThat(writer(dynamoDb, table, VERSION, true).wouldWrite(read, stampAll(read)))
                .isEqualTo(new WriteResult(4, 0, 0, 0, 0));
    }

    @Test
    void write_whenInPlaceAndAnotherWriterAlreadyMadeTheSameChange_countsItAlreadyApplied() throws Exception {
        TestTables.putAll(dynamoDb, table, List.of(unversioned(0)));
        List<Map<String, AttributeValue>> read = readAll(table);
        dynamoDb.updateItem(b -> b.tableName(table).key(shape.keyOf(unversioned(0)))
                .updateExpression("SET migrated = :t, note = :n")
                .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true), ":n", s("theirs"))));

        WriteResult result = writer(dynamoDb, table, null, true).write(read, stampAll(read));

        assertThat(result).isEqualTo(new WriteResult(0, 0, 0, 1));
        assertThat(readAll(table).get(0)).containsEntry("note", s("theirs"))
                .containsEntry("migrated", AttributeValue.fromBool(true));
    }

    @Test
    void write_whenInPlaceAndTheProcessorChangesMoreAttributesThanOneUpdateTakes_putsTheWholeItem()
            throws Exception {
        TestTables.putAll(dynamoDb, table, List.of(unversioned(0)));
        List<Map<String, AttributeValue>> read = readAll(table);
        Map<String, AttributeValue> wide = new LinkedHashMap<>(read.get(0));
        for (int i = 0; i <= ItemChanges.MAX_ATTRIBUTES; i++) {
            wide.put("a" + i, AttributeValue.fromN(Integer.toString(i)));
        }
        ThrottlingDynamoDb counting = new ThrottlingDynamoDb(dynamoDb, Integer.MAX_VALUE);

        WriteResult result = writer(counting, table, null, true).write(read, List.of(ItemAction.put(wide)));

        assertThat(result).isEqualTo(new WriteResult(1, 0, 0, 0));
        assertThat(counting.puts).hasValue(1);
        assertThat(counting.updates).hasValue(0);
        assertThat(readAll(table)).containsExactly(wide);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    /** As a job's default: the conditions hold with writes in flight too. */
    private static final int WRITES_IN_FLIGHT = JobConfig.DEFAULT_WRITES_IN_FLIGHT;

    private ItemWriter writer(DynamoDbClient client, String destination, String versionAttribute, boolean inPlace) {
        return new ItemWriter(client, new TableShape(destination, TestTables.PK, "S", TestTables.SK, "N"),
                WriteMode.CONDITIONAL, versionAttribute, inPlace, CapacityBudget.unlimited(), WRITES_IN_FLIGHT, FAST,
                new Random(3), sleeper);
    }

    /** The table's items in key order, read consistently, as a scan page hands them to the processor. */
    private static List<Map<String, AttributeValue>> readAll(String table) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(TestTables.scanAll(dynamoDb, table));
        items.sort(Comparator.comparingInt(i -> Integer.parseInt(i.get(TestTables.SK).n())));
        return items;
    }

    private static List<Map<String, AttributeValue>> items(int from, int to, int version, String payload) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int i = from; i < to; i++) {
            items.add(item(i, version, payload));
        }
        return items;
    }

    private static Map<String, AttributeValue> item(int i, int version, String payload) {
        Map<String, AttributeValue> item = unversioned(i);
        item.put("payload", AttributeValue.fromS(payload));
        item.put(VERSION, AttributeValue.fromN(Integer.toString(version)));
        return item;
    }

    private static Map<String, AttributeValue> unversioned(int i) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(TestTables.PK, AttributeValue.fromS("p" + (i % 4)));
        item.put(TestTables.SK, AttributeValue.fromN(Integer.toString(i)));
        item.put("payload", AttributeValue.fromS("original"));
        return item;
    }

    /** What a migration makes of an item: marked, with its version (if any) one higher. */
    private static Map<String, AttributeValue> stamped(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> stamped = new LinkedHashMap<>(item);
        stamped.put("migrated", AttributeValue.fromBool(true));
        if (item.containsKey(VERSION)) {
            stamped.put(VERSION, AttributeValue.fromN(Integer.toString(Integer.parseInt(item.get(VERSION).n()) + 1)));
        }
        return stamped;
    }

    private static List<ItemAction> stampAll(List<Map<String, AttributeValue>> items) {
        return items.stream().map(i -> ItemAction.put(stamped(i))).toList();
    }

    /** DynamoDB Local whose every {@code n}-th PutItem and DeleteItem call is throttled (and not applied). */
    private static final class ThrottlingDynamoDb implements DynamoDbClient {
        private final DynamoDbClient delegate;
        private final int n;
        private final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger throttledPuts = new AtomicInteger();
        final AtomicInteger throttledUpdates = new AtomicInteger();
        final AtomicInteger throttledDeletes = new AtomicInteger();
        final AtomicInteger puts = new AtomicInteger();
        final AtomicInteger updates = new AtomicInteger();

        ThrottlingDynamoDb(DynamoDbClient delegate, int n) {
            this.delegate = delegate;
            this.n = n;
        }

        @Override
        public PutItemResponse putItem(PutItemRequest request) {
            puts.incrementAndGet();
            throttleIfDue(throttledPuts);
            return delegate.putItem(request);
        }

        @Override
        public UpdateItemResponse updateItem(UpdateItemRequest request) {
            updates.incrementAndGet();
            throttleIfDue(throttledUpdates);
            return delegate.updateItem(request);
        }

        @Override
        public DeleteItemResponse deleteItem(DeleteItemRequest request) {
            throttleIfDue(throttledDeletes);
            return delegate.deleteItem(request);
        }

        private void throttleIfDue(AtomicInteger throttled) {
            if (calls.incrementAndGet() % n == 0) {
                throttled.incrementAndGet();
                throw ProvisionedThroughputExceededException.builder().statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder()
                                .errorCode("ProvisionedThroughputExceededException").build())
                        .message("injected throttle").build();
            }
        }

        @Override
        public String serviceName() {
            return delegate.serviceName();
        }

        @Override
        public void close() {
            // the delegate is the fixture's
        }
    }
}
