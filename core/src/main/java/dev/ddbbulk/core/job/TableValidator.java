package dev.ddbbulk.core.job;

import dev.ddbbulk.core.expression.Expression;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Checks a job against the live tables before anything is sent or written: the source exists, the destination
 * exists with the same primary key, and DynamoDB accepts an expression job's expressions.
 */
public final class TableValidator {
    /** A condition no item meets: the update check's UpdateItem never writes. */
    private static final Expression NEVER = Expression.of(
            "attribute_exists(#ddbbulk_probe) AND attribute_not_exists(#ddbbulk_probe)");

    private final DynamoDbClient dynamoDb;
    private final ClassLoader processorClasses;

    public TableValidator(DynamoDbClient dynamoDb) {
        this(dynamoDb, ItemProcessors.defaultClassLoader());
    }

    /** @param processorClasses loads the job's processor class ({@link ItemProcessors#create(String, ClassLoader)}) */
    public TableValidator(DynamoDbClient dynamoDb, ClassLoader processorClasses) {
        this.dynamoDb = dynamoDb;
        this.processorClasses = processorClasses;
    }

    /** @return the destination's shape, which the writer needs for keys */
    public TableShape validate(JobConfig job) {
        ItemProcessors.create(job.processor(), processorClasses);
        TableShape destination = validateTables(job);
        // validateTables has described the source: the filter's check needs only its name.
        checkExpressions(job.expressions(), job.sourceTable(), destination);
        return destination;
    }

    /**
     * As {@link #validate} without loading the processor or having DynamoDB check the expressions, for callers
     * that need the tables only (an estimate, made where the processor's class may not be on the classpath, and
     * which must not make the expression check's write).
     *
     * @return the destination's shape
     */
    public TableShape validateTables(JobConfig job) {
        TableShape source = describe(job.sourceTable(), "SourceTable", "--source");
        TableShape destination = source;
        if (!job.inPlace()) {
            destination = describe(job.destinationTable(), "DestinationTable", "--destination");
            if (!source.sameKeyAs(destination)) {
                throw new InvalidJobException("DestinationTable '" + destination.table() + "' has key "
                        + destination.describeKey() + " but SourceTable '" + source.table() + "' has key "
                        + source.describeKey() + "; create the destination with the same key schema");
            }
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

    /**
     * Has DynamoDB check the expressions' syntax and names, which it does only when a request carries them, with
     * requests that write nothing: the filter on a Scan of one item of the source; the update and its condition
     * on an UpdateItem of the destination whose condition no item can meet (it costs a write unit but changes
     * nothing, and no read API takes an update expression).
     */
    private void checkExpressions(JobExpressions expressions, String sourceTable, TableShape destination) {
        expressions.filter().ifPresent(filter -> {
            try {
                dynamoDb.scan(b -> filter.applyTo(b.tableName(sourceTable).limit(1)::filterExpression,
                        b::expressionAttributeNames, b::expressionAttributeValues));
            } catch (DynamoDbException e) {
                throw refused(e, "FilterExpression", "--filter", expressions.filterExpression());
            }
        });
        if (!expressions.updatesItems()) {
            return;
        }
        Expression update = expressions.update();
        List<Expression> conditions = new ArrayList<>();
        expressions.condition().ifPresent(conditions::add);
        conditions.add(NEVER.withName("#ddbbulk_probe", destination.partitionKey()));
        Expression condition = Expression.allOf(conditions);
        Map<String, String> names = Expression.namesOf(update, condition);
        Map<String, AttributeValue> values = Expression.valuesOf(update, condition);
        try {
            dynamoDb.updateItem(b -> {
                b.tableName(destination.table()).key(probeKey(destination)).updateExpression(update.text())
                        .conditionExpression(condition.text()).expressionAttributeNames(names);
                if (!values.isEmpty()) {
                    b.expressionAttributeValues(values);
                }
            });
            throw new IllegalStateException("DynamoDB applied an update whose condition no item can meet, on "
                    + destination.table());
        } catch (ConditionalCheckFailedException e) {
            // Accepted, and nothing written.
        } catch (DynamoDbException e) {
            String message = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorMessage());
            if (message.contains("ConditionExpression")) {
                throw refused(e, "ConditionExpression", "--condition", expressions.conditionExpression());
            }
            throw refused(e, "UpdateExpression", "--update", expressions.updateExpression());
        }
    }

    /** A key of the destination's shape; whether such an item exists does not matter, as nothing is written. */
    private static Map<String, AttributeValue> probeKey(TableShape shape) {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put(shape.partitionKey(), probeValue(shape.partitionKeyType()));
        if (shape.sortKey() != null) {
            key.put(shape.sortKey(), probeValue(shape.sortKeyType()));
        }
        return key;
    }

    private static AttributeValue probeValue(String type) {
        return switch (type) {
            case "N" -> AttributeValue.fromN("0");
            case "B" -> AttributeValue.fromB(SdkBytes.fromUtf8String("ddb-bulk-expression-check"));
            default -> AttributeValue.fromS("ddb-bulk-expression-check");
        };
    }

    /**
     * DynamoDB's refusal of an expression as bad input; anything but a validation error (access denied,
     * throttling) is not the user's expression and is thrown as it is.
     */
    private static RuntimeException refused(DynamoDbException e, String parameter, String option, String expression) {
        if (e.awsErrorDetails() == null || !"ValidationException".equals(e.awsErrorDetails().errorCode())) {
            return e;
        }
        String why = String.valueOf(e.awsErrorDetails().errorMessage()).replaceAll("\\s+", " ").strip();
        return new InvalidJobException(parameter + " '" + expression.replaceAll("\\s+", " ").strip()
                + "' is refused by DynamoDB: " + why
                + "; fix " + option + " / " + parameter + " (or the names and values it uses)", e);
    }
}
