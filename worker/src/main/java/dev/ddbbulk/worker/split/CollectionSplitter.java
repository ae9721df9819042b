package dev.ddbbulk.worker.split;

import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.message.SortKeyRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Splits the rest of a large item collection off a segment's scan: finds the collection's last sort key (a
 * Query in reverse, limit 1), cuts the sort keys between the scan's position and it into ranges
 * ({@link SortKeyInterpolation}), records them with the segment's move past the collection
 * ({@link ProgressLedger#split}), and sends one message a range, so the fleet works the collection while the
 * segment's scan goes on with its other keys.
 */
public final class CollectionSplitter {
    private static final Logger LOG = LoggerFactory.getLogger(CollectionSplitter.class);
    private static final int SQS_BATCH = 10;

    private final DynamoDbClient dynamoDb;
    private final ProgressLedger ledger;
    private final SqsClient sqs;
    private final String queueUrl;

    public CollectionSplitter(DynamoDbClient dynamoDb, ProgressLedger ledger, SqsClient sqs, String queueUrl) {
        this.dynamoDb = dynamoDb;
        this.ledger = ledger;
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    /** What a split did: the lease after its transaction, and the key (the collection's last item) the scan goes on after. */
    public record Split(ProgressLedger.Lease lease, Map<String, AttributeValue> resumeAfter) {
    }

    /** What a range's own split did: the lease after its transaction, and the range it shrank to. */
    public record RangeSplit(ProgressLedger.Lease lease, SortKeyRange shrunk) {
    }

    /**
     * Splits the collection of {@code position}'s partition key after {@code position}, the scan's last key,
     * whose page and those before it since the checkpoint ({@code unsaved}) are written.
     *
     * @param parts how many ranges to cut the rest into, at most
     * @return empty when nothing of the collection lies after {@code position}: the scan just goes on
     */
    public Optional<Split> split(SegmentMessage message, TableShape source, boolean consistentRead,
                                 ProgressLedger.Lease lease, ProgressLedger.Pages unsaved,
                                 Map<String, AttributeValue> position, int parts) {
        String pk = source.partitionKey();
        String sk = source.sortKey();
        AttributeValue partition = position.get(pk);
        QueryResponse last = dynamoDb.query(b -> b.tableName(source.table())
                .keyConditionExpression("#pk = :pk")
                .expressionAttributeNames(Map.of("#pk", pk))
                .expressionAttributeValues(Map.of(":pk", partition))
                .scanIndexForward(false)
                .limit(1)
                .consistentRead(consistentRead));
        if (last.items().isEmpty()
                || SortKeyInterpolation.compare(last.items().get(0).get(sk), position.get(sk), source.sortKeyType()) <= 0) {
            return Optional.empty();
        }
        Map<String, AttributeValue> end = key(pk, partition, sk, last.items().get(0).get(sk));
        List<AttributeValue> bounds = new ArrayList<>();
        bounds.add(position.get(sk));
        bounds.addAll(SortKeyInterpolation.boundaries(position.get(sk), end.get(sk), source.sortKeyType(),
                Math.min(parts, ProgressLedger.MAX_SPLIT_RANGES)));
        bounds.add(end.get(sk));
        List<SortKeyRange> ranges = ranges(message, pk, partition, sk, bounds);
        ProgressLedger.Lease after = ledger.split(lease, unsaved, end, ranges);
        send(message, ranges);
        LOG.info("Split the item collection {} = {} off segment {} of run {} into {} range(s) after {}",
                pk, partition, message.segment(), message.runId(), ranges.size(), position.get(sk));
        return Optional.of(new Split(after, end));
    }

    /**
     * Splits the rest of a range that keeps reading, after {@code position}, its last key: the range shrinks to the
     * first part, which this delivery goes on with, and the other parts become ranges of the segment for the fleet.
     * A range's sort keys are often bunched, so a part of it can hold most of its items: this spreads that part too.
     *
     * @return empty when no key fits between {@code position} and the range's end
     */
    public Optional<RangeSplit> splitRange(SegmentMessage message, ProgressLedger.Lease lease,
                                           ProgressLedger.Pages unsaved, Map<String, AttributeValue> position,
                                           String sortKeyType, int parts) {
        SortKeyRange range = message.range();
        String pk = range.partitionKeyName();
        String sk = range.sortKeyName();
        List<AttributeValue> inner = SortKeyInterpolation.boundaries(position.get(sk), range.toSortKey(), sortKeyType,
                Math.min(parts, ProgressLedger.MAX_SPLIT_RANGES + 1));
        if (inner.isEmpty()) {
            return Optional.empty();
        }
        SortKeyRange shrunk = new SortKeyRange(range.index(), pk, range.from(), key(pk, range.partitionKey(), sk,
                inner.get(0)));
        List<AttributeValue> bounds = new ArrayList<>(inner);
        bounds.add(range.toSortKey());
        List<SortKeyRange> ranges = ranges(message, pk, range.partitionKey(), sk, bounds);
        ProgressLedger.Lease after = ledger.splitRange(lease, unsaved, position, shrunk, ranges);
        send(message, ranges);
        LOG.info("Split range {} of segment {} of run {} again into {} more range(s) after {}", range.index(),
                message.segment(), message.runId(), ranges.size(), position.get(sk));
        return Optional.of(new RangeSplit(after, shrunk));
    }

    /** The ranges between consecutive {@code bounds}, numbered by the ledger. */
    private List<SortKeyRange> ranges(SegmentMessage message, String pk, AttributeValue partition, String sk,
                                      List<AttributeValue> bounds) {
        int first = ledger.allocateRanges(message.runId(), message.segment(), bounds.size() - 1);
        List<SortKeyRange> ranges = new ArrayList<>(bounds.size() - 1);
        for (int i = 0; i + 1 < bounds.size(); i++) {
            ranges.add(new SortKeyRange(first + i, pk, key(pk, partition, sk, bounds.get(i)),
                    key(pk, partition, sk, bounds.get(i + 1))));
        }
        return ranges;
    }

    /**
     * Sends the messages of the segment's ranges that no delivery has claimed: a split whose messages were not
     * all sent (its delivery failed in between) is finished by the segment's next delivery. A message sent
     * twice is harmless: the second finds its range done or held.
     */
    public int sendPending(SegmentMessage message) {
        List<SortKeyRange> pending = ledger.pendingRanges(message.runId(), message.segment());
        send(message, pending);
        return pending.size();
    }

    private void send(SegmentMessage message, List<SortKeyRange> ranges) {
        for (int from = 0; from < ranges.size(); from += SQS_BATCH) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (SortKeyRange range : ranges.subList(from, Math.min(ranges.size(), from + SQS_BATCH))) {
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(range.index()))
                        .messageBody(SegmentMessageCodec.toJson(SegmentMessage.range(message.runId(),
                                message.segment(), message.totalSegments(), range)))
                        .build());
            }
            SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            if (response.hasFailed() && !response.failed().isEmpty()) {
                var failed = response.failed().get(0);
                throw new IllegalStateException("SQS refused " + response.failed().size() + " range message(s) of"
                        + " segment " + message.segment() + " (" + failed.code() + ": " + failed.message()
                        + "); the segment's next delivery sends them again");
            }
        }
    }

    private static Map<String, AttributeValue> key(String pk, AttributeValue partition, String sk, AttributeValue sort) {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put(pk, partition);
        key.put(sk, sort);
        return key;
    }
}
