package dev.ddbbulk.worker.scan;

import dev.ddbbulk.core.expression.Expression;
import dev.ddbbulk.core.message.SortKeyRange;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Reads one parallel-scan segment a page at a time. The caller holds at most one page, and checkpoints
 * between pages, which is what makes resume and continuation possible.
 */
public final class SegmentScanner {
    private final DynamoDbClient dynamoDb;

    public SegmentScanner(DynamoDbClient dynamoDb) {
        this.dynamoDb = dynamoDb;
    }

    /** A page of a segment, without its consumed capacity. */
    public ScanPage scanPage(String table, int segment, int totalSegments, Map<String, AttributeValue> startKey,
                             int limit, boolean consistentRead) {
        return scanPage(table, segment, totalSegments, startKey, limit, consistentRead, ReturnConsumedCapacity.NONE);
    }

    /** A page of a segment, without a filter. */
    public ScanPage scanPage(String table, int segment, int totalSegments, Map<String, AttributeValue> startKey,
                             int limit, boolean consistentRead, ReturnConsumedCapacity consumedCapacity) {
        return scanPage(table, segment, totalSegments, startKey, limit, consistentRead, consumedCapacity, null);
    }

    /**
     * A page of a segment. With a filter, DynamoDB still reads (and charges for) {@code limit} items and returns
     * those that pass, so a page may be empty and still not be the last.
     *
     * @param consumedCapacity whether to ask for the page's consumed capacity (for a read budget only:
     *                         DynamoDB Local spends measurable time working it out for every item)
     * @param filter           the job's FilterExpression, or null
     */
    public ScanPage scanPage(String table, int segment, int totalSegments, Map<String, AttributeValue> startKey,
                             int limit, boolean consistentRead, ReturnConsumedCapacity consumedCapacity,
                             Expression filter) {
        ScanRequest.Builder request = ScanRequest.builder()
                .tableName(table)
                .segment(segment)
                .totalSegments(totalSegments)
                .limit(limit)
                .consistentRead(consistentRead)
                .returnConsumedCapacity(consumedCapacity);
        if (startKey != null && !startKey.isEmpty()) {
            request.exclusiveStartKey(startKey);
        }
        if (filter != null) {
            filter.applyTo(request::filterExpression, request::expressionAttributeNames,
                    request::expressionAttributeValues);
        }
        ScanResponse response = dynamoDb.scan(request.build());
        return page(response.items(), response.hasLastEvaluatedKey() ? response.lastEvaluatedKey() : null,
                response.consumedCapacity(), response.scannedCount());
    }

    /**
     * A page of a sort-key range split off a segment: a Query of the range's partition key between its bounds,
     * starting after {@code startKey} (the range's lower bound on its first page, so that the bound itself,
     * inclusive in the key condition, is never read).
     */
    public ScanPage queryPage(String table, SortKeyRange range, Map<String, AttributeValue> startKey, int limit,
                              boolean consistentRead, ReturnConsumedCapacity consumedCapacity, Expression filter) {
        Expression keyCondition = new Expression("#rangePk = :rangePk AND #rangeSk BETWEEN :rangeFrom AND :rangeTo",
                Map.of("#rangePk", range.partitionKeyName(), "#rangeSk", range.sortKeyName()),
                Map.of(":rangePk", range.partitionKey(), ":rangeFrom", range.fromSortKey(),
                        ":rangeTo", range.toSortKey()));
        Expression[] expressions = filter == null ? new Expression[] {keyCondition}
                : new Expression[] {keyCondition, filter};
        QueryRequest.Builder request = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression(keyCondition.text())
                .exclusiveStartKey(startKey == null || startKey.isEmpty() ? range.from() : startKey)
                .limit(limit)
                .consistentRead(consistentRead)
                .returnConsumedCapacity(consumedCapacity)
                // Merged as the project merges every pair of expressions: a placeholder of the filter that stood
                // for something else than the key condition's is refused, not silently replaced.
                .expressionAttributeNames(Expression.namesOf(expressions))
                .expressionAttributeValues(Expression.valuesOf(expressions));
        if (filter != null) {
            request.filterExpression(filter.text());
        }
        QueryResponse response = dynamoDb.query(request.build());
        return page(response.items(), response.hasLastEvaluatedKey() ? response.lastEvaluatedKey() : null,
                response.consumedCapacity(), response.scannedCount());
    }

    /** A Scan's or a Query's page: the last key null on the last page, no capacity and counts read as none. */
    private static ScanPage page(List<Map<String, AttributeValue>> items, Map<String, AttributeValue> lastEvaluatedKey,
                                 ConsumedCapacity consumed, Integer scannedCount) {
        Map<String, AttributeValue> last = lastEvaluatedKey == null || lastEvaluatedKey.isEmpty()
                ? null : lastEvaluatedKey;
        double units = consumed == null || consumed.capacityUnits() == null ? 0 : consumed.capacityUnits();
        return new ScanPage(items, last, units, scannedCount == null ? items.size() : scannedCount);
    }

    /** Visits every page of a segment from its start; for verification and tests. */
    public void forEachPage(String table, int segment, int totalSegments, int limit, boolean consistentRead,
                            Consumer<ScanPage> visitor) {
        Map<String, AttributeValue> key = null;
        do {
            ScanPage page = scanPage(table, segment, totalSegments, key, limit, consistentRead);
            visitor.accept(page);
            key = page.lastEvaluatedKey();
        } while (key != null);
    }
}
