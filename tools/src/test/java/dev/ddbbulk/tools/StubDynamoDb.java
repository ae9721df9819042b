package dev.ddbbulk.tools;

import java.util.function.Consumer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbServiceClientConfiguration;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DescribeContinuousBackupsRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeContinuousBackupsResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PointInTimeRecoveryStatus;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * A DynamoDB in us-east-1 that knows one on-demand table, keyed by {@code pk}, with point-in-time recovery on, and
 * answers DescribeTable and DescribeContinuousBackups as the service does.
 */
final class StubDynamoDb implements DynamoDbClient {
    private final String table;
    private final long items;
    private final long bytes;

    StubDynamoDb(String table, long items, long bytes) {
        this.table = table;
        this.items = items;
        this.bytes = bytes;
    }

    @Override
    public DescribeTableResponse describeTable(Consumer<DescribeTableRequest.Builder> request) {
        String name = DescribeTableRequest.builder().applyMutation(request).build().tableName();
        requireKnown(name);
        return DescribeTableResponse.builder().table(t -> t.tableName(name).tableStatus(TableStatus.ACTIVE)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .billingModeSummary(b -> b.billingMode(BillingMode.PAY_PER_REQUEST))
                .provisionedThroughput(p -> p.readCapacityUnits(0L).writeCapacityUnits(0L))
                .itemCount(items).tableSizeBytes(bytes)).build();
    }

    @Override
    public DescribeContinuousBackupsResponse describeContinuousBackups(
            Consumer<DescribeContinuousBackupsRequest.Builder> request) {
        requireKnown(DescribeContinuousBackupsRequest.builder().applyMutation(request).build().tableName());
        return DescribeContinuousBackupsResponse.builder().continuousBackupsDescription(d -> d
                .pointInTimeRecoveryDescription(p -> p.pointInTimeRecoveryStatus(PointInTimeRecoveryStatus.ENABLED)))
                .build();
    }

    private void requireKnown(String name) {
        if (!table.equals(name)) {
            throw ResourceNotFoundException.builder().message("Requested resource not found: Table: " + name
                    + " not found").build();
        }
    }

    @Override
    public DynamoDbServiceClientConfiguration serviceClientConfiguration() {
        return DynamoDbServiceClientConfiguration.builder().region(Region.US_EAST_1).build();
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
    }
}
