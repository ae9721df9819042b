package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.testing.TestProcessors;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.tools.local.DemoData;
import dev.ddbbulk.tools.output.ExitCodes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;

@ExtendWith(EmbeddedServicesExtension.class)
class RunCommandIT {
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
    void run_whenTablesExist_copiesEveryItemExactlyAndRemovesItsTemporaryQueues() throws Exception {
        String source = environment.unique("run-src");
        String destination = environment.unique("run-dst");
        DemoData.createTable(dynamoDb, source);
        DemoData.createTable(dynamoDb, destination);
        DemoData.fill(dynamoDb, new TableValidator(dynamoDb).describe(source, "SourceTable", "--source"), 1500, 200, 2);
        String ledger = environment.unique("ledger");

        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--destination", destination,
                "--segments", "13", "--workers", "3", "--ledger-table", ledger, "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(1500);
        assertThat(summary.get("itemsWritten").asLong()).isEqualTo(1500);
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(13);
        assertThat(summary.has("verified")).isFalse();
        assertThat(result.err()).contains("Estimate (DescribeTable figures").contains("1,500 items");
        var copied = TestTables.byKey(TestTables.scanAll(dynamoDb, destination));
        assertThat(copied).hasSize(1500).isEqualTo(TestTables.byKey(TestTables.scanAll(dynamoDb, source)));
        assertThat(sqs.listQueues().queueUrls()).noneMatch(url -> url.contains(summary.get("runId").asText().substring(0, 8)));
    }

    @Test
    void run_whenProcessorThrowsOnOneItem_exits3NamesTheSegmentAndKeepsTheQueues() throws Exception {
        String source = environment.unique("poison-src");
        String destination = environment.unique("poison-dst");
        DemoData.createTable(dynamoDb, source);
        DemoData.createTable(dynamoDb, destination);
        DemoData.fill(dynamoDb, new TableValidator(dynamoDb).describe(source, "SourceTable", "--source"), 300, 200, 2);

        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--destination", destination,
                "--segments", "5", "--workers", "2", "--ledger-table", environment.unique("ledger"),
                "--processor", TestProcessors.PoisonSortKey.class.getName(), "--max-receive-count", "2", "--json"));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.SEGMENTS_FAILED);
        JsonNode summary = result.json();
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(4);
        assertThat(summary.get("dlqMessages").asInt()).isEqualTo(1);
        assertThat(summary.get("failedSegments")).isEmpty();
        assertThat(summary.get("deadLetteredSegments").get(0).get("lastError").asText()).contains("poison item");
        assertThat(result.err()).contains("Kept the temporary queues for inspection");
        String prefix = "ddb-bulk-" + summary.get("runId").asText().substring(0, 8);
        assertThat(sqs.listQueues().queueUrls()).anyMatch(url -> url.endsWith(prefix + "-dlq"));
    }

    @Test
    void run_whenSourceTableIsMissing_exits2AndWritesNothing() {
        String ledger = environment.unique("ledger");
        int queuesBefore = sqs.listQueues().queueUrls().size();

        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", "no-such-table", "--ledger-table", ledger,
                "--json"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: SourceTable 'no-such-table' does not exist; create it"
                + " or fix --source / SourceTable (and the region or endpoint)");
        assertThat(result.out()).isEmpty();
        assertThat(dynamoDb.listTablesPaginator().tableNames()).doesNotContain(ledger);
        assertThat(sqs.listQueues().queueUrls()).hasSize(queuesBefore);
    }

    @Test
    void run_whenDestinationHasAnotherKeySchema_exits2AndWritesNothing() {
        String source = environment.unique("schema-src");
        String destination = environment.unique("schema-dst");
        DemoData.createTable(dynamoDb, source);
        dynamoDb.createTable(b -> b.tableName(destination).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build()));
        String ledger = environment.unique("ledger");
        int queuesBefore = sqs.listQueues().queueUrls().size();

        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--destination", destination,
                "--ledger-table", ledger));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).startsWith("ddb-bulk: DestinationTable '" + destination + "' has key id (S) but"
                + " SourceTable '" + source + "' has key pk (S), sk (N); create the destination with the same key schema");
        assertThat(dynamoDb.listTablesPaginator().tableNames()).doesNotContain(ledger);
        assertThat(sqs.listQueues().queueUrls()).hasSize(queuesBefore);
        assertThat(dynamoDb.scan(b -> b.tableName(destination)).count()).isZero();
    }

    @Test
    void run_whenOnePageCannotFitTheTimeBudget_exits2AndWritesNothing() {
        String source = environment.unique("slow-src");
        DemoData.createTable(dynamoDb, source);
        String ledger = environment.unique("ledger");
        int queuesBefore = sqs.listQueues().queueUrls().size();

        // One item a second with pages of 100: a page takes 100 s; a 2-minute budget less its 30 s margin is 90 s.
        Cli result = Cli.run(Cli.onEmbedded(environment, "run", "--source", source, "--ledger-table", ledger,
                "--rate", "1", "--page-size", "100", "--time-budget", "2m"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: RateLimiter 1 with PageSize 100 needs at least 100 s a"
                + " page, more than a worker's time budget of 90 s; raise the rate or the budget, or lower"
                + " --page-size / PageSize");
        assertThat(dynamoDb.listTablesPaginator().tableNames()).doesNotContain(ledger);
        assertThat(sqs.listQueues().queueUrls()).hasSize(queuesBefore);
    }
}
