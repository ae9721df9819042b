package dev.ddbbulk.tools;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.WriteMode;
import picocli.CommandLine.Option;

/** The job parameters, named like the template's, shared by demo and run. */
final class JobMixin {
    @Option(names = "--rate", defaultValue = "-1",
            description = "RateLimiter: at most this many items/s per worker; -1 = unlimited. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--page-size", defaultValue = "100",
            description = "PageSize: items per scan page (the scan's Limit). Default: ${DEFAULT-VALUE}.")
    int pageSize;

    @Option(names = "--checkpoint-interval-seconds", defaultValue = "10",
            description = "CheckpointIntervalSeconds: how often a worker records its position in a segment (also before"
                    + " a continuation and after a failure); 0 = after every page. Default: ${DEFAULT-VALUE}.")
    int checkpointIntervalSeconds;

    @Option(names = "--writes-in-flight", defaultValue = "16",
            description = "WritesInFlight: a worker's DynamoDB writes in flight at once (conditional writes, or a"
                    + " page's BatchWriteItem calls), 1..256; on AWS a call takes 3-10 ms. Default: ${DEFAULT-VALUE}.")
    int writesInFlight;

    @Option(names = "--split-after-pages", defaultValue = "10",
            description = "SplitAfterPages: scan pages in a row from one partition key after which a worker splits the"
                    + " rest of that item collection into sort-key ranges for the fleet; 0 = never. Default: ${DEFAULT-VALUE}.")
    int splitAfterPages;

    @Option(names = "--processor", defaultValue = "copy",
            description = "ItemProcessor: 'copy', 'stamp', or the class name of your ItemProcessor. Default: ${DEFAULT-VALUE}.")
    String processor;

    @Option(names = "--consistent-read", defaultValue = "true", arity = "1",
            description = "ConsistentRead for the scan (true/false). Default: ${DEFAULT-VALUE}.")
    boolean consistentRead;

    @Option(names = "--write-mode", defaultValue = "batch",
            description = "WriteMode: 'batch' (BatchWriteItem, last writer wins) or 'conditional' (per-item conditional"
                    + " writes that never recreate a deleted item or overwrite a changed one). Default: ${DEFAULT-VALUE}.")
    String writeMode;

    @Option(names = "--version-attribute",
            description = "VersionAttribute: with --write-mode conditional, an attribute that must still hold the value read.")
    String versionAttribute;

    @Option(names = "--max-read-units", defaultValue = "-1",
            description = "MaxReadUnits: read capacity units/s for the whole fleet, measured from ConsumedCapacity and"
                    + " split evenly over the workers, with backoff on throttling; -1 = unlimited. Default: ${DEFAULT-VALUE}.")
    double maxReadUnits;

    @Option(names = "--max-write-units", defaultValue = "-1",
            description = "MaxWriteUnits: write capacity units/s for the whole fleet, as --max-read-units. Default: ${DEFAULT-VALUE}.")
    double maxWriteUnits;

    @Option(names = "--dry-run", description = "Scan and process, count what would be written, write nothing.")
    boolean dryRun;

    @Option(names = "--update", paramLabel = "EXPRESSION",
            description = "UpdateExpression: instead of a processor, one UpdateItem with this update for every item"
                    + " scanned (that passes --filter), e.g. 'SET #s = :new'.")
    String update;

    @Option(names = "--condition", paramLabel = "EXPRESSION",
            description = "ConditionExpression: each --update applies only where this holds; a failed one is counted.")
    String condition;

    @Option(names = "--filter", paramLabel = "EXPRESSION",
            description = "FilterExpression: the scan passes on only the items that match (all items are still read).")
    String filter;

    @Option(names = "--names", paramLabel = "JSON",
            description = "ExpressionAttributeNames of the expressions, e.g. '{\"#s\":\"status\"}'.")
    String names;

    @Option(names = "--values", paramLabel = "JSON",
            description = "ExpressionAttributeValues in DynamoDB JSON, e.g. '{\":new\":{\"S\":\"OPEN\"}}'.")
    String values;

    JobConfig.Builder builder(String source, String destination, int segments, int workers) {
        return JobConfig.builder().sourceTable(source).destinationTable(destination).totalSegments(segments)
                .parallelWorkers(workers).rateLimit(rate).pageSize(pageSize).processor(processor)
                .consistentRead(consistentRead).writeMode(WriteMode.parse(writeMode))
                .versionAttribute(versionAttribute).dryRun(dryRun).maxReadUnits(maxReadUnits)
                .maxWriteUnits(maxWriteUnits).checkpointIntervalSeconds(checkpointIntervalSeconds)
                .writesInFlight(writesInFlight).splitAfterPages(splitAfterPages).updateExpression(update).conditionExpression(condition)
                .filterExpression(filter).expressionAttributeNames(names).expressionAttributeValues(values);
    }
}
