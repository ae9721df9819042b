package dev.ddbbulk.core.ledger;

import static dev.ddbbulk.core.ledger.LedgerItems.*;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.JobConfigCodec;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The run record: created once per run (a retry with the same job is harmless), marked seeded, read.
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
        item.put("segmentsCompleted", n(0));
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return findRun(runId).orElseThrow();
        } catch (ConditionalCheckFailedException e) {
            RunRecord existing = findRun(runId).orElseThrow(() -> new IllegalStateException(
                    "Run " + runId + " was refused as existing but cannot be read", e));
            if (!existing.job().equals(job)) {
                throw new InvalidJobException("Run '" + runId + "' already exists in ledger " + table
                        + " with another job (" + JobConfigCodec.toJson(existing.job()) + "); use a new run id", e);
            }
            return existing;
        }
    }

    void markSeeded(String runId) {
        dynamoDb.updateItem(b -> b.tableName(table).key(runKey(runId))
                .updateExpression("SET seededAt = if_not_exists(seededAt, :now)")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":now", n(clock.millis()))));
    }

    Optional<RunRecord> findRun(String runId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(runKey(runId))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(toRun(item));
    }

    Optional<Instant> lastCompletedAt(String runId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(runKey(runId))
                .projectionExpression("lastCompletedAt").consistentRead(true)).item();
        return item == null ? Optional.empty() : Optional.ofNullable(instant(item.get("lastCompletedAt")));
    }
}
