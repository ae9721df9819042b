package dev.ddbbulk.core.job;

import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Turns a TotalSegments parameter into the number a job runs with: a given number as it is; {@code auto} from the
 * source table's DescribeTable figures by {@link SegmentSizing}, or, for a run that exists already, the number it
 * was recorded with (the table's size has changed since, and a run's segments cannot).
 */
public final class AutoSegments {
    private final DynamoDbClient dynamoDb;

    public AutoSegments(DynamoDbClient dynamoDb) {
        this.dynamoDb = dynamoDb;
    }

    /**
     * @param requested   the parameter as given
     * @param job         the job, whose TotalSegments is provisional when {@code requested} is auto
     * @param existingRun the job recorded for the run id, when the run exists
     */
    public SegmentChoice choose(SegmentCount requested, JobConfig job, Optional<JobConfig> existingRun) {
        if (!requested.auto()) {
            return SegmentChoice.given(requested.number());
        }
        if (existingRun.isPresent()) {
            return SegmentChoice.recorded(existingRun.get().totalSegments());
        }
        return size(job);
    }

    /** The segments {@link SegmentSizing} picks for {@code job} from its source's figures. */
    public SegmentChoice size(JobConfig job) {
        TableDescription table;
        try {
            table = dynamoDb.describeTable(b -> b.tableName(job.sourceTable())).table();
        } catch (ResourceNotFoundException e) {
            throw new InvalidJobException("SourceTable '" + job.sourceTable() + "' does not exist; create it or fix"
                    + " --source / SourceTable (and the region or endpoint)", e);
        }
        long items = table.itemCount() == null ? 0 : table.itemCount();
        long bytes = table.tableSizeBytes() == null ? 0 : table.tableSizeBytes();
        SegmentSizing.WorkerRate rate = SegmentSizing.workerRate(job, items, bytes);
        if (items == 0 && bytes == 0 && holdsItems(job.sourceTable())) {
            // DynamoDB refreshes the figures about every six hours: a table filled since reads as empty. Its size is
            // unknown, so it gets the template's default, with more when the fleet needs them.
            int segments = (int) Math.min(JobConfig.MAX_SEGMENTS, Math.max(JobConfig.DEFAULT_SEGMENTS,
                    (long) SegmentSizing.SEGMENTS_PER_WORKER * job.parallelWorkers()));
            return new SegmentChoice(segments, SegmentChoice.Basis.UNCOUNTED, 0, 0, rate.itemsPerSecond(),
                    rate.setBy());
        }
        int segments = SegmentSizing.segments(items, bytes, rate.itemsPerSecond(), job.parallelWorkers(),
                job.pageSize());
        return new SegmentChoice(segments, SegmentChoice.Basis.SIZED, items, bytes, rate.itemsPerSecond(),
                rate.setBy());
    }

    /** A Scan of one item: whether a table whose figures read 0 is empty indeed. */
    private boolean holdsItems(String table) {
        var page = dynamoDb.scan(b -> b.tableName(table).limit(1));
        return page.count() > 0 || (page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty());
    }
}
