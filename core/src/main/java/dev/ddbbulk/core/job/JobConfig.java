package dev.ddbbulk.core.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One bulk job, validated once on construction. Every limit mirrors a parameter of template.yaml, so a
 * job that passes here is one the deployed stack would accept too.
 *
 * @param sourceTable      the table to scan
 * @param destinationTable where results are written; may equal the source (in-place update)
 * @param consistentRead   strongly consistent scan pages
 * @param totalSegments    parallel-scan segments, 1..1,000,000
 * @param parallelWorkers  concurrent workers (ParallelLambdaFunctions), 1..10,000
 * @param rateLimit        items per second per worker, or -1 for unlimited
 * @param pageSize         items per scan page (the scan's Limit), 1..10,000
 * @param processor        built-in processor name or a fully qualified class name
 * @param writeMode        batch or conditional writes of a processor's results (an expression job's are updates)
 * @param versionAttribute in conditional mode, an attribute that must not have changed since the read; may be null
 * @param dryRun           scan and process, count what would be written, write nothing
 * @param maxReadUnits     read capacity units/s for the whole fleet (split evenly over the workers), or -1
 * @param maxWriteUnits    write capacity units/s for the whole fleet (split evenly over the workers), or -1
 * @param checkpointIntervalSeconds how often a worker records its position in a segment, 0..900 s; 0 = after
 *                         every page. A worker that dies writes again what it did since its last checkpoint.
 * @param writesInFlight   a worker's DynamoDB writes in flight at once (conditional writes, updates, or a page's
 *                         BatchWriteItem calls), 1..256: on AWS a call takes 3-10 ms, and only calls in flight
 *                         hide that
 * @param expressions      an expression job's update, condition and filter (the filter also for a processor job);
 *                         {@link JobExpressions#NONE} for a processor job without a filter
 * @param splitAfterPages  scan pages in a row from one partition key after which a worker splits the rest of that
 *                         item collection into sort-key ranges for the fleet, 0..10,000; 0 = never split
 */
public record JobConfig(String sourceTable, String destinationTable, boolean consistentRead,
                        int totalSegments, int parallelWorkers, double rateLimit, int pageSize,
                        String processor, WriteMode writeMode, String versionAttribute, boolean dryRun,
                        double maxReadUnits, double maxWriteUnits, int checkpointIntervalSeconds,
                        int writesInFlight, JobExpressions expressions, int splitAfterPages) {

    public static final int MAX_SEGMENTS = 1_000_000;
    public static final int DEFAULT_SEGMENTS = 1000;
    public static final int DEFAULT_WORKERS = 10;
    public static final int MAX_WORKERS = 10_000;
    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int MAX_PAGE_SIZE = 10_000;
    public static final double UNLIMITED = -1;
    public static final String DEFAULT_PROCESSOR = "copy";
    public static final int DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 10;
    public static final int MAX_CHECKPOINT_INTERVAL_SECONDS = 900;
    /**
     * 16 writes in flight keep one worker at about 1,600-3,200 writes/s at 5-10 ms a call: more than one
     * partition's 1,000 write units, while the default 10 workers stay under a table's default 40,000.
     */
    public static final int DEFAULT_WRITES_IN_FLIGHT = 16;
    public static final int MAX_WRITES_IN_FLIGHT = 256;
    /**
     * Ten pages in a row from one key (1,000 items at the default page size) mark a collection that would hold
     * one worker long enough to be worth a split's Query, transaction and messages.
     */
    public static final int DEFAULT_SPLIT_AFTER_PAGES = 10;
    public static final int MAX_SPLIT_AFTER_PAGES = 10_000;

    public JobConfig {
        requireTableName("SourceTable", "--source", sourceTable);
        if (destinationTable == null || destinationTable.isBlank()) {
            destinationTable = sourceTable;
        }
        requireTableName("DestinationTable", "--destination", destinationTable);
        if (totalSegments < 1 || totalSegments > MAX_SEGMENTS) {
            throw new InvalidJobException("TotalSegments must be between 1 and " + MAX_SEGMENTS + ", got "
                    + totalSegments + "; set --segments / TotalSegments within that range");
        }
        if (parallelWorkers < 1 || parallelWorkers > MAX_WORKERS) {
            throw new InvalidJobException("ParallelLambdaFunctions must be between 1 and " + MAX_WORKERS
                    + ", got " + parallelWorkers + "; set --workers / ParallelLambdaFunctions to at least 1");
        }
        if (!(rateLimit == UNLIMITED || (rateLimit > 0 && Double.isFinite(rateLimit)))) {
            throw new InvalidJobException("RateLimiter must be a positive number of items/s per worker or -1 for"
                    + " unlimited, got " + formatRate(rateLimit) + "; set --rate / RateLimiter to -1 or above 0");
        }
        requireBudget("MaxReadUnits", "--max-read-units", maxReadUnits);
        requireBudget("MaxWriteUnits", "--max-write-units", maxWriteUnits);
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new InvalidJobException("PageSize must be between 1 and " + MAX_PAGE_SIZE + ", got " + pageSize
                    + "; set --page-size / PageSize within that range");
        }
        if (checkpointIntervalSeconds < 0 || checkpointIntervalSeconds > MAX_CHECKPOINT_INTERVAL_SECONDS) {
            throw new InvalidJobException("CheckpointIntervalSeconds must be between 0 (after every page) and "
                    + MAX_CHECKPOINT_INTERVAL_SECONDS + ", got " + checkpointIntervalSeconds
                    + "; set --checkpoint-interval-seconds / CheckpointIntervalSeconds within that range");
        }
        if (writesInFlight < 1 || writesInFlight > MAX_WRITES_IN_FLIGHT) {
            throw new InvalidJobException("WritesInFlight must be between 1 and " + MAX_WRITES_IN_FLIGHT + ", got "
                    + writesInFlight + "; set --writes-in-flight / WritesInFlight within that range");
        }
        if (splitAfterPages < 0 || splitAfterPages > MAX_SPLIT_AFTER_PAGES) {
            throw new InvalidJobException("SplitAfterPages must be between 0 (never split) and " + MAX_SPLIT_AFTER_PAGES
                    + ", got " + splitAfterPages + "; set --split-after-pages / SplitAfterPages within that range");
        }
        if (processor == null || processor.isBlank()) {
            processor = DEFAULT_PROCESSOR;
        }
        writeMode = Objects.requireNonNullElse(writeMode, WriteMode.BATCH);
        if (versionAttribute != null && versionAttribute.isBlank()) {
            versionAttribute = null;
        }
        expressions = Objects.requireNonNullElse(expressions, JobExpressions.NONE);
        if (expressions.updatesItems() && !processor.equals(DEFAULT_PROCESSOR)) {
            throw new InvalidJobException("ItemProcessor '" + processor + "' and UpdateExpression both say how to"
                    + " change items; give one: drop --processor / ItemProcessor or --update / UpdateExpression");
        }
        if (expressions.updatesItems() && versionAttribute != null) {
            throw new InvalidJobException("VersionAttribute '" + versionAttribute + "' does not apply to an"
                    + " UpdateExpression, which DynamoDB applies to the item as it is when written; put what must"
                    + " still hold into --condition / ConditionExpression and drop --version-attribute");
        }
        if (versionAttribute != null && writeMode != WriteMode.CONDITIONAL) {
            throw new InvalidJobException("VersionAttribute '" + versionAttribute
                    + "' only applies to conditional writes; add --write-mode conditional or drop --version-attribute");
        }
    }

    /**
     * The parameters that define the work, by their template names, in which {@code other} differs from this
     * job: tables, segments, processor, write mode, version attribute, expressions, consistent read and dry run. The rest
     * (fleet size, rate, budgets, page size, checkpoint interval, writes in flight, splitting) say how fast the work is
     * done and may change between attempts at one run.
     */
    public List<String> workDifferences(JobConfig other) {
        List<String> differ = new ArrayList<>();
        if (!sourceTable.equals(other.sourceTable)) differ.add("SourceTable");
        if (!destinationTable.equals(other.destinationTable)) differ.add("DestinationTable");
        if (totalSegments != other.totalSegments) differ.add("TotalSegments");
        if (!processor.equals(other.processor)) differ.add("ItemProcessor");
        if (writeMode != other.writeMode) differ.add("WriteMode");
        if (!Objects.equals(versionAttribute, other.versionAttribute)) differ.add("VersionAttribute");
        if (consistentRead != other.consistentRead) differ.add("ConsistentRead");
        if (dryRun != other.dryRun) differ.add("DryRun");
        JobExpressions mine = expressions;
        JobExpressions theirs = other.expressions;
        if (!Objects.equals(mine.updateExpression(), theirs.updateExpression())) differ.add("UpdateExpression");
        if (!Objects.equals(mine.conditionExpression(), theirs.conditionExpression())) differ.add("ConditionExpression");
        if (!Objects.equals(mine.filterExpression(), theirs.filterExpression())) differ.add("FilterExpression");
        if (!mine.attributeNames().equals(theirs.attributeNames())) differ.add("ExpressionAttributeNames");
        if (!mine.attributeValues().equals(theirs.attributeValues())) differ.add("ExpressionAttributeValues");
        return differ;
    }

    /**
     * Refuses a job whose rate limit or write budget alone makes one page take longer than a worker's
     * {@code timeBudget}: its workers would hand every segment on without ever finishing a page.
     */
    public void requireOnePageFits(Duration timeBudget) {
        double pageSeconds = 0;
        String cause = null;
        if (rateLimit != UNLIMITED && pageSize / rateLimit > pageSeconds) {
            pageSeconds = pageSize / rateLimit;
            cause = "RateLimiter " + formatRate(rateLimit) + " with PageSize " + pageSize;
        }
        // Every write takes at least one write unit.
        if (maxWriteUnits != UNLIMITED && pageSize / writeUnitsPerWorker() > pageSeconds) {
            pageSeconds = pageSize / writeUnitsPerWorker();
            cause = "MaxWriteUnits " + formatRate(maxWriteUnits) + " over " + parallelWorkers
                    + " workers with PageSize " + pageSize;
        }
        if (cause != null && pageSeconds > timeBudget.toSeconds()) {
            throw new InvalidJobException(cause + " needs at least " + Math.round(Math.ceil(pageSeconds))
                    + " s a page, more than a worker's time budget of " + timeBudget.toSeconds()
                    + " s; raise the rate or the budget, or lower --page-size / PageSize");
        }
    }

    public boolean inPlace() {
        return sourceTable.equals(destinationTable);
    }

    public boolean unlimitedRate() {
        return rateLimit == UNLIMITED;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().sourceTable(sourceTable).destinationTable(destinationTable)
                .consistentRead(consistentRead).totalSegments(totalSegments).parallelWorkers(parallelWorkers)
                .rateLimit(rateLimit).pageSize(pageSize).processor(processor).writeMode(writeMode)
                .versionAttribute(versionAttribute).dryRun(dryRun).maxReadUnits(maxReadUnits)
                .maxWriteUnits(maxWriteUnits).checkpointIntervalSeconds(checkpointIntervalSeconds)
                .writesInFlight(writesInFlight).expressions(expressions).splitAfterPages(splitAfterPages);
    }

    /**
     * How many sort-key ranges a split makes: two per worker, so the fleet shares a collection and a fast worker
     * takes more of it than a slow one, within what one transaction records.
     */
    public int splitRanges() {
        return Math.max(2, Math.min(98, 2 * parallelWorkers));
    }

    /** Whether items get {@code UpdateExpression} rather than a processor's result. */
    public boolean updatesWithExpression() {
        return expressions.updatesItems();
    }

    /** How often a worker records its position in a segment; zero means after every page. */
    public Duration checkpointInterval() {
        return Duration.ofSeconds(checkpointIntervalSeconds);
    }

    private static void requireTableName(String parameter, String option, String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidJobException(parameter + " is required; set " + option + " / " + parameter);
        }
        if (name.length() < 3 || name.length() > 255 || !name.matches("[a-zA-Z0-9_.-]+")) {
            throw new InvalidJobException(parameter + " '" + name + "' is not a valid DynamoDB table name"
                    + " (3-255 characters of a-z, A-Z, 0-9, '_', '-', '.'); fix " + option);
        }
    }

    private static void requireBudget(String parameter, String option, double units) {
        if (!(units == UNLIMITED || (units > 0 && Double.isFinite(units)))) {
            throw new InvalidJobException(parameter + " must be a positive number of capacity units/s for the"
                    + " fleet or -1 for unlimited, got " + formatRate(units) + "; set " + option + " / " + parameter
                    + " to -1 or above 0");
        }
    }

    /** This worker's share of the read budget, or -1. */
    public double readUnitsPerWorker() {
        return maxReadUnits == UNLIMITED ? UNLIMITED : maxReadUnits / parallelWorkers;
    }

    /** This worker's share of the write budget, or -1. */
    public double writeUnitsPerWorker() {
        return maxWriteUnits == UNLIMITED ? UNLIMITED : maxWriteUnits / parallelWorkers;
    }

    private static String formatRate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    /** Builder with the template's defaults. */
    public static final class Builder {
        private String sourceTable;
        private String destinationTable;
        private boolean consistentRead = true;
        private int totalSegments = DEFAULT_SEGMENTS;
        private int parallelWorkers = DEFAULT_WORKERS;
        private double rateLimit = UNLIMITED;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private String processor = DEFAULT_PROCESSOR;
        private WriteMode writeMode = WriteMode.BATCH;
        private String versionAttribute;
        private boolean dryRun;
        private double maxReadUnits = UNLIMITED;
        private double maxWriteUnits = UNLIMITED;
        private int checkpointIntervalSeconds = DEFAULT_CHECKPOINT_INTERVAL_SECONDS;
        private int writesInFlight = DEFAULT_WRITES_IN_FLIGHT;
        private int splitAfterPages = DEFAULT_SPLIT_AFTER_PAGES;
        private String updateExpression;
        private String conditionExpression;
        private String filterExpression;
        private String attributeNamesJson;
        private String attributeValuesJson;

        private Builder() {
        }

        public Builder sourceTable(String v) { this.sourceTable = v; return this; }
        public Builder destinationTable(String v) { this.destinationTable = v; return this; }
        public Builder consistentRead(boolean v) { this.consistentRead = v; return this; }
        public Builder totalSegments(int v) { this.totalSegments = v; return this; }
        public Builder parallelWorkers(int v) { this.parallelWorkers = v; return this; }
        public Builder rateLimit(double v) { this.rateLimit = v; return this; }
        public Builder pageSize(int v) { this.pageSize = v; return this; }
        public Builder processor(String v) { this.processor = v; return this; }
        public Builder writeMode(WriteMode v) { this.writeMode = v; return this; }
        public Builder versionAttribute(String v) { this.versionAttribute = v; return this; }
        public Builder dryRun(boolean v) { this.dryRun = v; return this; }
        public Builder maxReadUnits(double v) { this.maxReadUnits = v; return this; }
        public Builder maxWriteUnits(double v) { this.maxWriteUnits = v; return this; }
        public Builder checkpointIntervalSeconds(int v) { this.checkpointIntervalSeconds = v; return this; }
        public Builder writesInFlight(int v) { this.writesInFlight = v; return this; }
        public Builder splitAfterPages(int v) { this.splitAfterPages = v; return this; }
        public Builder updateExpression(String v) { this.updateExpression = v; return this; }
        public Builder conditionExpression(String v) { this.conditionExpression = v; return this; }
        public Builder filterExpression(String v) { this.filterExpression = v; return this; }
        /** A JSON object of placeholders and names, e.g. {@code {"#s":"status"}}. */
        public Builder expressionAttributeNames(String json) { this.attributeNamesJson = json; return this; }
        /** A JSON object of placeholders and DynamoDB typed values, e.g. {@code {":v":{"S":"x"}}}. */
        public Builder expressionAttributeValues(String json) { this.attributeValuesJson = json; return this; }

        public Builder expressions(JobExpressions v) {
            return updateExpression(v.updateExpression()).conditionExpression(v.conditionExpression())
                    .filterExpression(v.filterExpression()).expressionAttributeNames(v.attributeNamesJson())
                    .expressionAttributeValues(v.attributeValuesJson());
        }

        public JobConfig build() {
            return new JobConfig(sourceTable, destinationTable, consistentRead, totalSegments, parallelWorkers,
                    rateLimit, pageSize, processor, writeMode, versionAttribute, dryRun, maxReadUnits, maxWriteUnits,
                    checkpointIntervalSeconds, writesInFlight, JobExpressions.parse(updateExpression,
                            conditionExpression, filterExpression, attributeNamesJson, attributeValuesJson),
                    splitAfterPages);
        }
    }
}
