package dev.ddbbulk.worker.write;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.JobExpressions;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.WriteMode;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Retrier;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.retry.Throttling;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes a page of processor results with BatchWriteItem, 25 requests a call, and retries whatever
 * DynamoDB leaves in UnprocessedItems (or refuses with a throttling error) with jittered exponential
 * backoff until all is written or the attempts run out, which fails the page rather than dropping items.
 * In conditional mode it hands the page to {@link ConditionalWriter}; an expression job's updates go to
 * {@link ExpressionWriter}.
 */
public final class ItemWriter {
    public static final int MAX_BATCH = 25;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final TableShape shape;
    private final Retrier retrier;
    private final ConditionalWriter conditional;
    private final ExpressionWriter expressions;
    private final CapacityBudget budget;
    private final InFlight inFlight;

    /** A writer in batch mode, one call at a time. */
    public ItemWriter(DynamoDbClient dynamoDb, TableShape shape, Backoff backoff, Random random, Sleeper sleeper) {
        this(dynamoDb, shape, WriteMode.BATCH, null, true, CapacityBudget.unlimited(), 1, backoff, random, sleeper);
    }

    /**
     * @param versionAttribute in conditional mode, the attribute that must not have changed since the read
     * @param inPlace          whether the destination is the table the items were read from
     * @param budget           this worker's write capacity budget
     * @param writesInFlight   calls in flight at once: conditional writes, or a page's BatchWriteItem calls
     */
    public ItemWriter(DynamoDbClient dynamoDb, TableShape shape, WriteMode mode, String versionAttribute,
                      boolean inPlace, CapacityBudget budget, int writesInFlight, Backoff backoff, Random random,
                      Sleeper sleeper) {
        this(dynamoDb, shape, mode, versionAttribute, inPlace, JobExpressions.NONE, budget, writesInFlight, backoff,
                random, sleeper);
    }

    /** The writer of {@code job}'s results into {@code destination}, within {@code budget}. */
    public static ItemWriter forJob(DynamoDbClient dynamoDb, TableShape destination, JobConfig job,
                                    CapacityBudget budget, Backoff backoff, Random random, Sleeper sleeper) {
        return new ItemWriter(dynamoDb, destination, job.writeMode(), job.versionAttribute(), job.inPlace(),
                job.expressions(), budget, job.writesInFlight(), backoff, random, sleeper);
    }

    private ItemWriter(DynamoDbClient dynamoDb, TableShape shape, WriteMode mode, String versionAttribute,
                       boolean inPlace, JobExpressions expressions, CapacityBudget budget, int writesInFlight,
                       Backoff backoff, Random random, Sleeper sleeper) {
        this.dynamoDb = dynamoDb;
        this.table = shape.table();
        this.shape = shape;
        this.retrier = new Retrier(backoff, random, sleeper);
        this.budget = budget;
        this.inFlight = new InFlight(writesInFlight);
        this.conditional = mode == WriteMode.CONDITIONAL
                ? new ConditionalWriter(dynamoDb, shape, versionAttribute, inPlace, budget, inFlight, retrier)
                : null;
        this.expressions = expressions.updatesItems()
                ? new ExpressionWriter(dynamoDb, shape, expressions, inPlace, budget, inFlight, retrier)
                : null;
    }

    /**
     * Writes one page: {@code actions.get(i)} is what the processor made of {@code originals.get(i)}, the
     * item as it was read (conditional mode checks the table against it).
     */
    public WriteResult write(List<Map<String, AttributeValue>> originals, List<ItemAction> actions)
            throws InterruptedException {
        return conditional != null ? conditional.write(originals, actions) : write(actions);
    }

    /** What {@link #write(List, List)} would write, counted without a call: a dry run. */
    public WriteResult wouldWrite(List<Map<String, AttributeValue>> originals, List<ItemAction> actions) {
        if (conditional != null) {
            return conditional.wouldWrite(originals, actions);
        }
        long puts = actions.stream().filter(ItemAction.Put.class::isInstance).count();
        long deletes = actions.stream().filter(ItemAction.Delete.class::isInstance).count();
        return new WriteResult(puts, deletes, 0);
    }

