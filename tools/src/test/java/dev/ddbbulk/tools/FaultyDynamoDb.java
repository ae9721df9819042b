package dev.ddbbulk.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
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
 * A real DynamoDB client with faults on the data path (Scan and BatchWriteItem; the ledger's calls pass):
 * throttling errors on a fraction of calls, part of a batch left unprocessed on a fraction of calls, and
 * an abrupt death (an {@link Error} no one catches, like a killed process) after a number of writes
 * (BatchWriteItem, PutItem and DeleteItem calls alike).
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
    final AtomicInteger throttled = new AtomicInteger();
    final AtomicInteger leftUnprocessed = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();

    FaultyDynamoDb(DynamoDbClient delegate, long seed, double throttleFraction, double unprocessedFraction,
                   int killAfterWrites) {
        this.delegate = delegate;
        this.random = new Random(seed);
        this.throttleFraction = throttleFraction;
        this.unprocessedFraction = unprocessedFraction;
        this.killAfterWrites = killAfterWrites;
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
            throw ProvisionedThroughputExceededException.builder().statusCode(400)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException")
                            .errorMessage("injected throttle").build())
                    .message("injected throttle").build();
        }
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
        return delegate.putItem(request);
    }

    @Override
    public DeleteItemResponse deleteItem(DeleteItemRequest request) {
        dieIfDue();
        return delegate.deleteItem(request);
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        return delegate.getItem(request);
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        return delegate.updateItem(request);
    }

    @Override
    public QueryResponse query(QueryRequest request) {
        return delegate.query(request);
    }

    @Override
    public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
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
