package dev.ddbbulk.seeder;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.SegmentCount;
import dev.ddbbulk.core.job.WriteMode;
import java.util.Map;

/**
 * Environment variable names the seeder and progress Lambdas read (set by template.yaml), in one place:
 * the stack's job parameters, which an execution's input may override, and where the ledger and queues are.
 */
public final class SeederEnv {
    public static final String SOURCE_TABLE = "SOURCE_TABLE";
    public static final String DESTINATION_TABLE = "DESTINATION_TABLE";
    public static final String CONSISTENT_READ = "CONSISTENT_READ";
    public static final String TOTAL_SEGMENTS = "TOTAL_SEGMENTS";
    public static final String PARALLEL_LAMBDA_FUNCTIONS = "PARALLEL_LAMBDA_FUNCTIONS";
    public static final String RATE_LIMITER = "RATE_LIMITER";
    public static final String PAGE_SIZE = "PAGE_SIZE";
    public static final String ITEM_PROCESSOR = "ITEM_PROCESSOR";
    public static final String WRITE_MODE = "WRITE_MODE";
    public static final String VERSION_ATTRIBUTE = "VERSION_ATTRIBUTE";
    public static final String MAX_READ_UNITS = "MAX_READ_UNITS";
    public static final String MAX_WRITE_UNITS = "MAX_WRITE_UNITS";
    public static final String CHECKPOINT_INTERVAL_SECONDS = "CHECKPOINT_INTERVAL_SECONDS";
    public static final String WRITES_IN_FLIGHT = "WRITES_IN_FLIGHT";
    public static final String SPLIT_AFTER_PAGES = "SPLIT_AFTER_PAGES";
    public static final String UPDATE_EXPRESSION = "UPDATE_EXPRESSION";
    public static final String CONDITION_EXPRESSION = "CONDITION_EXPRESSION";
    public static final String FILTER_EXPRESSION = "FILTER_EXPRESSION";
    public static final String EXPRESSION_ATTRIBUTE_NAMES = "EXPRESSION_ATTRIBUTE_NAMES";
    public static final String EXPRESSION_ATTRIBUTE_VALUES = "EXPRESSION_ATTRIBUTE_VALUES";
    public static final String LEDGER_TABLE = "LEDGER_TABLE";
    public static final String SEGMENT_QUEUE_URL = "SEGMENT_QUEUE_URL";
    public static final String SEND_CONCURRENCY = "SEND_CONCURRENCY";
    /** The worker's Lambda timeout less its safety margin: the time one invocation has for pages. */
    public static final String WORKER_TIME_BUDGET_SECONDS = "WORKER_TIME_BUDGET_SECONDS";

    private SeederEnv() {
    }

    public static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("Environment variable " + name + " is not set; the template sets it");
        }
        return value;
    }

    /**
     * The stack's job parameters as defaults that an execution's input may override. TotalSegments {@code auto}
     * leaves the default in place, for {@link dev.ddbbulk.core.job.AutoSegments} to replace.
     */
    public static JobConfig.Builder jobDefaults(Map<String, String> env) {
        JobConfig.Builder b = JobConfig.builder();
        if (has(env, SOURCE_TABLE)) b.sourceTable(env.get(SOURCE_TABLE));
        if (has(env, DESTINATION_TABLE)) b.destinationTable(env.get(DESTINATION_TABLE));
        if (has(env, CONSISTENT_READ)) b.consistentRead(Boolean.parseBoolean(env.get(CONSISTENT_READ)));
        if (has(env, TOTAL_SEGMENTS) && !autoSegments(env)) b.totalSegments(parseInt(env, TOTAL_SEGMENTS));
        if (has(env, PARALLEL_LAMBDA_FUNCTIONS)) b.parallelWorkers(parseInt(env, PARALLEL_LAMBDA_FUNCTIONS));
        if (has(env, RATE_LIMITER)) b.rateLimit(Double.parseDouble(env.get(RATE_LIMITER)));
        if (has(env, PAGE_SIZE)) b.pageSize(parseInt(env, PAGE_SIZE));
        if (has(env, ITEM_PROCESSOR)) b.processor(env.get(ITEM_PROCESSOR));
        if (has(env, WRITE_MODE)) b.writeMode(WriteMode.parse(env.get(WRITE_MODE)));
        if (has(env, MAX_READ_UNITS)) b.maxReadUnits(Double.parseDouble(env.get(MAX_READ_UNITS)));
        if (has(env, MAX_WRITE_UNITS)) b.maxWriteUnits(Double.parseDouble(env.get(MAX_WRITE_UNITS)));
        if (has(env, VERSION_ATTRIBUTE)) b.versionAttribute(env.get(VERSION_ATTRIBUTE));
        if (has(env, WRITES_IN_FLIGHT)) b.writesInFlight(parseInt(env, WRITES_IN_FLIGHT));
        if (has(env, SPLIT_AFTER_PAGES)) b.splitAfterPages(parseInt(env, SPLIT_AFTER_PAGES));
        if (has(env, CHECKPOINT_INTERVAL_SECONDS)) {
            b.checkpointIntervalSeconds(parseInt(env, CHECKPOINT_INTERVAL_SECONDS));
        }
        if (has(env, UPDATE_EXPRESSION)) b.updateExpression(env.get(UPDATE_EXPRESSION));
        if (has(env, CONDITION_EXPRESSION)) b.conditionExpression(env.get(CONDITION_EXPRESSION));
        if (has(env, FILTER_EXPRESSION)) b.filterExpression(env.get(FILTER_EXPRESSION));
        if (has(env, EXPRESSION_ATTRIBUTE_NAMES)) b.expressionAttributeNames(env.get(EXPRESSION_ATTRIBUTE_NAMES));
        if (has(env, EXPRESSION_ATTRIBUTE_VALUES)) b.expressionAttributeValues(env.get(EXPRESSION_ATTRIBUTE_VALUES));
        return b;
    }

    /** The stack's TotalSegments: a number, or auto; the job's default when the template does not set it. */
    public static SegmentCount totalSegments(Map<String, String> env) {
        if (autoSegments(env)) {
            return SegmentCount.AUTO;
        }
        return has(env, TOTAL_SEGMENTS) ? SegmentCount.of(parseInt(env, TOTAL_SEGMENTS))
                : SegmentCount.of(JobConfig.DEFAULT_SEGMENTS);
    }

    private static boolean autoSegments(Map<String, String> env) {
        return has(env, TOTAL_SEGMENTS) && env.get(TOTAL_SEGMENTS).trim().equalsIgnoreCase(SegmentCount.AUTO_TEXT);
    }

    private static boolean has(Map<String, String> env, String name) {
        return env.get(name) != null && !env.get(name).isBlank();
    }

    private static int parseInt(Map<String, String> env, String name) {
        try {
            return Integer.parseInt(env.get(name).trim());
        } catch (NumberFormatException e) {
            throw new InvalidJobException(name + " must be a whole number, got '" + env.get(name) + "'", e);
        }
    }
}
