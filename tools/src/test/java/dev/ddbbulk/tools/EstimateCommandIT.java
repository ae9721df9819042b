package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.tools.estimate.Prices;
import dev.ddbbulk.tools.estimate.RegionPrices;
import dev.ddbbulk.tools.estimate.TablePrices;
import dev.ddbbulk.tools.output.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * {@code estimate} against DynamoDB Local tables with and without indexes, on-demand and provisioned, filled with
 * items of exactly {@value #ITEM_BYTES} bytes. DynamoDB Local keeps ItemCount and TableSizeBytes up to date at once
 * (AWS updates them about every six hours), so the figures follow from the items written.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class EstimateCommandIT {
    /** pk (2 + 10), tenant (6 + 4) and data (4 + 1474) bytes: 2 write units and 1500/4096 of a read unit. */
    private static final int ITEM_BYTES = 1500;
    private static final int ITEMS = 200;
    private static final double EXACT = 1e-9;

    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;
    private static RegionPrices prices;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
        prices = Prices.builtIn().forRegion(environment.region().id());
    }

    @Test
    void estimate_whenOnDemandTableWithoutIndexes_countsTheUnitsAndDollarsOfItsItems() {
        String table = environment.unique("est-ondemand");
        create(CreateTableRequest.builder().tableName(table).billingMode(BillingMode.PAY_PER_REQUEST));
        fill(table);

        Cli result = Cli.run(Cli.onEmbedded(environment, "estimate", "--source", table, "--segments", "4",
                "--workers", "2", "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode json = result.json();
        assertThat(json.get("source").get("itemCount").asLong()).isEqualTo(ITEMS);
        assertThat(json.get("source").get("sizeBytes").asLong()).isEqualTo((long) ITEMS * ITEM_BYTES);
        assertThat(json.get("source").get("capacity").get("mode").asText()).isEqualTo("PAY_PER_REQUEST");
        // 300,000 bytes are 74 units of 4 KB; 2 pages of 100 items and a short page for each of 4 segments, half a
        // unit each.
        JsonNode reads = json.get("reads");
        assertThat(reads.get("units").asDouble()).isCloseTo(74 + 3, within(EXACT));
        assertThat(reads.get("dollars").asDouble()).isCloseTo(77 * standard().onDemandReadPerMillion() / 1e6, within(EXACT));
        JsonNode writes = json.get("writes");
        assertThat(writes.get("units").asDouble()).isCloseTo(ITEMS * 2, within(EXACT));
        assertThat(writes.get("indexes")).isEmpty();
        assertThat(writes.get("dollars").asDouble()).isCloseTo(400 * standard().onDemandWritePerMillion() / 1e6, within(EXACT));
        assertThat(writes.get("provisionedDollars").asDouble()).isCloseTo(400 / 3600.0 * standard().provisionedWcuHour(),
                within(EXACT));
        assertThat(json.get("dynamoDbDollars").asDouble())
                .isCloseTo(reads.get("dollars").asDouble() + writes.get("dollars").asDouble(), within(EXACT));
        JsonNode overhead = json.get("overhead");
        assertThat(overhead.get("lambdaGbSeconds").asDouble()).isPositive();
        assertThat(overhead.get("shareOfDynamoDb").asDouble())
                .isCloseTo(overhead.get("dollars").asDouble() / json.get("dynamoDbDollars").asDouble(), within(EXACT));
        assertThat(json.get("prices").get("region").asText()).isEqualTo(environment.region().id());
        assertThat(json.get("prices").get("pricesAsOf").asText()).isEqualTo(Prices.builtIn().pricesAsOf());
        // DynamoDB Local has no DescribeContinuousBackups: the estimate says so instead of failing.
        assertThat(json.get("source").get("pointInTimeRecovery").get("status").asText()).isEqualTo("UNKNOWN");
        assertThat(json.get("notes").toString()).contains("point-in-time recovery of '" + table + "' is unknown");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void estimate_whenCopyingFromAProvisionedTableIntoAProvisionedOneWithIndexes_addsIndexWritesAndTheirPace() {
        String source = environment.unique("est-prov-src");
        String destination = environment.unique("est-prov-dst");
        create(CreateTableRequest.builder().tableName(source).billingMode(BillingMode.PROVISIONED)
                .provisionedThroughput(p -> p.readCapacityUnits(100L).writeCapacityUnits(5L)));
        fill(source);
        create(CreateTableRequest.builder().tableName(destination).billingMode(BillingMode.PROVISIONED)
                .provisionedThroughput(p -> p.readCapacityUnits(5L).writeCapacityUnits(40L))
                .globalSecondaryIndexes(index("by-tenant", ProjectionType.ALL, 10),
                        index("by-tenant-keys", ProjectionType.KEYS_ONLY, 20)));

        Cli result = Cli.run(Cli.onEmbedded(environment, "estimate", "--source", source, "--destination", destination,
                "--segments", "4", "--workers", "2", "--write-unit-price", "2.5", "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode json = result.json();
        JsonNode reads = json.get("reads");
        assertThat(reads.get("billing").asText()).isEqualTo("PROVISIONED");
        assertThat(reads.get("dollars").asDouble()).isCloseTo(77 / 3600.0 * standard().provisionedRcuHour(), within(EXACT));
        // Per item: 2 units in the table, 2 in the ALL index, 1 in the KEYS_ONLY one.
        JsonNode writes = json.get("writes");
        assertThat(writes.get("tableUnitsPerItem").asDouble()).isEqualTo(2);
        assertThat(writes.get("indexes").findValuesAsText("index")).containsExactly("by-tenant", "by-tenant-keys");
        assertThat(writes.get("units").asDouble()).isCloseTo(ITEMS * 5, within(EXACT));
        assertThat(writes.get("billing").asText()).isEqualTo("PROVISIONED");
        assertThat(writes.get("dollars").asDouble()).isCloseTo(1000 / 3600.0 * standard().provisionedWcuHour(), within(EXACT));
        assertThat(writes.get("onDemandDollars").asDouble()).isCloseTo(1000 * 2.5 / 1e6, within(EXACT));
        // The ALL index's 10 write units serve 5 items/s: 40 s for 200 items (the table's 40 serve 20).
        JsonNode duration = json.get("duration");
        assertThat(duration.get("limitedBy").asText())
                .isEqualTo("write capacity of index 'by-tenant': 10 units/s provisioned");
        assertThat(duration.get("seconds").asDouble()).isCloseTo(40, within(EXACT));
        assertThat(json.get("notes").toString()).contains("index writes are an upper bound");
    }

    @Test
    void estimate_whenOnDemandTableWithAnIndexAndALocalFleet_printsATableOfTheFigures() {
        String table = environment.unique("est-gsi");
        create(CreateTableRequest.builder().tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("by-tenant")
                        .keySchema(KeySchemaElement.builder().attributeName("tenant").keyType(KeyType.HASH).build())
                        .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY)).build()));
        fill(table);

        Cli result = Cli.run(Cli.onEmbedded(environment, "estimate", "--source", table, "--segments", "4",
                "--workers", "2", "--consistent-read", "false", "--fleet", "local"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("Estimate: update in place of '" + table + "', BatchWriteItem puts of whole items; 4 segments,"
                        + " 2 workers on a local fleet")
                .containsPattern(table + "\\s+200\\s+293\\.0 KB\\s+1\\.5 KB\\s+on-demand\\s+STANDARD\\s+unknown")
                // Eventually consistent: half of 77 units.
                .containsPattern("reads \\(eventual\\)\\s+39\\s")
                .containsPattern("writes\\s+600\\s+3\\s")
                .containsPattern("index 'by-tenant'\\s+1\\s+\\(global, 1 write an item\\)")
                .contains("duration  about 1 s")
                .contains("overhead  ")
                .doesNotContain("Step Functions")
                .contains("note: item count and size come from DescribeTable, which DynamoDB updates about every 6 hours");
    }

    @Test
    void estimate_whenTheSourceTableDoesNotExist_exits2WithOneLine() {
        Cli result = Cli.run(Cli.onEmbedded(environment, "estimate", "--source", "no-such-table"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: SourceTable 'no-such-table' does not exist; create it"
                + " or fix --source / SourceTable (and the region or endpoint)");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void estimate_whenThePriceFileIsBad_exits2WithOneLineNamingTheField(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("prices.json"), "{\"pricesAsOf\": \"2026-12-02\", \"source\": \"mine\","
                + " \"regions\": {\"us-east-1\": {\"dynamoDb\": {}}}}");

        Cli result = Cli.run(Cli.onEmbedded(environment, "estimate", "--source", "any-table", "--price-file",
                file.toString()));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: --price-file " + file + ": regions.us-east-1.dynamoDb"
                + " must be an object with the prices of table class STANDARD (and STANDARD_INFREQUENT_ACCESS); fix it"
                + " (the built-in prices.json shows the layout)");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void run_whenThePriceFileIsBad_exits2BeforeCreatingAnything(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("prices.json"), "not json");
        String ledger = environment.unique("ledger");

        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", "any-table", "--ledger-table", ledger,
                "--price-file", file.toString()));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).startsWith("ddb-bulk: --price-file " + file + " is not valid JSON (")
                .doesNotContain("\n");
        assertThat(result.err().strip().lines()).hasSize(1);
        assertThat(dynamoDb.listTablesPaginator().tableNames()).doesNotContain(ledger);
    }

    @Test
    void estimate_whenTheFleetIsNeitherLambdaNorLocal_exits2WithOneLine() {
        Cli result = Cli.run(Cli.onEmbedded(environment, "estimate", "--source", "any-table", "--fleet", "ec2"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: --fleet must be 'lambda' or 'local', got 'ec2'");
    }

    private static TablePrices standard() {
        return prices.table("STANDARD");
    }

    private static GlobalSecondaryIndex index(String name, ProjectionType projection, long writeUnits) {
        return GlobalSecondaryIndex.builder().indexName(name)
                .keySchema(KeySchemaElement.builder().attributeName("tenant").keyType(KeyType.HASH).build())
                .projection(p -> p.projectionType(projection))
                .provisionedThroughput(p -> p.readCapacityUnits(5L).writeCapacityUnits(writeUnits)).build();
    }

    /** Creates a table keyed by {@code pk}, with {@code tenant} defined for its indexes if it has any. */
    private static void create(CreateTableRequest.Builder table) {
        List<AttributeDefinition> attributes = new ArrayList<>(List.of(AttributeDefinition.builder()
                .attributeName("pk").attributeType(ScalarAttributeType.S).build()));
        if (table.build().hasGlobalSecondaryIndexes()) {
            attributes.add(AttributeDefinition.builder().attributeName("tenant").attributeType(ScalarAttributeType.S).build());
        }
        dynamoDb.createTable(table.attributeDefinitions(attributes)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()).build());
    }

    private static void fill(String table) {
        List<WriteRequest> batch = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            Map<String, AttributeValue> item = Map.of(
                    "pk", AttributeValue.fromS(String.format("item-%05d", i)),
                    "tenant", AttributeValue.fromS(String.format("t-%02d", i % 10)),
                    "data", AttributeValue.fromS("x".repeat(ITEM_BYTES - 12 - 10 - 4)));
            batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            if (batch.size() == 25) {
                List<WriteRequest> chunk = List.copyOf(batch);
                var unprocessed = dynamoDb.batchWriteItem(b -> b.requestItems(Map.of(table, chunk))).unprocessedItems();
                assertThat(unprocessed).isEmpty();
                batch.clear();
            }
        }
    }
}
