package dev.ddbbulk.worker.write;

import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.retry.Retrier;
import dev.ddbbulk.core.retry.Throttling;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Safe writes, one conditional PutItem or DeleteItem per item, so that a change made by another writer
 * between our read and our write is never lost:
 * <ul>
 *   <li>in place (destination = source): a put requires that the item still exists (it was not deleted
 *       since it was read, so it is not recreated) and, with a version attribute, that its version is still
 *       the one read; a delete requires the version read;</li>
 *   <li>into another table: a put requires that the destination has no such item yet or, with a version
 *       attribute, one with a lower version, so a newer item there is never clobbered.</li>
 * </ul>
 * A failed condition is counted and reported, not retried: the item changed, and the user decides. Unless
 * the table already holds what the write would leave (the item to put, or no item where one is deleted):
 * then an earlier attempt, such as a killed worker's before the redelivery, or another writer made the same
 * change, and it counts as already applied. DynamoDB returns the item held with the failure
 * ({@code ReturnValuesOnConditionCheckFailure}), at no extra cost and with no extra call.
 */
final class ConditionalWriter {
    private final DynamoDbClient dynamoDb;
    private final TableShape shape;
    private final String versionAttribute;
    private final boolean inPlace;
    private final CapacityBudget budget;
    private final InFlight inFlight;
    private final Retrier retrier;

    ConditionalWriter(DynamoDbClient dynamoDb, TableShape shape, String versionAttribute, boolean inPlace,
                      CapacityBudget budget, InFlight inFlight, Retrier retrier) {
        this.budget = budget;
        this.dynamoDb = dynamoDb;
        this.shape = shape;
        this.versionAttribute = versionAttribute;
        this.inPlace = inPlace;
        this.inFlight = inFlight;
        this.retrier = retrier;
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
            Map<String, AttributeValue> target = action instanceof ItemAction.Put put ? put.item()
                    : ((ItemAction.Delete) action).key();
            byKey.computeIfAbsent(shape.keyOf(target), k -> new ArrayList<>()).add(i);
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

    /** One conditional PutItem or DeleteItem, and what it came to. */
    private WriteResult writeOne(Map<String, AttributeValue> original, ItemAction action) throws InterruptedException {
        Condition condition = conditionFor(original, action);
        Outcome outcome;
        if (action instanceof ItemAction.Put put) {
            var request = PutItemRequest.builder().tableName(shape.table()).item(put.item())
                    .returnConsumedCapacity(budget.consumedCapacityToReturn())
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            condition.applyTo(request::conditionExpression, request::expressionAttributeNames,
                    request::expressionAttributeValues);
            outcome = attempt(() -> dynamoDb.putItem(request.build()).consumedCapacity(),
                    held -> sameItem(held, put.item()));
        } else {
            var request = DeleteItemRequest.builder().tableName(shape.table())
                    .key(shape.keyOf(((ItemAction.Delete) action).key()))
                    .returnConsumedCapacity(budget.consumedCapacityToReturn());
            if (condition != Condition.NONE) {
                request.returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            }
            condition.applyTo(request::conditionExpression, request::expressionAttributeNames,
                    request::expressionAttributeValues);
            outcome = attempt(() -> dynamoDb.deleteItem(request.build()).consumedCapacity(), Map::isEmpty);
        }
        boolean put = action instanceof ItemAction.Put;
        return switch (outcome) {
            case FAILED -> new WriteResult(0, 0, 1, 0);
            case ALREADY_APPLIED -> new WriteResult(0, 0, 0, 1);
            case APPLIED -> put ? new WriteResult(1, 0, 0, 0) : new WriteResult(0, 1, 0, 0);
        };
    }

    /** The condition under which {@code action} may replace what the table holds now. */
    Condition conditionFor(Map<String, AttributeValue> original, ItemAction action) {
        Map<String, AttributeValue> target = action instanceof ItemAction.Put put ? put.item()
                : ((ItemAction.Delete) action).key();
        boolean sameItem = inPlace && shape.keyOf(target).equals(shape.keyOf(original));
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        names.put("#pk", shape.partitionKey());
        if (sameItem) {
            StringBuilder expression = new StringBuilder("attribute_exists(#pk)");
            if (versionAttribute != null) {
                names.put("#v", versionAttribute);
                AttributeValue readVersion = original.get(versionAttribute);
                if (readVersion == null) {
                    expression.append(" AND attribute_not_exists(#v)");
                } else {
                    expression.append(" AND #v = :v");
                    values.put(":v", readVersion);
                }
            }
            return new Condition(expression.toString(), names, values);
        }
        if (action instanceof ItemAction.Delete) {
            // Deleting another key or in another table: nothing was read of it to compare with.
            return Condition.NONE;
        }
        AttributeValue newVersion = versionAttribute == null ? null : target.get(versionAttribute);
        if (newVersion == null) {
            return new Condition("attribute_not_exists(#pk)", names, values);
        }
        names.put("#v", versionAttribute);
        values.put(":v", newVersion);
        return new Condition("attribute_not_exists(#pk) OR #v < :v", names, values);
    }

    /** What became of one conditional write. */
    enum Outcome {
        APPLIED,
        /** Its condition failed, yet the table already holds what the write would leave (see {@link Counts}). */
        ALREADY_APPLIED,
        /** Its condition failed and the table holds something else: a change by another writer, left alone. */
        FAILED
    }

    /**
     * Makes one conditional call. When its condition fails (charged one unit, as DynamoDB does), the item
     * the table holds (empty when none) decides with {@code alreadyApplied} whether anything differs.
     */
    private Outcome attempt(Supplier<ConsumedCapacity> call, Predicate<Map<String, AttributeValue>> alreadyApplied)
            throws InterruptedException {
        return retrier.call(() -> {
            budget.awaitCapacity();
            try {
                ConsumedCapacity consumed = call.get();
                budget.consumed(consumed == null || consumed.capacityUnits() == null ? 1 : consumed.capacityUnits());
                return Outcome.APPLIED;
            } catch (ConditionalCheckFailedException e) {
                budget.consumed(1);
                return alreadyApplied.test(e.hasItem() ? e.item() : Map.of()) ? Outcome.ALREADY_APPLIED
                        : Outcome.FAILED;
            }
        }, Throttling.slowing(budget));
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

    private static boolean sameValue(AttributeValue a, AttributeValue b) {
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

    /** A condition expression with its names and values; {@link #NONE} writes unconditionally. */
    record Condition(String expression, Map<String, String> names, Map<String, AttributeValue> values) {
        static final Condition NONE = new Condition(null, Map.of(), Map.of());

        void applyTo(java.util.function.Consumer<String> expressionSetter,
                     java.util.function.Consumer<Map<String, String>> namesSetter,
                     java.util.function.Consumer<Map<String, AttributeValue>> valuesSetter) {
            if (expression == null) {
                return;
            }
            expressionSetter.accept(expression);
            namesSetter.accept(names);
            if (!values.isEmpty()) {
                valuesSetter.accept(values);
            }
        }
    }
}
