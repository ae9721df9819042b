package dev.ddbbulk.core.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * DynamoDB's transaction conflicts in front of DynamoDB Local, which runs one write at a time and so never
 * raises them: a transaction holding an item that another transaction in flight holds is cancelled, nothing of
 * it applied, with {@code TransactionConflict} as that item's cancellation reason, as DynamoDB documents for an
 * item "part of another ongoing TransactWriteItems request" (whatever the action on it, a ConditionCheck too).
 */
final class TransactionConflicts implements DynamoDbClient {
    private final DynamoDbClient delegate;
    /** The items of the transactions in flight, by table and key. */
    private final Set<List<Object>> held = ConcurrentHashMap.newKeySet();
    private final AtomicInteger transactions = new AtomicInteger();
    private final AtomicInteger conflicts = new AtomicInteger();

    TransactionConflicts(DynamoDbClient delegate) {
        this.delegate = delegate;
    }

    /** Transactions sent, cancelled ones included. */
    int transactions() {
        return transactions.get();
    }

    /** Transactions cancelled for a conflict. */
    int conflicts() {
        return conflicts.get();
    }

    @Override
    public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
        transactions.incrementAndGet();
        List<List<Object>> items = request.transactItems().stream().map(TransactionConflicts::item).toList();
        List<List<Object>> taken = new ArrayList<>();
        List<CancellationReason> reasons = new ArrayList<>();
        for (List<Object> item : items) {
            if (held.add(item)) {
                taken.add(item);
                reasons.add(CancellationReason.builder().code("None").build());
            } else {
                reasons.add(CancellationReason.builder().code("TransactionConflict")
                        .message("Transaction is ongoing for the item").build());
            }
        }
        try {
            if (taken.size() < items.size()) {
                conflicts.incrementAndGet();
                throw TransactionCanceledException.builder().statusCode(400).cancellationReasons(reasons)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("TransactionCanceledException")
                                .errorMessage("Transaction cancelled (emulated conflict)").build())
                        .message("Transaction cancelled, please refer cancellation reasons for specific reasons "
                                + reasons.stream().map(CancellationReason::code).toList())
                        .build();
            }
            return delegate.transactWriteItems(request);
        } finally {
            taken.forEach(held::remove);
        }
    }

    private static List<Object> item(TransactWriteItem item) {
        if (item.update() != null) {
            return List.of(item.update().tableName(), item.update().key());
        }
        if (item.conditionCheck() != null) {
            return List.of(item.conditionCheck().tableName(), item.conditionCheck().key());
        }
        if (item.delete() != null) {
            return List.of(item.delete().tableName(), item.delete().key());
        }
        Map<String, AttributeValue> put = item.put().item();
        return List.of(item.put().tableName(), Map.of(LedgerItems.PK, put.get(LedgerItems.PK),
                LedgerItems.SK, put.get(LedgerItems.SK)));
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        return delegate.putItem(request);
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        return delegate.updateItem(request);
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        return delegate.getItem(request);
    }

    @Override
    public QueryResponse query(QueryRequest request) {
        return delegate.query(request);
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public void close() {
        // the shared client is the extension's to close
    }
}
