package dev.ddbbulk.worker;

import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
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

/**
 * A real DynamoDB client whose worker is killed during its first TransactWriteItems call, the ledger's
 * completing transaction: before DynamoDB applies it, or after (the response is lost with the process). The
 * kill is an {@link Error} that no one catches, and every later call fails the same way, since a dead process
 * makes none: the ledger is left as a killed worker leaves it, with no failure recorded and no lease released.
 */
final class DyingDynamoDb implements DynamoDbClient {
    /** Thrown where the worker would have died. */
    static final class Killed extends Error {
        Killed() {
            super("worker killed during the completing transaction");
        }
    }

    /** What became of the completing transaction the worker died in. */
    enum Transaction {
        /** The worker died before the transaction reached DynamoDB. */
        NOT_APPLIED,
        /** DynamoDB applied the transaction; the worker died before it saw the response. */
        APPLIED
    }

    private final DynamoDbClient delegate;
    private final Transaction fate;
    private final AtomicBoolean dead = new AtomicBoolean();

    DyingDynamoDb(DynamoDbClient delegate, Transaction fate) {
        this.delegate = delegate;
        this.fate = fate;
    }

    /** Whether the worker reached its completing transaction and died there. */
    boolean killed() {
        return dead.get();
    }

    private void alive() {
        if (dead.get()) {
            throw new Killed();
        }
    }

    @Override
    public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
        alive();
        if (fate == Transaction.APPLIED) {
            delegate.transactWriteItems(request);
        }
        dead.set(true);
        throw new Killed();
    }

    @Override
    public ScanResponse scan(ScanRequest request) {
        alive();
        return delegate.scan(request);
    }

    @Override
    public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
        alive();
        return delegate.batchWriteItem(request);
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        alive();
        return delegate.putItem(request);
    }

    @Override
    public DeleteItemResponse deleteItem(DeleteItemRequest request) {
        alive();
        return delegate.deleteItem(request);
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        alive();
        return delegate.updateItem(request);
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        alive();
        return delegate.getItem(request);
    }

    @Override
    public QueryResponse query(QueryRequest request) {
        alive();
        return delegate.query(request);
    }

    @Override
    public DescribeTableResponse describeTable(DescribeTableRequest request) {
        alive();
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
