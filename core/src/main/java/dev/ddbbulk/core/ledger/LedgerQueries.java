package dev.ddbbulk.core.ledger;

import static dev.ddbbulk.core.ledger.LedgerItems.*;

import dev.ddbbulk.core.job.InvalidJobException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Reading a run's segment records: one, the done ones, or all of them for the run's progress.
 */
final class LedgerQueries {
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final RunRecords runs;

    LedgerQueries(DynamoDbClient dynamoDb, String table, RunRecords runs) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.runs = runs;
    }

    Optional<SegmentRecord> findSegment(String runId, int segment) {
        return findSegment(runId, segment, 0);
    }

    Optional<SegmentRecord> findSegment(String runId, int segment, int range) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table)
                .key(segmentKey(runId, segment, range)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toSegment(item));
    }

    java.util.BitSet completedSegments(String runId) {
        java.util.BitSet done = new java.util.BitSet();
        forEachSegment(runId, SEGMENT_PREFIX, List.of("status"), request -> dynamoDb.query(request), segment -> {
            if (!segment.isRange() && segment.status() == SegmentStatus.DONE) {
                done.set(segment.segment());
            }
        });
        return done;
    }

    /** Visits every started segment and range of a run, in segment order, each range right after its segment. */
    void forEachSegment(String runId, java.util.function.Consumer<SegmentRecord> visitor) {
        forEachSegment(runId, request -> dynamoDb.query(request), visitor);
    }

    /** As {@link #forEachSegment(String, java.util.function.Consumer)}, each page read by {@code query}. */
    void forEachSegment(String runId, java.util.function.Function<QueryRequest, QueryResponse> query,
                        java.util.function.Consumer<SegmentRecord> visitor) {
        forEachSegment(runId, SEGMENT_PREFIX, null, query, visitor);
    }

    /**
     * A paginated query of the run's segment rows whose sort key begins with {@code prefix}, each page read by
     * {@code query}.
     *
     * @param attributes the attributes to read besides the key, or null for all of them
     */
    void forEachSegment(String runId, String prefix, List<String> attributes,
                        java.util.function.Function<QueryRequest, QueryResponse> query,
                        java.util.function.Consumer<SegmentRecord> visitor) {
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :run AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":run", s(runId), ":prefix", s(prefix)));
            if (attributes != null) {
                // Placeholders, since some attribute names ("status", "range") are reserved words.
                Map<String, String> names = new java.util.HashMap<>();
                StringBuilder projection = new StringBuilder(PK + ", " + SK);
                for (int i = 0; i < attributes.size(); i++) {
                    names.put("#a" + i, attributes.get(i));
                    projection.append(", #a").append(i);
                }
                request.projectionExpression(projection.toString()).expressionAttributeNames(names);
            }
            if (startKey != null) {
                request.exclusiveStartKey(startKey);
            }
            QueryResponse response = query.apply(request.build());
            response.items().forEach(item -> visitor.accept(toSegment(item)));
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
    }

    RunProgress progress(String runId) {
        RunRecord run = runs.findRun(runId).orElseThrow(() -> new InvalidJobException(
                "Run '" + runId + "' is not in ledger " + table + "; check the run id and the ledger table"));
        var tally = new Object() {
            Counts counts = Counts.ZERO;
            long continuations;
            int started;
            int inProgress;
            int awaitingRanges;
            SegmentRecord scanned;
            boolean awaiting;
        };
        List<SegmentRecord> failed = new ArrayList<>();
        List<SegmentRecord> deadLettered = new ArrayList<>();
        // A segment's ranges come right after it: a done segment awaits its ranges until each of them is done.
        forEachSegment(runId, segment -> {
            if (!segment.isRange()) {
                tally.started++;
                tally.scanned = segment.status() == SegmentStatus.DONE ? segment : null;
                tally.awaiting = false;
            } else if (tally.scanned != null && !tally.awaiting && tally.scanned.segment() == segment.segment()
                    && segment.status() != SegmentStatus.DONE) {
                tally.awaiting = true;
                tally.awaitingRanges++;
            }
            tally.counts = tally.counts.plus(segment.counts());
            tally.continuations += segment.continuations();
            switch (segment.status()) {
                case IN_PROGRESS -> tally.inProgress++;
                case FAILED -> failed.add(segment);
                case DEAD_LETTERED -> deadLettered.add(segment);
                case PENDING, DONE -> { }
            }
        });
        return new RunProgress(run, tally.started, tally.inProgress, tally.counts, tally.continuations,
                List.copyOf(failed), List.copyOf(deadLettered), tally.awaitingRanges);
    }
}
