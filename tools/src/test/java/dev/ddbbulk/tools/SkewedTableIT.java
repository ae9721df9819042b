package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.ledger.SegmentStatus;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One partition key holding most of a table: with splitting its item collection is spread over the fleet as
 * sort-key ranges, without it one worker reads it all. Both runs copy the same table in the same test, and
 * their times are reported, not asserted: the machine decides them.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class SkewedTableIT {
    private static final int HOT_ITEMS = 40_000;
    private static final int OTHER_KEYS = 1_000;
    private static final int ITEMS_PER_OTHER_KEY = 10;
    private static final int ITEMS = HOT_ITEMS + OTHER_KEYS * ITEMS_PER_OTHER_KEY;

    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;
    private static String source;
    private static Map<String, Map<String, AttributeValue>> sourceItems;

    @BeforeAll
    static void fillASkewedTable(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
        source = environment.unique("skew-src");
        TestTables.createCompositeTable(dynamoDb, source);
        List<Map<String, AttributeValue>> items = new ArrayList<>(ITEMS);
        for (int i = 0; i < HOT_ITEMS; i++) {
            items.add(item("hot", i));
        }
        for (int k = 0; k < OTHER_KEYS; k++) {
            for (int i = 0; i < ITEMS_PER_OTHER_KEY; i++) {
                items.add(item("key-" + k, i));
            }
        }
        TestTables.putAll(dynamoDb, source, items);
        sourceItems = TestTables.byKey(TestTables.scanAll(dynamoDb, source));
    }

    private static Map<String, AttributeValue> item(String partition, int sort) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(TestTables.PK, AttributeValue.fromS(partition));
        item.put(TestTables.SK, AttributeValue.fromN(Integer.toString(sort)));
        item.put("payload", AttributeValue.fromS("value-" + sort));
        return item;
    }

    @Test
    void run_whenOneKeyHoldsMostOfTheTable_splitsItsCollectionOverTheFleetAndCopiesEveryItemOnce() {
        Copy split = copy("10");
        Copy unsplit = copy("0");
        System.out.printf("SkewedTableIT: %,d items, %,d under one key, 100 segments, 4 workers: %.1f s with"
                        + " splitting (%d ranges), %.1f s without (%.2fx)%n", ITEMS, HOT_ITEMS,
                split.seconds(), split.ranges().size(), unsplit.seconds(), unsplit.seconds() / split.seconds());

        for (Copy copy : List.of(split, unsplit)) {
            assertThat(copy.summary().get("itemsScanned").asLong()).isEqualTo(ITEMS);
            assertThat(copy.summary().get("itemsWritten").asLong()).isEqualTo(ITEMS);
            assertThat(copy.summary().get("segmentsCompleted").asInt()).isEqualTo(100);
            assertThat(TestTables.byKey(TestTables.scanAll(dynamoDb, copy.destination()))).isEqualTo(sourceItems);
        }
        assertThat(unsplit.ranges()).isEmpty();
        assertThat(split.ranges()).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(range -> assertThat(range.status()).isEqualTo(SegmentStatus.DONE));
        assertThat(split.ranges().stream().mapToLong(r -> r.counts().scanned()).sum())
                .as("the hot key's items read by its ranges").isGreaterThan(HOT_ITEMS / 2);
        assertThat(maxOverlapping(split.ranges())).as("ranges at work at one time").isGreaterThanOrEqualTo(2);
    }

    private record Copy(String destination, JsonNode summary, double seconds, List<SegmentRecord> ranges) {
    }

    private static Copy copy(String splitAfterPages) {
        String destination = environment.unique("skew-dst");
        TestTables.createCompositeTable(dynamoDb, destination);
        String ledgerTable = environment.unique("skew-ledger");
        long started = System.nanoTime();
        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--destination", destination,
                "--segments", "100", "--workers", "4", "--split-after-pages", splitAfterPages,
                "--ledger-table", ledgerTable, "--json"));
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        List<SegmentRecord> ranges = new ArrayList<>();
        new ProgressLedger(dynamoDb, ledgerTable, Clock.systemUTC())
                .forEachSegment(summary.get("runId").asText(), row -> {
                    if (row.isRange()) {
                        ranges.add(row);
                    }
                });
        return new Copy(destination, summary, seconds, ranges);
    }

    /** The most ranges whose time from first claim to done overlapped at one moment. */
    private static int maxOverlapping(List<SegmentRecord> ranges) {
        int most = 0;
        for (SegmentRecord range : ranges) {
            int overlapping = 0;
            for (SegmentRecord other : ranges) {
                if (!other.startedAt().isAfter(range.startedAt()) && other.endedAt().isAfter(range.startedAt())) {
                    overlapping++;
                }
            }
            most = Math.max(most, overlapping);
        }
        return most;
    }
}
