package dev.ddbbulk.worker.write;

import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.retry.Retrier;
import dev.ddbbulk.core.retry.Throttling;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;

/**
 * Makes one conditional write within the write budget, retrying throttles and never a failed condition: the
 * one way {@link ConditionalWriter} and {@link ExpressionWriter} call DynamoDB.
 */
final class ConditionalCall {
    private final CapacityBudget budget;
    private final Retrier retrier;

    /** What became of one conditional write. */
    enum Outcome {
        APPLIED,
        /** Its condition failed, yet the table already holds what the write would leave (see {@link Counts}). */
        ALREADY_APPLIED,
        /** Its condition failed and the table holds something else: a change by another writer, left alone. */
        FAILED
    }

    ConditionalCall(CapacityBudget budget, Retrier retrier) {
        this.budget = budget;
        this.retrier = retrier;
    }

    /**
     * Makes the call. When its condition fails (charged one unit, as DynamoDB does), the item the table holds
     * (empty when none, or when the call did not ask for it) decides with {@code alreadyApplied} whether
     * anything differs.
     */
    Outcome make(Supplier<ConsumedCapacity> call, Predicate<Map<String, AttributeValue>> alreadyApplied)
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
}
