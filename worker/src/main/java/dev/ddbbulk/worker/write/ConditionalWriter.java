package dev.ddbbulk.worker.write;

import dev.ddbbulk.core.expression.Expression;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.retry.Retrier;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Safe writes, one conditional call per item, so that a change made by another writer between our read and our
 * write is never lost:
 * <ul>
 *   <li>in place (destination = source): a put is written as what the processor changed (an UpdateItem that sets
 *       and removes only those attributes), on condition that the item still exists (it was not deleted since it
 *       was read, so it is not recreated), that each of those attributes still holds what was read and, with a
 *       version attribute, that its version is still the one read. Another client's change of any other
 *       attribute survives. An item the processor returns unchanged is not written. An item with more changes
 *       than one update takes ({@link ItemChanges#MAX_ATTRIBUTES}, or DynamoDB's 4 KB an expression) is put
 *       whole on the existence and version conditions alone. A delete requires the version read;</li>
 *   <li>into another table: a put requires that the destination has no such item yet or, with a version
 *       attribute, one with a lower version, so a newer item there is never clobbered.</li>
 * </ul>
 * A failed condition is counted and reported, not retried: the item changed, and the user decides. Unless
 * the table already holds what the write would leave (the item to put, the changes to make, or no item where one
 * is deleted): then an earlier attempt, such as a killed worker's before the redelivery, or another writer made
 * the same change, and it counts as already applied. DynamoDB returns the item held with the failure
 * ({@code ReturnValuesOnConditionCheckFailure}), at no extra cost and with no extra call.
 */
final class ConditionalWriter {
    private final DynamoDbClient dynamoDb;
    private final TableShape shape;
    private final String versionAttribute;
    private final boolean inPlace;
    private final CapacityBudget budget;
    private final InFlight inFlight;
    private final ConditionalCall call;

    ConditionalWriter(DynamoDbClient dynamoDb, TableShape shape, String versionAttribute, boolean inPlace,
                      CapacityBudget budget, InFlight inFlight, Retrier retrier) {
        this.budget = budget;
        this.dynamoDb = dynamoDb;
        this.shape = shape;
        this.versionAttribute = versionAttribute;
        this.inPlace = inPlace;
        this.inFlight = inFlight;
        this.call = new ConditionalCall(budget, retrier);
    }

    WriteResult write(List<Map<String, AttributeValue>> originals, List<ItemAction> actions)
            throws InterruptedException {
        if (originals.size() != actions.size()) {
            throw new IllegalArgumentException(actions.size() + " actions for " + originals.size() + " items");
        }
        // Actions on one key go in order, in one task; different keys go in parallel.
        Map<Map<String, AttributeValue>, List<Integer>> byKey = new LinkedHashMap<>();
        for (int i = 0; i < actions.size(); i++) {
            ItemAction action = actions.get(i);
            if (action instanceof ItemAction.Skip) {
                continue;
            }
            byKey.computeIfAbsent(shape.keyOf(target(action)), k -> new ArrayList<>()).add(i);
        }
        List<InFlight.Write<WriteResult>> writes = new ArrayList<>(byKey.size());
        for (List<Integer> indexes : byKey.values()) {
            writes.add(() -> {
                WriteResult result = WriteResult.NONE;
                for (int i : indexes) {
                    result = result.plus(writeOne(originals.get(i), actions.get(i)));
                }
                return result;
            });
        }
        return inFlight.all(writes).stream().reduce(WriteResult.NONE, WriteResult::plus);
    }

    /** What {@link #write} would do, without a call: for a dry run. */
    WriteResult wouldWrite(List<Map<String, AttributeValue>> originals, List<ItemAction> actions) {
        WriteResult result = WriteResult.NONE;
        for (int i = 0; i < actions.size(); i++) {
            ItemAction action = actions.get(i);
            if (action instanceof ItemAction.Put put) {
                ItemChanges changes = changesInPlace(originals.get(i), put);
                result = result.plus(changes != null && changes.none() ? new WriteResult(0, 0, 0, 0, 1)
                        : new WriteResult(1, 0, 0));
            } else if (action instanceof ItemAction.Delete) {
                result = result.plus(new WriteResult(0, 1, 0));
            }
        }
        return result;
    }

    /** One conditional write, and what it came to. */
    private WriteResult writeOne(Map<String, AttributeValue> original, ItemAction action) throws InterruptedException {
        if (action instanceof ItemAction.Delete delete) {
            Expression condition = conditionFor(original, action);
            var request = DeleteItemRequest.builder().tableName(shape.table()).key(shape.keyOf(delete.key()))
                    .returnConsumedCapacity(budget.consumedCapacityToReturn());
            if (condition != null) {
                request.returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
                condition.applyTo(request::conditionExpression, request::expressionAttributeNames,
                        request::expressionAttributeValues);
            }
            return count(call.make(() -> dynamoDb.deleteItem(request.build()).consumedCapacity(), Map::isEmpty),
                    new WriteResult(0, 1, 0));
        }
        ItemAction.Put put = (ItemAction.Put) action;
        ItemChanges changes = changesInPlace(original, put);
        if (changes != null && changes.none()) {
            return new WriteResult(0, 0, 0, 0, 1);
        }
        Expression condition = conditionFor(original, action);
        if (changes != null) {
            Expression merged = condition.and(changes.unchangedSinceRead());
            if (changes.fitOneUpdate(merged)) {
                return update(put, changes, merged);
            }
        }
        var request = PutItemRequest.builder().tableName(shape.table()).item(put.item())
                .returnConsumedCapacity(budget.consumedCapacityToReturn())
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        condition.applyTo(request::conditionExpression, request::expressionAttributeNames,
                request::expressionAttributeValues);
        return count(call.make(() -> dynamoDb.putItem(request.build()).consumedCapacity(),
                held -> sameItem(held, put.item())), new WriteResult(1, 0, 0));
    }

    /** The processor's changes written as one UpdateItem under {@code condition}. */
    private WriteResult update(ItemAction.Put put, ItemChanges changes, Expression condition)
            throws InterruptedException {
        Expression update = changes.update();
        var request = UpdateItemRequest.builder().tableName(shape.table()).key(shape.keyOf(put.item()))
                .updateExpression(update.text()).conditionExpression(condition.text())
                .expressionAttributeNames(Expression.namesOf(update, condition))
                .returnConsumedCapacity(budget.consumedCapacityToReturn())
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        Map<String, AttributeValue> values = Expression.valuesOf(update, condition);
        if (!values.isEmpty()) {
            request.expressionAttributeValues(values);
        }
        return count(call.make(() -> dynamoDb.updateItem(request.build()).consumedCapacity(), changes::appliedIn),
                new WriteResult(1, 0, 0));
    }

    private static WriteResult count(ConditionalCall.Outcome outcome, WriteResult applied) {
        return switch (outcome) {
            case FAILED -> new WriteResult(0, 0, 1, 0);
            case ALREADY_APPLIED -> new WriteResult(0, 0, 0, 1);
            case APPLIED -> applied;
        };
    }

    /** What the processor changed of the item it read, when the put goes back to that item; else null. */
    private ItemChanges changesInPlace(Map<String, AttributeValue> original, ItemAction.Put put) {
        if (!sameItemInPlace(original, put)) {
            return null;
        }
        return ItemChanges.between(original, put.item(), shape.keyAttributes());
    }

    private boolean sameItemInPlace(Map<String, AttributeValue> original, ItemAction action) {
        return inPlace && shape.keyOf(target(action)).equals(shape.keyOf(original));
    }

    private static Map<String, AttributeValue> target(ItemAction action) {
        return action instanceof ItemAction.Put put ? put.item() : ((ItemAction.Delete) action).key();
    }

    /**
     * The condition under which {@code action} may replace what the table holds now; null for none. In place it
     * is the guard against recreating a deleted item and the version check; an in-place put adds the check of
     * each changed attribute ({@link ItemChanges#unchangedSinceRead}).
     */
    Expression conditionFor(Map<String, AttributeValue> original, ItemAction action) {
        Expression exists = Expression.of("attribute_exists(#pk)").withName("#pk", shape.partitionKey());
        if (sameItemInPlace(original, action)) {
            if (versionAttribute == null) {
                return exists;
            }
            AttributeValue readVersion = original.get(versionAttribute);
            Expression version = readVersion == null ? Expression.of("attribute_not_exists(#v)")
                    : Expression.of("#v = :v").withValue(":v", readVersion);
            return exists.and(version.withName("#v", versionAttribute));
        }
        if (action instanceof ItemAction.Delete) {
            // Deleting another key or in another table: nothing was read of it to compare with.
            return null;
        }
        Expression absent = Expression.of("attribute_not_exists(#pk)").withName("#pk", shape.partitionKey());
        AttributeValue newVersion = versionAttribute == null ? null : target(action).get(versionAttribute);
        if (newVersion == null) {
            return absent;
        }
        return Expression.of("attribute_not_exists(#pk) OR #v < :v").withName("#pk", shape.partitionKey())
                .withName("#v", versionAttribute).withValue(":v", newVersion);
    }

    /**
     * Whether two items hold the same data as DynamoDB compares it: numbers by value ({@code 1.50} is
     * {@code 1.5}), sets whatever their order, lists in order, maps by key.
     */
    static boolean sameItem(Map<String, AttributeValue> a, Map<String, AttributeValue> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, AttributeValue> entry : a.entrySet()) {
            AttributeValue other = b.get(entry.getKey());
            if (other == null || !sameValue(entry.getValue(), other)) {
                return false;
            }
        }
        return true;
    }

    static boolean sameValue(AttributeValue a, AttributeValue b) {
        if (a.type() != b.type()) {
            return false;
        }
        return switch (a.type()) {
            case N -> new BigDecimal(a.n()).compareTo(new BigDecimal(b.n())) == 0;
            case SS -> new HashSet<>(a.ss()).equals(new HashSet<>(b.ss()));
            case NS -> numbers(a.ns()).equals(numbers(b.ns()));
            case BS -> new HashSet<>(a.bs()).equals(new HashSet<>(b.bs()));
            case M -> sameItem(a.m(), b.m());
            case L -> {
                if (a.l().size() != b.l().size()) {
                    yield false;
                }
                for (int i = 0; i < a.l().size(); i++) {
                    if (!sameValue(a.l().get(i), b.l().get(i))) {
                        yield false;
                    }
                }
                yield true;
            }
            default -> a.equals(b);
        };
    }

    private static Set<BigDecimal> numbers(List<String> values) {
        Set<BigDecimal> set = new HashSet<>();
        for (String value : values) {
            set.add(new BigDecimal(value).stripTrailingZeros());
        }
        return set;
    }
}
