package dev.ddbbulk.core.ledger;

import static dev.ddbbulk.core.ledger.LedgerItems.*;

import dev.ddbbulk.core.retry.Retrier;
import dev.ddbbulk.core.retry.Throttling;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The run's dead-lettered segments, so that a run is judged by its own records and not by a dead-letter queue
 * that other runs share. A segment dead-lettered gets that status and a marker item ({@code "DLQ#0000042"}) in
 * its run's partition: reading them costs one query of the markers, however many segments the run has. A
 * marker is never removed; a redriven segment's record says whether it still counts.
 */
final class DeadLetters {
    static final String MARKER_PREFIX = "DLQ#";
    private static final int BATCH_GET_KEYS = 100;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;
    private final Retrier retrier;

    DeadLetters(DynamoDbClient dynamoDb, String table, Clock clock, Retrier retrier) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
        this.retrier = retrier;
    }

    /**
     * Marks a segment dead-lettered with the error of its last delivery ({@code messageId}), unless it is done
     * or another delivery holds its lease. Returns whether it was marked.
     */
    boolean record(String runId, int segment, int range, String messageId, String error) {
        String trimmed = trimmedError(error);
        long now = clock.millis();
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":dead", s(SegmentStatus.DEAD_LETTERED.name()),
                ":done", s(SegmentStatus.DONE.name()), ":err", s(trimmed), ":now", n(now), ":msg", s(messageId)));
        Map<String, AttributeValue> marker = new HashMap<>(markerKey(runId, segment, range));
        marker.put("lastError", s(trimmed));
        marker.put("deadLetteredAt", n(now));
        try {
            dynamoDb.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().update(Update.builder().tableName(table)
                            .key(segmentKey(runId, segment, range))
                            .updateExpression("SET #st = :dead, lastError = :err, updatedAt = :now REMOVE " + LEASE)
                            .conditionExpression("attribute_not_exists(#st) OR (#st <> :done"
                                    + " AND (attribute_not_exists(leaseOwner) OR leaseExpiresAt < :now"
                                    + " OR leaseMessage = :msg))")
                            .expressionAttributeNames(Map.of("#st", "status"))
                            .expressionAttributeValues(values).build()).build(),
                    TransactWriteItem.builder().put(Put.builder().tableName(table).item(marker).build()).build()));
            return true;
        } catch (TransactionCanceledException e) {
            if (e.hasCancellationReasons() && !e.cancellationReasons().isEmpty()
                    && "ConditionalCheckFailed".equals(e.cancellationReasons().get(0).code())) {
                return false;
            }
            throw e;
        }
    }

    /** The run's segments that are dead-lettered now, by segment number. */
    List<SegmentRecord> of(String runId) throws InterruptedException {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :run AND begins_with(sk, :dlq)")
                    .projectionExpression("sk")
                    .expressionAttributeValues(Map.of(":run", s(runId), ":dlq", s(MARKER_PREFIX)));
            if (startKey != null) {
                request.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamoDb.query(request.build());
            response.items().forEach(item -> {
                int[] id = segmentAndRange(item.get(SK).s().substring(MARKER_PREFIX.length()));
                keys.add(segmentKey(runId, id[0], id[1]));
            });
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        List<SegmentRecord> dead = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += BATCH_GET_KEYS) {
            readSegments(keys.subList(from, Math.min(keys.size(), from + BATCH_GET_KEYS))).stream()
                    .map(LedgerItems::toSegment)
                    .filter(segment -> segment.status() == SegmentStatus.DEAD_LETTERED)
                    .forEach(dead::add);
        }
        dead.sort(java.util.Comparator.comparingInt(SegmentRecord::segment).thenComparingInt(SegmentRecord::range));
        return List.copyOf(dead);
    }

    /** One BatchGetItem's keys, asked again with backoff while DynamoDB leaves some unprocessed. */
    private List<Map<String, AttributeValue>> readSegments(List<Map<String, AttributeValue>> keys)
            throws InterruptedException {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, KeysAndAttributes> request = new HashMap<>(Map.of(table,
                KeysAndAttributes.builder().keys(keys).consistentRead(true).build()));
        boolean done = retrier.untilDone(() -> {
            BatchGetItemResponse response = dynamoDb.batchGetItem(b -> b.requestItems(request));
            items.addAll(response.responses().getOrDefault(table, List.of()));
            request.clear();
            if (response.hasUnprocessedKeys()) {
                response.unprocessedKeys().forEach((name, unprocessed) -> {
                    if (unprocessed.hasKeys() && !unprocessed.keys().isEmpty()) {
                        request.put(name, unprocessed);
                    }
                });
            }
            return request.isEmpty();
        }, Throttling::isThrottling);
        if (!done) {
            throw new IllegalStateException("DynamoDB left " + request.get(table).keys().size()
                    + " dead-lettered segment(s) of ledger " + table + " unread after every retry");
        }
        return items;
    }

    static Map<String, AttributeValue> markerKey(String runId, int segment, int range) {
        return Map.of(PK, s(runId), SK, s(MARKER_PREFIX + segmentSortKey(segment, range).substring(SEGMENT_PREFIX.length())));
    }
}
