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
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table)
                .key(segmentKey(runId, segment)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toSegment(item));
    }

    java.util.BitSet completedSegments(String runId) {
        java.util.BitSet done = new java.util.BitSet();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :run AND begins_with(sk, :seg)")
                    .filterExpression("#st = :done")
                    .projectionExpression("sk")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(Map.of(":run", s(runId), ":seg", s("SEG#"),
                            ":done", s(SegmentStatus.DONE.name())));
            if (startKey != null) {
                request.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamoDb.query(request.build());
            response.items().forEach(item -> done.set(Integer.parseInt(item.get(SK).s().substring(4))));
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return done;
    }

    RunProgress progress(String runId) {
        RunRecord run = runs.findRun(runId).orElseThrow(() -> new InvalidJobException(
                "Run '" + runId + "' is not in ledger " + table + "; check the run id and the ledger table"));
        Counts counts = Counts.ZERO;
        long continuations = 0;
        int started = 0;
        int inProgress = 0;
        List<SegmentRecord> failed = new ArrayList<>();
        List<SegmentRecord> deadLettered = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :run AND begins_with(sk, :seg)")
                    .expressionAttributeValues(Map.of(":run", s(runId), ":seg", s("SEG#")));
            if (startKey != null) {
                request.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamoDb.query(request.build());
            for (Map<String, AttributeValue> item : response.items()) {
                SegmentRecord segment = toSegment(item);
                started++;
                counts = counts.plus(segment.counts());
                continuations += segment.continuations();
                if (segment.status() == SegmentStatus.IN_PROGRESS) {
                    inProgress++;
                } else if (segment.status() == SegmentStatus.FAILED) {
                    failed.add(segment);
                } else if (segment.status() == SegmentStatus.DEAD_LETTERED) {
                    deadLettered.add(segment);
                }
            }
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return new RunProgress(run, started, inProgress, counts, continuations, List.copyOf(failed),
                List.copyOf(deadLettered));
    }
}
