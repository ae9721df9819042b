package dev.ddbbulk.core.ledger;

import static dev.ddbbulk.core.ledger.LedgerItems.*;

import dev.ddbbulk.core.ledger.ProgressLedger.Completion;
import dev.ddbbulk.core.ledger.ProgressLedger.Lease;
import dev.ddbbulk.core.ledger.ProgressLedger.LeaseLostException;
import dev.ddbbulk.core.ledger.ProgressLedger.Pages;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Marking segments done and counting them into their run, many segments in one transaction; a done segment's
 * record gets an expiry for the table's TTL when the ledger has one. The sums go to one of the run's counter
 * shards, never to the run record, so that concurrent transactions share an item only when they pick the same
 * shard.
 */
final class SegmentCompletions {
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;
    private final Duration doneSegmentTtl;

    SegmentCompletions(DynamoDbClient dynamoDb, String table, Clock clock, Duration doneSegmentTtl) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
        this.doneSegmentTtl = doneSegmentTtl;
    }

    void complete(Lease lease, Pages sinceCheckpoint, Counts totals, long continuations) {
        if (!complete(List.of(new Completion(lease, sinceCheckpoint, totals, continuations))).isEmpty()) {
            throw new LeaseLostException(lease, null);
        }
    }

    List<Completion> complete(List<Completion> completions) {
        if (completions.isEmpty() || completions.size() > ProgressLedger.MAX_COMPLETIONS) {
            throw new IllegalArgumentException("A completing transaction takes 1.." + ProgressLedger.MAX_COMPLETIONS
                    + " segments, got " + completions.size());
        }
        String runId = completions.get(0).lease().runId();
        if (completions.stream().anyMatch(c -> !c.lease().runId().equals(runId))) {
            throw new IllegalArgumentException("A completing transaction takes segments of one run, got "
                    + completions.stream().map(c -> c.lease().runId()).distinct().toList());
        }
        List<Completion> remaining = new ArrayList<>(completions);
        List<Completion> lost = new ArrayList<>();
        while (!remaining.isEmpty()) {
            try {
                dynamoDb.transactWriteItems(b -> b.transactItems(completing(remaining)));
                return List.copyOf(lost);
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                List<Completion> refused = new ArrayList<>();
                for (int i = 0; i < Math.min(reasons.size(), remaining.size()); i++) {
                    if ("ConditionalCheckFailed".equals(reasons.get(i).code())) {
                        refused.add(remaining.get(i));
                    }
                }
                if (refused.isEmpty()) {
                    throw e;
                }
                lost.addAll(refused);
                remaining.removeAll(refused);
            }
        }
        return List.copyOf(lost);
    }

    /** The transaction's items: one update a segment, then one of a counter shard of their run with their sums. */
    private List<TransactWriteItem> completing(List<Completion> completions) {
        long now = clock.millis();
        boolean expires = !doneSegmentTtl.isZero();
        // DynamoDB's TTL reads epoch seconds.
        long expiresAt = (now + doneSegmentTtl.toMillis()) / 1000;
        List<TransactWriteItem> items = new ArrayList<>(completions.size() + 1);
        Counts totals = Counts.ZERO;
        long continuations = 0;
        long ranges = 0;
        for (Completion c : completions) {
            Lease lease = c.lease();
            Map<String, AttributeValue> values = withCounts(c.sinceCheckpoint().counts(), Map.of(
                    ":done", s(SegmentStatus.DONE.name()), ":now", n(now), ":me", s(lease.owner()),
                    ":running", s(SegmentStatus.IN_PROGRESS.name()), ":before", n(lease.pages()),
                    ":after", n(lease.pages() + c.sinceCheckpoint().count())));
            if (expires) {
                values.put(":exp", n(expiresAt));
            }
            items.add(TransactWriteItem.builder().update(Update.builder().tableName(table)
                    .key(segmentKey(lease.runId(), lease.segment(), lease.range()))
                    .updateExpression("SET #st = :done, updatedAt = :now, " + ENDED_AT + " = :now, pages = :after"
                            + (expires ? ", " + EXPIRES_AT + " = :exp" : "")
                            + " REMOVE checkpoint, " + LEASE
                            + " ADD " + ADD_COUNTS)
                    .conditionExpression("leaseOwner = :me AND #st = :running AND pages = :before")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(values)
                    .build()).build());
            totals = totals.plus(c.totals());
            continuations += c.continuations();
            ranges += lease.range() == 0 ? 0 : 1;
        }
        Lease first = completions.get(0).lease();
        // The shard exists when the run does (RunRecords.startRun creates both), so the condition still refuses
        // segments of a run that is not in the ledger. Readers take the latest lastCompletedAt of all shards.
        items.add(TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(counterKey(first.runId(), counterShard(first.segment())))
                .updateExpression("SET lastCompletedAt = :now"
                        + " ADD segmentsCompleted :done, rangesCompleted :ranges, continuations :co, " + ADD_COUNTS)
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(withCounts(totals, Map.of(":done", n(completions.size() - ranges),
                        ":ranges", n(ranges), ":co", n(continuations), ":now", n(now))))
                .build()).build());
        return items;
    }
}
