package dev.ddbbulk.tools.estimate;

import dev.ddbbulk.core.job.InvalidJobException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.OnDemandThroughput;
import software.amazon.awssdk.services.dynamodb.model.PointInTimeRecoveryStatus;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputDescription;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** Reads a table's {@link TableFacts} with DescribeTable and DescribeContinuousBackups. */
public final class TableInspector {
    private final DynamoDbClient dynamoDb;

    public TableInspector(DynamoDbClient dynamoDb) {
        this.dynamoDb = dynamoDb;
    }

    /**
     * @param parameter the job parameter naming the table, for the message when it doesn't exist
     * @param option    the CLI option naming it
     */
    public TableFacts inspect(String table, String parameter, String option) {
        TableDescription description;
        try {
            description = dynamoDb.describeTable(b -> b.tableName(table)).table();
        } catch (ResourceNotFoundException e) {
            throw new InvalidJobException(parameter + " '" + table + "' does not exist; create it or fix "
                    + option + " / " + parameter + " (and the region or endpoint)", e);
        }
        List<IndexFacts> indexes = new ArrayList<>();
        description.globalSecondaryIndexes().forEach(gsi -> indexes.add(new IndexFacts(gsi.indexName(), true,
                keys(gsi.keySchema()), projectionType(gsi.projection()), nonKeyAttributes(gsi.projection()),
                capacity(description, gsi.provisionedThroughput(), gsi.onDemandThroughput()))));
        description.localSecondaryIndexes().forEach(lsi -> indexes.add(new IndexFacts(lsi.indexName(), false,
                keys(lsi.keySchema()), projectionType(lsi.projection()), nonKeyAttributes(lsi.projection()), null)));
        var warm = description.warmThroughput();
        return new TableFacts(description.tableName(), orZero(description.itemCount()),
                orZero(description.tableSizeBytes()),
                capacity(description, description.provisionedThroughput(), description.onDemandThroughput()),
                description.tableClassSummary() != null && description.tableClassSummary().tableClass() != null
                        ? description.tableClassSummary().tableClassAsString() : RegionPrices.STANDARD,
                indexes, pointInTimeRecovery(table),
                warm == null ? null : warm.readUnitsPerSecond(), warm == null ? null : warm.writeUnitsPerSecond());
    }

    /** On, off, or unknown with DynamoDB's reason (no permission for the call; DynamoDB Local lacks it). */
    private TableFacts.PointInTimeRecovery pointInTimeRecovery(String table) {
        try {
            var description = dynamoDb.describeContinuousBackups(b -> b.tableName(table))
                    .continuousBackupsDescription();
            var pitr = description == null ? null : description.pointInTimeRecoveryDescription();
            return TableFacts.PointInTimeRecovery.of(pitr != null
                    && pitr.pointInTimeRecoveryStatus() == PointInTimeRecoveryStatus.ENABLED);
        } catch (DynamoDbException e) {
            return TableFacts.PointInTimeRecovery.unknown("DescribeContinuousBackups failed: "
                    + (e.awsErrorDetails() != null ? e.awsErrorDetails().errorMessage() : e.getMessage()));
        }
    }

    /**
     * A table is on-demand when DynamoDB says so, or, as DynamoDB Local describes it, when it has no provisioned
     * capacity; an index shares its table's mode.
     */
    private static Capacity capacity(TableDescription table, ProvisionedThroughputDescription provisioned,
                                     OnDemandThroughput onDemand) {
        boolean saysPayPerRequest = table.billingModeSummary() != null
                && table.billingModeSummary().billingMode() == BillingMode.PAY_PER_REQUEST;
        boolean noProvisionedCapacity = table.provisionedThroughput() == null
                || orZero(table.provisionedThroughput().readCapacityUnits()) == 0;
        boolean payPerRequest = saysPayPerRequest || noProvisionedCapacity;
        if (payPerRequest) {
            return Capacity.onDemand(max(onDemand == null ? null : onDemand.maxReadRequestUnits()),
                    max(onDemand == null ? null : onDemand.maxWriteRequestUnits()));
        }
        return Capacity.provisioned(provisioned == null ? 0 : orZero(provisioned.readCapacityUnits()),
                provisioned == null ? 0 : orZero(provisioned.writeCapacityUnits()));
    }

    /** A configured on-demand maximum; DynamoDB reports -1 or nothing for none. */
    private static long max(Long units) {
        return units == null || units <= 0 ? Capacity.UNSET : units;
    }

    private static List<String> keys(List<KeySchemaElement> schema) {
        return schema.stream().map(KeySchemaElement::attributeName).toList();
    }

    private static String projectionType(Projection projection) {
        return projection == null || projection.projectionType() == null ? "ALL" : projection.projectionTypeAsString();
    }

    private static List<String> nonKeyAttributes(Projection projection) {
        return projection == null ? List.of() : projection.nonKeyAttributes();
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
