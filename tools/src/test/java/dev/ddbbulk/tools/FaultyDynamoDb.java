package dev.ddbbulk.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * A real DynamoDB client with faults: on the data path, throttling errors on a fraction of Scan and
 * BatchWriteItem calls, part of a batch left unprocessed on a fraction of calls, and an abrupt death (an
 * {@link Error} no one catches, like a killed process) after a number of writes (BatchWriteItem, PutItem and
 * DeleteItem calls alike). The factories make other faults, alone: throttling errors on every n-th call of
 * conditional mode's PutItem and DeleteItem ({@link #throttlingConditionalWrites}) or of the ledger table's
 * UpdateItem, TransactWriteItems, GetItem and Query ({@link #throttlingLedger}), counting from the first, so
 * that each operation the run makes is throttled at least once; or a server error on one BatchWriteItem
 * ({@link #failingBatchWrite}). A throttled or failed call is not applied.
 */
final class FaultyDynamoDb implements DynamoDbClient {
    /** Thrown to stop a worker dead, as if its process were killed. */
    static final class Killed extends Error {
        Killed() {
            super("worker killed");
        }
    }

    private final DynamoDbClient delegate;
    private final Random random;
    private final double throttleFraction;
    private final double unprocessedFraction;
    private final int killAfterWrites;
    private final int throttleConditionalWritesEvery;
    /** The table whose UpdateItem calls are conditional writes (an in-place put's update), not the ledger's. */
    private final String conditionalTable;
    private final String ledgerTable;
    private final int throttleLedgerEvery;
    private final int failBatchWrite;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final AtomicInteger batchWrites = new AtomicInteger();
    /** Scan and BatchWriteItem calls throttled. */
    final AtomicInteger throttled = new AtomicInteger();
    /** Calls throttled by {@link #throttlingConditionalWrites} or {@link #throttlingLedger}, by operation. */
    private final Map<String, AtomicInteger> throttledCalls = new ConcurrentHashMap<>();
    final AtomicInteger leftUnprocessed = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();

    FaultyDynamoDb(DynamoDbClient delegate, long seed, double throttleFraction, double unprocessedFraction,
                   int killAfterWrites) {
        this(delegate, seed, throttleFraction, unprocessedFraction, killAfterWrites, 0, null, null, 0, 0);
    }

    private FaultyDynamoDb(DynamoDbClient delegate, long seed, double throttleFraction, double unprocessedFraction,
                           int killAfterWrites, int throttleConditionalWritesEvery, String conditionalTable,
                           String ledgerTable, int throttleLedgerEvery, int failBatchWrite) {
        this.conditionalTable = conditionalTable;
        this.delegate = delegate;
        this.random = new Random(seed);
        this.throttleFraction = throttleFraction;
        this.unprocessedFraction = unprocessedFraction;
        this.killAfterWrites = killAfterWrites;
        this.throttleConditionalWritesEvery = throttleConditionalWritesEvery;
        this.ledgerTable = ledgerTable;
        this.throttleLedgerEvery = throttleLedgerEvery;
        this.failBatchWrite = failBatchWrite;
    }

    /**
     * Throttles the 1st, (n+1)-th, (2n+1)-th ... PutItem call, and likewise DeleteItem, and UpdateItem on
     * {@code table} (conditional mode's writes).
     */
    static FaultyDynamoDb throttlingConditionalWrites(DynamoDbClient delegate, String table, int n) {
        return new FaultyDynamoDb(delegate, 0, 0, 0, 0, n, table, null, 0, 0);
    }

    /** Throttles the 1st, (n+1)-th, ... call of each of UpdateItem, TransactWriteItems, GetItem, Query on the ledger. */
    static FaultyDynamoDb throttlingLedger(DynamoDbClient delegate, String ledgerTable, int n) {
        return new FaultyDynamoDb(delegate, 0, 0, 0, 0, 0, null, ledgerTable, n, 0);
    }

    /** Fails the {@code n}-th BatchWriteItem call (1-based) with a server error, which no layer retries. */
    static FaultyDynamoDb failingBatchWrite(DynamoDbClient delegate, int n) {
        return new FaultyDynamoDb(delegate, 0, 0, 0, 0, 0, null, null, 0, n);
    }

    /** How many {@code operation} calls (e.g. "PutItem") were throttled by the optional faults. */
    int throttled(String operation) {
        AtomicInteger count = throttledCalls.get(operation);
        return count == null ? 0 : count.get();
    }

    private synchronized boolean chance(double fraction) {
        return random.nextDouble() < fraction;
    }

    private void dieIfDue() {
        if (killAfterWrites > 0 && writes.incrementAndGet() > killAfterWrites) {
            throw new Killed();
        }
    }

    private void maybeThrottle() {
        if (chance(throttleFraction)) {
            throttled.incrementAndGet();
            throw throttle();
        }
    }

    private void maybeThrottle(String operation, int every) {
        if (every > 0 && calls.computeIfAbsent(operation, o -> new AtomicInteger()).getAndIncrement() % every == 0) {
            throttledCalls.computeIfAbsent(operation, o -> new AtomicInteger()).incrementAndGet();
            throw throttle();
        }
    }

    private void maybeThrottleLedger(String operation, String table) {
        if (ledgerTable != null && ledgerTable.equals(table)) {
            maybeThrottle(operation, throttleLedgerEvery);
        }
    }

    private static ProvisionedThroughputExceededException throttle() {
        return (ProvisionedThroughputExceededException) ProvisionedThroughputExceededException.builder()
                .statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException")
                        .errorMessage("injected throttle").build())
                .message("injected throttle").build();
    }

    @Override
    public ScanResponse scan(ScanRequest request) {
        maybeThrottle();
        return delegate.scan(request);
    }

    @Override
    public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
        dieIfDue();
        maybeThrottle();
        if (batchWrites.incrementAndGet() == failBatchWrite) {
            throw DynamoDbException.builder().statusCode(500).message("injected: BatchWriteItem failed").build();
        }
        if (chance(unprocessedFraction)) {
            // Write the first half, hand the rest back as DynamoDB does under load.
            Map.Entry<String, List<WriteRequest>> entry = request.requestItems().entrySet().iterator().next();
            List<WriteRequest> all = entry.getValue();
            int half = all.size() / 2;
            if (half > 0) {
                delegate.batchWriteItem(b -> b.requestItems(Map.of(entry.getKey(), new ArrayList<>(all.subList(0, half)))));
            }
            leftUnprocessed.addAndGet(all.size() - half);
            return BatchWriteItemResponse.builder()
                    .unprocessedItems(Map.of(entry.getKey(), new ArrayList<>(all.subList(half, all.size())))).build();
        }
        return delegate.batchWriteItem(request);
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        dieIfDue();
        maybeThrottle("PutItem", throttleConditionalWritesEvery);
        return delegate.putItem(request);
    }

    @Override
    public DeleteItemResponse deleteItem(DeleteItemRequest request) {
        dieIfDue();
        maybeThrottle("DeleteItem", throttleConditionalWritesEvery);
        return delegate.deleteItem(request);
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        maybeThrottleLedger("GetItem", request.tableName());
        return delegate.getItem(request);
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        if (request.tableName().equals(conditionalTable)) {
            dieIfDue();
            maybeThrottle("UpdateItem", throttleConditionalWritesEvery);
            return delegate.updateItem(request);
        }
        maybeThrottleLedger("UpdateItem", request.tableName());
        return delegate.updateItem(request);
    }

    @Override
    public QueryResponse query(QueryRequest request) {
        maybeThrottleLedger("Query", request.tableName());
        return delegate.query(request);
    }

    @Override
    public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
        // The ledger's transactions write its segment and run records only.
        String table = request.transactItems().stream()
                .map(item -> item.update() != null ? item.update().tableName()
                        : item.conditionCheck() != null ? item.conditionCheck().tableName()
                        : item.put() != null ? item.put().tableName() : item.delete().tableName())
                .findFirst().orElse(null);
        maybeThrottleLedger("TransactWriteItems", table);
        return delegate.transactWriteItems(request);
    }

    @Override
    public DescribeTableResponse describeTable(DescribeTableRequest request) {
        return delegate.describeTable(request);
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public void close() {
        // the delegate belongs to the test
    }
}
