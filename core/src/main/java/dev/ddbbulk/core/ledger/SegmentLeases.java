package dev.ddbbulk.core.ledger;

import static dev.ddbbulk.core.ledger.LedgerItems.*;

import dev.ddbbulk.core.ledger.ProgressLedger.Claim;
import dev.ddbbulk.core.ledger.ProgressLedger.Lease;
import dev.ddbbulk.core.ledger.ProgressLedger.LeaseLostException;
import dev.ddbbulk.core.ledger.ProgressLedger.Pages;
import dev.ddbbulk.core.message.DynamoDbKeyCodec;
import dev.ddbbulk.core.message.SegmentMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * A segment's lease: claimed by one delivery at a time, and every later write of that delivery (checkpoint,
 * release for a continuation, failure) conditioned on still holding it and on the pages it last saw.
 */
final class SegmentLeases {
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;
    private final LedgerQueries queries;

    SegmentLeases(DynamoDbClient dynamoDb, String table, Clock clock, LedgerQueries queries) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
        this.queries = queries;
    }

    Claim claim(String runId, int segment, String messageId, String owner, Instant leaseUntil) {
        return claim(runId, segment, 0, messageId, owner, leaseUntil, null);
    }

    /**
     * A range's row exists before its first claim (the split wrote it), so its claim requires the row: a message
     * for a range the ledger never recorded would otherwise create one that no count knows of.
     */
    Claim claim(String runId, int segment, int range, String messageId, String owner, Instant leaseUntil,
                Instant resumedAt) {
        Instant now = clock.instant();
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":running", s(SegmentStatus.IN_PROGRESS.name()),
                ":done", s(SegmentStatus.DONE.name()), ":me", s(owner), ":msg", s(messageId),
                ":until", n(leaseUntil.toEpochMilli()), ":now", n(now.toEpochMilli()), ":one", n(1), ":zero", n(0)));
        if (resumedAt != null) {
            values.put(":resumed", n(resumedAt.toEpochMilli()));
        }
        try {
            Map<String, AttributeValue> item = dynamoDb.updateItem(b -> b.tableName(table)
                    .key(segmentKey(runId, segment, range))
                    .updateExpression("SET #st = :running, leaseOwner = :me, leaseMessage = :msg,"
                            + " leaseExpiresAt = :until, leaseClaimedAt = :now, updatedAt = :now,"
                            + " " + STARTED_AT + " = if_not_exists(" + STARTED_AT + ", :now),"
                            + " pages = if_not_exists(pages, :zero) ADD attempts :one")
                    .conditionExpression((range == 0 ? "attribute_not_exists(#st) OR " : "attribute_exists(#st) AND ")
                            + "(#st <> :done AND (attribute_not_exists(leaseOwner)"
                            + " OR leaseExpiresAt < :now OR leaseMessage = :msg"
                            + (resumedAt != null ? " OR leaseClaimedAt < :resumed" : "") + "))")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
            SegmentRecord record = toSegment(item);
            return new Claim.Granted(new Lease(runId, segment, range, owner, record.pages()), record);
        } catch (ConditionalCheckFailedException e) {
            SegmentRecord current = queries.findSegment(runId, segment, range).orElseThrow(() -> new IllegalStateException(
                    "The ledger has no row for " + SegmentMessage.describe(segment, range) + " of run " + runId
                            + ", which the split that made it writes first", e));
            return current.status() == SegmentStatus.DONE ? new Claim.AlreadyDone(current) : new Claim.Leased(current);
        }
    }

    Lease checkpoint(Lease lease, Pages pages) {
        if (pages.count() == 0 || pages.lastEvaluatedKey() == null) {
            throw new IllegalArgumentException("A checkpoint needs at least one page and its LastEvaluatedKey, got "
                    + pages.count() + " page(s)");
        }
        long after = lease.pages() + pages.count();
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(segmentKey(lease.runId(), lease.segment(), lease.range()))
                    .updateExpression("SET updatedAt = :now" + saving(pages) + " ADD " + ADD_COUNTS)
                    .conditionExpression("leaseOwner = :me AND #st = :running AND pages = :before")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(saved(lease, pages, Map.of(":now", n(clock.millis()),
                            ":me", s(lease.owner()), ":running", s(SegmentStatus.IN_PROGRESS.name()),
                            ":before", n(lease.pages())))));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> now = segmentItem(lease);
            boolean replayed = lease.owner().equals(text(now.get("leaseOwner"))) && number(now.get("pages")) == after;
            if (!replayed) {
                throw new LeaseLostException(lease, e);
            }
        }
        return lease.withPages(after);
    }

    void releaseForContinuation(Lease lease, Pages sinceCheckpoint) {
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(segmentKey(lease.runId(), lease.segment(), lease.range()))
                    .updateExpression("REMOVE " + LEASE + " SET updatedAt = :now"
                            + saving(sinceCheckpoint) + " ADD continuations :one"
                            + (sinceCheckpoint.count() == 0 ? "" : ", " + ADD_COUNTS))
                    .conditionExpression("leaseOwner = :me AND pages = :before")
                    .expressionAttributeValues(saved(lease, sinceCheckpoint, Map.of(":me", s(lease.owner()),
                            ":now", n(clock.millis()), ":one", n(1), ":before", n(lease.pages())))));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> now = segmentItem(lease);
            if (SegmentStatus.DONE.name().equals(text(now.get("status")))) {
                throw new LeaseLostException(lease, e);
            }
        }
    }

    void recordFailure(Lease lease, String error, Pages sinceCheckpoint) {
        String trimmed = trimmedError(error);
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":failed", s(SegmentStatus.FAILED.name()),
                ":err", s(trimmed), ":now", n(clock.millis()), ":me", s(lease.owner()), ":before", n(lease.pages())));
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(segmentKey(lease.runId(), lease.segment(), lease.range()))
                    .updateExpression("SET #st = :failed, lastError = :err, updatedAt = :now" + saving(sinceCheckpoint)
                            + " REMOVE " + LEASE
                            + (sinceCheckpoint.count() == 0 ? "" : " ADD " + ADD_COUNTS))
                    .conditionExpression("leaseOwner = :me AND pages = :before")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(saved(lease, sinceCheckpoint, values)));
        } catch (ConditionalCheckFailedException e) {
            throw new LeaseLostException(lease, e);
        }
    }

    /** The SET clauses (each after a comma) that save {@code pages}' checkpoint and page count, if any. */
    private static String saving(Pages pages) {
        return pages.count() == 0 ? "" : ", checkpoint = :ck, pages = :after";
    }

    /** {@code values} with those {@link #saving} and {@link #ADD_COUNTS} refer to, when there are pages to save. */
    private static Map<String, AttributeValue> saved(Lease lease, Pages pages, Map<String, AttributeValue> values) {
        if (pages.count() == 0) {
            return values;
        }
        if (pages.lastEvaluatedKey() == null) {
            throw new IllegalArgumentException("Pages to save need the LastEvaluatedKey of the last one");
        }
        Map<String, AttributeValue> all = withCounts(pages.counts(), values);
        all.put(":ck", s(DynamoDbKeyCodec.toJson(pages.lastEvaluatedKey())));
        all.put(":after", n(lease.pages() + pages.count()));
        return all;
    }

    private Map<String, AttributeValue> segmentItem(Lease lease) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table)
                .key(segmentKey(lease.runId(), lease.segment(), lease.range())).consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }
}
