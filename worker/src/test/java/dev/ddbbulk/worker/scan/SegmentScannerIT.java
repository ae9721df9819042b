package dev.ddbbulk.worker.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.expression.Expression;
import dev.ddbbulk.core.message.DynamoDbKeyCodec;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

@ExtendWith(EmbeddedServicesExtension.class)
class SegmentScannerIT {
    private static final int ITEMS = 3_000;
    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;
    /** Only read by the tests below, so one fill serves them all. */
    private static String table;
    private static Set<String> tableKeys;

    @BeforeAll
    static void fillTable(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
        table = environment.unique("scan");
        TestTables.createAndFill(dynamoDb, table, ITEMS);
        tableKeys = TestTables.scanAll(dynamoDb, table).stream().map(TestTables::keyString).collect(Collectors.toSet());
    }

    @ParameterizedTest(name = "TotalSegments {0}")
    @ValueSource(ints = {1, 7, 1000})
    void forEachPage_whenAllSegmentsScanned_visitsEveryItemExactlyOnce(int totalSegments) {
        SegmentScanner scanner = new SegmentScanner(dynamoDb);
        List<String> visited = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();

        for (int segment = 0; segment < totalSegments; segment++) {
            scanner.forEachPage(table, segment, totalSegments, 50, true, page -> {
                pageSizes.add(page.items().size());
                page.items().forEach(item -> visited.add(TestTables.keyString(item)));
            });
        }

        assertThat(tableKeys).hasSize(ITEMS);
        assertThat(visited).doesNotHaveDuplicates().hasSize(ITEMS);
        assertThat(new HashSet<>(visited)).isEqualTo(tableKeys);
        assertThat(pageSizes).allSatisfy(size -> assertThat(size).isBetween(0, 50));
    }

    @Test
    void scanPage_whenSegmentHasManyPages_chainsLastEvaluatedKeysToTheEnd() {
        SegmentScanner scanner = new SegmentScanner(dynamoDb);
        Set<String> visited = new HashSet<>();
        Map<String, AttributeValue> key = null;
        int pages = 0;

        do {
            ScanPage page = scanner.scanPage(table, 0, 1, key, 100, false);
            assertThat(page.items()).hasSizeLessThanOrEqualTo(100);
            if (!page.last()) {
                assertThat(page.items()).hasSize(100);
                assertThat(page.lastEvaluatedKey()).containsOnlyKeys(TestTables.PK, TestTables.SK);
            }
            page.items().forEach(item -> assertThat(visited.add(TestTables.keyString(item))).isTrue());
            key = page.lastEvaluatedKey();
            pages++;
        } while (key != null);

        assertThat(visited).isEqualTo(tableKeys);
        assertThat(pages).isBetween(ITEMS / 100, ITEMS / 100 + 1);
    }

    @Test
    void scanPage_whenStartingFromAKeyOfTheCodec_resumesWhereThePreviousPageStopped() {
        SegmentScanner scanner = new SegmentScanner(dynamoDb);
        ScanPage first = scanner.scanPage(table, 3, 7, null, 10, true);
        Map<String, AttributeValue> resumeAt = DynamoDbKeyCodec.fromJson(DynamoDbKeyCodec.toJson(first.lastEvaluatedKey()));

        ScanPage fromKey = scanner.scanPage(table, 3, 7, resumeAt, 10, true);
        ScanPage twentyAtOnce = scanner.scanPage(table, 3, 7, null, 20, true);

        List<Map<String, AttributeValue>> chained = new ArrayList<>(first.items());
        chained.addAll(fromKey.items());
        assertThat(chained).isEqualTo(twentyAtOnce.items());
    }

    @Test
    void scanPage_whenTableIsEmpty_returnsOneLastEmptyPage() {
        String empty = environment.unique("scan-empty");
        TestTables.createCompositeTable(dynamoDb, empty);

        ScanPage page = new SegmentScanner(dynamoDb).scanPage(empty, 0, 4, null, 50, true);

        assertThat(page.items()).isEmpty();
        assertThat(page.last()).isTrue();
    }

    @Test
    void scanPage_whenConsumedCapacityAskedFor_reportsTheUnitsAndOtherwiseNone() {
        SegmentScanner scanner = new SegmentScanner(dynamoDb);

        ScanPage metered = scanner.scanPage(table, 0, 1, null, 50, true, ReturnConsumedCapacity.TOTAL);
        ScanPage unmetered = scanner.scanPage(table, 0, 1, null, 50, true, ReturnConsumedCapacity.NONE);

        assertThat(metered.consumedReadUnits()).isPositive();
        assertThat(unmetered.consumedReadUnits()).isZero();
        assertThat(unmetered.items()).isEqualTo(metered.items());
    }

    @Test
    void scanPage_whenAFilterDropsMostItems_returnsEmptyPagesThatAreNotLastAndCountsEveryItemRead() {
        SegmentScanner scanner = new SegmentScanner(dynamoDb);
        // Sort keys below 30 of 3,000: most pages of 50 hold none of them.
        Expression filter = Expression.of("#sk < :n").withName("#sk", TestTables.SK)
                .withValue(":n", AttributeValue.fromN("30"));
        List<String> matched = new ArrayList<>();
        int scanned = 0;
        int emptyButNotLast = 0;
        Map<String, AttributeValue> key = null;

        do {
            ScanPage page = scanner.scanPage(table, 0, 1, key, 50, true, ReturnConsumedCapacity.NONE, filter);
            page.items().forEach(item -> matched.add(TestTables.keyString(item)));
            scanned += page.scanned();
            assertThat(page.filteredOut()).isEqualTo(page.scanned() - page.items().size());
            if (page.items().isEmpty() && !page.last()) {
                emptyButNotLast++;
            }
            key = page.lastEvaluatedKey();
        } while (key != null);

        assertThat(scanned).isEqualTo(ITEMS);
        assertThat(matched).hasSize(30).doesNotHaveDuplicates();
        assertThat(emptyButNotLast).isGreaterThan(0);
    }
}
