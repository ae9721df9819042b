package dev.ddbbulk.core.job;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Checks a job against the live tables before anything is sent or written: the source exists and the
 * destination exists with the same primary key.
 */
public final class TableValidator {
    private final DynamoDbClient dynamoDb;

    public TableValidator(DynamoDbClient dynamoDb) {
        this.dynamoDb = dynamoDb;
    }

    /** @return the destination's shape, which the writer needs for keys */
    public TableShape validate(JobConfig job) {
        ItemProcessors.create(job.processor());
        return validateTables(job);
    }

    /**
     * As {@link #validate} without loading the processor, for callers that need the tables only (an estimate made
     * where the processor's class is not on the classpath).
     *
     * @return the destination's shape
     */
    public TableShape validateTables(JobConfig job) {
        TableShape source = describe(job.sourceTable(), "SourceTable", "--source");
        if (job.inPlace()) {
            return source;
        }
        TableShape destination = describe(job.destinationTable(), "DestinationTable", "--destination");
        if (!source.sameKeyAs(destination)) {
            throw new InvalidJobException("DestinationTable '" + destination.table() + "' has key "
                    + destination.describeKey() + " but SourceTable '" + source.table() + "' has key "
                    + source.describeKey() + "; create the destination with the same key schema");
        }
        return destination;
    }

    public TableShape describe(String table, String parameter, String option) {
        try {
            var description = dynamoDb.describeTable(b -> b.tableName(table)).table();
            if (description.tableStatus() == TableStatus.DELETING) {
                throw new InvalidJobException(parameter + " '" + table + "' is being deleted; fix " + option);
            }
            return TableShape.of(description);
        } catch (ResourceNotFoundException e) {
            throw new InvalidJobException(parameter + " '" + table + "' does not exist; create it or fix "
                    + option + " / " + parameter + " (and the region or endpoint)", e);
        }
    }
}
