package dev.ddbbulk.core.ledger;

import static dev.ddbbulk.core.ledger.LedgerItems.*;

import dev.ddbbulk.core.ledger.ProgressLedger.Lease;
import dev.ddbbulk.core.ledger.ProgressLedger.LeaseLostException;
import dev.ddbbulk.core.ledger.ProgressLedger.Pages;
import dev.ddbbulk.core.message.DynamoDbKeyCodec;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.message.SortKeyRange;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Ranges split off a segment's item collections: recorded, with the segment's move past the collection and the
 * run's count of ranges, in one transaction, so that a range is counted exactly when it exists and the segment
 * never resumes inside a collection its ranges cover. A range's row keeps the range, so its message can be sent
 * again by the segment's next delivery or by a resume.
 */
final class SegmentSplits {
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;
    private final LedgerQueries queries;

    SegmentSplits(DynamoDbClient dynamoDb, String table, Clock clock, LedgerQueries queries) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
        this.queries = queries;
    }

    /** The first of {@code count} new range numbers of the segment: numbers are taken, never reused. */
    int allocate(String runId, int segment, int count) {
        Map<String, AttributeValue> after = dynamoDb.updateItem(b -> b.tableName(table)
                .key(segmentKey(runId, segment))
                .updateExpression("ADD ranges :n")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":n", n(count)))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes();
        return (int) (number(after.get("ranges")) - count + 1);
    }

    Lease split(Lease lease, Pages sinceCheckpoint, Map<String, AttributeValue> resumeAfter, SortKeyRange shrunk,
                List<SortKeyRange> ranges) {
        if ((lease.range() == 0) != (shrunk == null)) {
            throw new IllegalArgumentException("A segment's split moves its scan past the collection; a range's"
                    + " split shrinks the range: " + lease.describe() + " with " + shrunk);
        }
        if (ranges.isEmpty() || ranges.size() > ProgressLedger.MAX_SPLIT_RANGES) {
            throw new IllegalArgumentException("A split makes 1.." + ProgressLedger.MAX_SPLIT_RANGES + " ranges, got "
                    + ranges.size());
        }
        long now = clock.millis();
        long after = lease.pages() + sinceCheckpoint.count();
        Map<String, AttributeValue> values = withCounts(sinceCheckpoint.counts(), Map.of(
                ":now", n(now), ":me", s(lease.owner()), ":running", s(SegmentStatus.IN_PROGRESS.name()),
                ":before", n(lease.pages()), ":after", n(after), ":ck", s(DynamoDbKeyCodec.toJson(resumeAfter))));
        Map<String, String> names = new HashMap<>(Map.of("#st", "status"));
        if (shrunk != null) {
            values.put(":shrunk", s(SegmentMessageCodec.rangeToJson(shrunk)));
            values.put(":ranges", n(ranges.size()));
            names.put("#range", RANGE);
        }
        List<TransactWriteItem> items = new ArrayList<>(ranges.size() + 2);
        // On a segment's row "ranges" numbers its ranges (see allocate); on a range's it counts those split off it.
        items.add(TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(segmentKey(lease.runId(), lease.segment(), lease.range()))
                .updateExpression("SET updatedAt = :now, checkpoint = :ck, pages = :after"
                        + (shrunk != null ? ", #range = :shrunk ADD ranges :ranges, " : " ADD ") + ADD_COUNTS)
                .conditionExpression("leaseOwner = :me AND #st = :running AND pages = :before")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values).build()).build());
        for (SortKeyRange range : ranges) {
            Map<String, AttributeValue> row = new HashMap<>(segmentKey(lease.runId(), lease.segment(), range.index()));
            row.put("status", s(SegmentStatus.PENDING.name()));
            row.put(RANGE, s(SegmentMessageCodec.rangeToJson(range)));
            row.put("updatedAt", n(now));
            items.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(row)
                    .conditionExpression("attribute_not_exists(pk)").build()).build());
        }
        items.add(TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(counterKey(lease.runId(), counterShard(lease.segment())))
                .updateExpression("ADD rangesCreated :ranges")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":ranges", n(ranges.size()))).build()).build());
        try {
            dynamoDb.transactWriteItems(b -> b.transactItems(items));
        } catch (TransactionCanceledException e) {
            if (e.hasCancellationReasons() && !e.cancellationReasons().isEmpty()
                    && "ConditionalCheckFailed".equals(e.cancellationReasons().get(0).code())) {
                throw new LeaseLostException(lease, e);
            }
            throw e;
        }
        return lease.withPages(after);
    }

    List<SortKeyRange> pending(String runId, int segment) {
        List<SortKeyRange> pending = new ArrayList<>();
        queries.forEachSegment(runId, segmentSortKey(segment, 0) + "#", List.of("status", RANGE),
                request -> dynamoDb.query(request), row -> {
                    if (row.status() == SegmentStatus.PENDING) {
                        pending.add(row.bounds());
                    }
                });
        return List.copyOf(pending);
    }

    Map<Integer, List<SortKeyRange>> open(String runId) {
        Map<Integer, List<SortKeyRange>> open = new TreeMap<>();
        queries.forEachSegment(runId, SEGMENT_PREFIX, List.of("status", RANGE), request -> dynamoDb.query(request),
                row -> {
                    if (row.isRange() && row.status() != SegmentStatus.DONE) {
                        open.computeIfAbsent(row.segment(), k -> new ArrayList<>()).add(row.bounds());
                    }
                });
        return open;
    }
}
