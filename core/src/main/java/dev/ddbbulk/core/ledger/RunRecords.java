package dev.ddbbulk.core.ledger;

import static dev.ddbbulk.core.ledger.LedgerItems.*;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.JobConfigCodec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The run record: created once per run (a retry with the same job is harmless), marked seeded, read. A
 * later attempt at the run (a resume, a redrive, a retried seed) may bring other fleet settings: they replace
 * the run's, and the record keeps the jobs they replaced in {@code fleetChanges}. The run's counters are in its
 * counter shards, created with it and summed whenever it is read.
 */
final class RunRecords {
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;

    RunRecords(DynamoDbClient dynamoDb, String table, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
    }

    RunRecord startRun(String runId, JobConfig job) {
        String jobJson = JobConfigCodec.toJson(job);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(runId));
        item.put(SK, s(RUN_SK));
        item.put("job", s(jobJson));
        item.put("totalSegments", n(job.totalSegments()));
        item.put("createdAt", n(clock.millis()));
        // The shards are written with the run, so that one exists exactly when its run does: a completing
        // transaction requires its shard rather than the run record, which would make the record a hot item
        // again (DynamoDB cancels a transaction for any item, a ConditionCheck's too, that one in flight holds).
        List<TransactWriteItem> items = new ArrayList<>(COUNTER_SHARDS + 1);
        items.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").build()).build());
        for (int shard = 0; shard < COUNTER_SHARDS; shard++) {
            items.add(TransactWriteItem.builder().put(Put.builder().tableName(table)
                    .item(counterKey(runId, shard)).build()).build());
        }
        try {
            dynamoDb.transactWriteItems(b -> b.transactItems(items));
            return findRun(runId).orElseThrow();
        } catch (TransactionCanceledException e) {
            if (!e.hasCancellationReasons()
                    || !"ConditionalCheckFailed".equals(e.cancellationReasons().get(0).code())) {
                throw e;
            }
            RunRecord existing = findRun(runId).orElseThrow(() -> new IllegalStateException(
                    "Run " + runId + " was refused as existing but cannot be read", e));
            List<String> differ = existing.job().workDifferences(job);
            if (!differ.isEmpty()) {
                throw new InvalidJobException("Run '" + runId + "' already exists in ledger " + table
                        + " with another job (" + String.join(", ", differ) + " differ: "
                        + JobConfigCodec.toJson(existing.job()) + "); use a new run id", e);
            }
            return existing.job().equals(job) ? existing : changeFleet(existing, job);
        }
    }

    /**
     * Gives the run {@code job}'s fleet settings, keeping the job they replace, on condition that the run still
     * has the job read (another attempt changing it meanwhile makes this one read it again).
     */
    private RunRecord changeFleet(RunRecord existing, JobConfig job) {
        String before = JobConfigCodec.toJson(existing.job());
        Map<String, AttributeValue> change = Map.of("at", n(clock.millis()), "replacedJob", s(before));
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(runKey(existing.runId()))
                    .updateExpression("SET job = :job, fleetChanges = list_append(if_not_exists(fleetChanges, :none),"
                            + " :change)")
                    .conditionExpression("job = :before")
                    .expressionAttributeValues(Map.of(":job", s(JobConfigCodec.toJson(job)), ":before", s(before),
                            ":none", AttributeValue.fromL(List.of()),
                            ":change", AttributeValue.fromL(List.of(AttributeValue.fromM(change))))));
        } catch (ConditionalCheckFailedException e) {
            return startRun(existing.runId(), job);
        }
        return findRun(existing.runId()).orElseThrow();
    }

    /** How many times the run's fleet settings were changed by a later attempt. */
    int fleetChanges(String runId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(runKey(runId))
                .projectionExpression("fleetChanges").consistentRead(true)).item();
        AttributeValue changes = item == null ? null : item.get("fleetChanges");
        return changes == null ? 0 : changes.l().size();
    }

    void markSeeded(String runId) {
        dynamoDb.updateItem(b -> b.tableName(table).key(runKey(runId))
                .updateExpression("SET seededAt = if_not_exists(seededAt, :now)")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":now", n(clock.millis()))));
    }

    /** The run with its counters summed over its shards. */
    Optional<RunRecord> findRun(String runId) {
        return toRun(runItems(runId, null));
    }

    /** The latest completion of any of the run's shards. */
    Optional<Instant> lastCompletedAt(String runId) {
        return runItems(runId, "lastCompletedAt").stream().map(item -> instant(item.get("lastCompletedAt")))
                .filter(Objects::nonNull).max(Comparator.naturalOrder());
    }

    /** The run's record and its counter shards (only {@code projection} of each, when given), one paginated query. */
    private List<Map<String, AttributeValue>> runItems(String runId, String projection) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(COUNTER_SHARDS + 1);
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :run AND begins_with(sk, :runSk)")
                    .expressionAttributeValues(Map.of(":run", s(runId), ":runSk", s(RUN_SK)));
            if (projection != null) {
                request.projectionExpression(projection);
            }
            if (startKey != null) {
                request.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamoDb.query(request.build());
            items.addAll(response.items());
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return items;
    }
}