    /** An expression job's page: every item gets the job's update (see {@link ExpressionWriter}). */
    public WriteResult update(List<Map<String, AttributeValue>> items) throws InterruptedException {
        if (expressions == null) {
            throw new IllegalStateException("This writer has no UpdateExpression: the job is not an expression job");
        }
        return expressions.write(items);
    }

    /**
     * Writes actions with BatchWriteItem, whatever the mode, 25 requests a call and calls in parallel. A later
     * action on a key already in the calls being gathered waits until they are written, so it still wins.
     */
    public WriteResult write(List<ItemAction> actions) throws InterruptedException {
        long puts = 0;
        long deletes = 0;
        List<List<WriteRequest>> calls = new ArrayList<>();
        List<WriteRequest> batch = new ArrayList<>(MAX_BATCH);
        Set<Map<String, AttributeValue>> keysInCalls = new HashSet<>();
        for (ItemAction action : actions) {
            WriteRequest request;
            Map<String, AttributeValue> key;
            if (action instanceof ItemAction.Put put) {
                key = shape.keyOf(put.item());
                request = WriteRequest.builder().putRequest(PutRequest.builder().item(put.item()).build()).build();
                puts++;
            } else if (action instanceof ItemAction.Delete delete) {
                key = shape.keyOf(delete.key());
                request = WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build();
                deletes++;
            } else {
                continue;
            }
            if (!keysInCalls.add(key)) {
                // BatchWriteItem rejects two requests for one key, and the later action must win.
                calls.add(batch);
                writeAll(calls);
                calls = new ArrayList<>();
                batch = new ArrayList<>(MAX_BATCH);
                keysInCalls.clear();
                keysInCalls.add(key);
            } else if (batch.size() == MAX_BATCH) {
                calls.add(batch);
                batch = new ArrayList<>(MAX_BATCH);
            }
            batch.add(request);
        }
        if (!batch.isEmpty()) {
            calls.add(batch);
        }
        writeAll(calls);
        return new WriteResult(puts, deletes, 0);
    }

    private void writeAll(List<List<WriteRequest>> calls) throws InterruptedException {
        inFlight.all(calls.stream().<InFlight.Write<Void>>map(requests -> () -> {
            flush(requests);
            return null;
        }).toList());
    }

    private void flush(List<WriteRequest> requests) throws InterruptedException {
        List<WriteRequest> pending = new ArrayList<>(requests);
        boolean done = retrier.untilDone(() -> {
            budget.awaitCapacity();
            Map<String, List<WriteRequest>> requestItems = Map.of(table, List.copyOf(pending));
            BatchWriteItemResponse response = dynamoDb.batchWriteItem(b -> b.requestItems(requestItems)
                    .returnConsumedCapacity(budget.consumedCapacityToReturn()));
            if (response.hasConsumedCapacity()) {
                response.consumedCapacity().forEach(c -> budget.consumed(
                        c.capacityUnits() == null ? 0 : c.capacityUnits()));
            }
            List<WriteRequest> unprocessed = response.hasUnprocessedItems()
                    ? response.unprocessedItems().getOrDefault(table, List.of()) : List.of();
            pending.clear();
            pending.addAll(unprocessed);
            if (!unprocessed.isEmpty()) {
                budget.throttled();
            }
            return unprocessed.isEmpty();
        }, Throttling.slowing(budget));
        if (!done) {
            throw new WriteFailedException(pending.size() + " of the page's writes to " + table
                    + " stayed unprocessed after " + retrier.maxAttempts() + " attempts");
        }
    }

    /** A page could not be written in full; its segment fails and is retried from its checkpoint. */
    public static final class WriteFailedException extends RuntimeException {
        public WriteFailedException(String message) {
            super(message);
        }
    }
}
