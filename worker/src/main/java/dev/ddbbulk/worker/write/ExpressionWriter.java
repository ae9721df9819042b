package dev.ddbbulk.worker.write;

import dev.ddbbulk.core.expression.Expression;
import dev.ddbbulk.core.job.JobExpressions;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.retry.Retrier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * An expression job's writes: one UpdateItem per scanned item, on its key in the destination, with the job's
 * UpdateExpression under its ConditionExpression, as many in flight as conditional writes. A failed condition is
 * counted, never retried; ddb-bulk cannot evaluate the user's expressions, so it never counts one as already
 * applied.
 *
 * <p>In place the condition also requires that the item still exists, so an item deleted since the scan is not
 * recreated by the update. Into another table there is no such guard: the destination's item was never read, and
 * creating it (with the key and what the update sets) is what an update there does unless the job's condition
 * says otherwise, e.g. {@code attribute_exists(pk)}.
 */
final class ExpressionWriter {
    private final DynamoDbClient dynamoDb;
    private final TableShape shape;
    private final CapacityBudget budget;
    private final InFlight inFlight;
    private final ConditionalCall call;
    private final Expression update;
    /** The job's condition and, in place, the guard; null for none. */
    private final Expression condition;
    private final Map<String, String> names;
    private final Map<String, AttributeValue> values;

    ExpressionWriter(DynamoDbClient dynamoDb, TableShape shape, JobExpressions expressions, boolean inPlace,
                     CapacityBudget budget, InFlight inFlight, Retrier retrier) {
        this.dynamoDb = dynamoDb;
        this.shape = shape;
        this.budget = budget;
        this.inFlight = inFlight;
        this.call = new ConditionalCall(budget, retrier);
        this.update = expressions.update();
        List<Expression> conditions = new ArrayList<>();
        expressions.condition().ifPresent(conditions::add);
        if (inPlace) {
            conditions.add(Expression.of("attribute_exists(#ddbbulk_pk)").withName("#ddbbulk_pk", shape.partitionKey()));
        }
        this.condition = conditions.isEmpty() ? null : Expression.allOf(conditions);
        this.names = condition == null ? update.names() : Expression.namesOf(update, condition);
        this.values = condition == null ? update.values() : Expression.valuesOf(update, condition);
    }

    /** Updates every item's key; a scan page holds each key once, so the updates all go in parallel. */
    WriteResult write(List<Map<String, AttributeValue>> items) throws InterruptedException {
        List<InFlight.Write<WriteResult>> writes = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            writes.add(() -> updateOne(shape.keyOf(item)));
        }
        return inFlight.all(writes).stream().reduce(WriteResult.NONE, WriteResult::plus);
    }

    private WriteResult updateOne(Map<String, AttributeValue> key) throws InterruptedException {
        var request = UpdateItemRequest.builder().tableName(shape.table()).key(key).updateExpression(update.text())
                .returnConsumedCapacity(budget.consumedCapacityToReturn());
        if (condition != null) {
            request.conditionExpression(condition.text());
        }
        if (!names.isEmpty()) {
            request.expressionAttributeNames(names);
        }
        if (!values.isEmpty()) {
            request.expressionAttributeValues(values);
        }
        return switch (call.make(() -> dynamoDb.updateItem(request.build()).consumedCapacity(), held -> false)) {
            case APPLIED -> new WriteResult(1, 0, 0);
            case FAILED, ALREADY_APPLIED -> new WriteResult(0, 0, 1);
        };
    }
}
