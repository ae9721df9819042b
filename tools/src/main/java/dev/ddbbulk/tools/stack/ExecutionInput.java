package dev.ddbbulk.tools.stack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.JobConfigCodec;
import dev.ddbbulk.core.job.SegmentCount;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The input of a state machine execution: job parameters named like the template's, which override the
 * stack's own for this run. Unknown names are refused here, because the seeder would silently ignore a
 * misspelt one and run the job with the stack's default.
 */
public final class ExecutionInput {
    static final List<String> PARAMETERS = List.of("SourceTable", "DestinationTable", "ConsistentRead",
            "TotalSegments", "ParallelLambdaFunctions", "RateLimiter", "PageSize", "ItemProcessor", "WriteMode",
            "VersionAttribute", "DryRun", "MaxReadUnits", "MaxWriteUnits", "CheckpointIntervalSeconds",
            "WritesInFlight", "UpdateExpression", "ConditionExpression", "FilterExpression", "ExpressionAttributeNames",
            "ExpressionAttributeValues", "SplitAfterPages");
    static final String TOTAL_SEGMENTS = "TotalSegments";
    /** The input field that makes an execution follow an existing run instead of starting one of its own name. */
    public static final String RUN_ID = "RunId";
    private static final Set<String> WHOLE_NUMBERS = Set.of("TotalSegments", "ParallelLambdaFunctions", "PageSize",
            "CheckpointIntervalSeconds", "WritesInFlight", "SplitAfterPages");
    private static final Set<String> NUMBERS = Set.of("RateLimiter", "MaxReadUnits", "MaxWriteUnits");
    private static final Set<String> BOOLEANS = Set.of("ConsistentRead", "DryRun");
    /** What Step Functions refuses in an execution name, besides whitespace and control characters. */
    private static final String FORBIDDEN_IN_NAME = "<>{}[]?*\"#%\\^|~`$&,;:/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExecutionInput() {
    }

    /** {@code --input} (a JSON object, may be null) with each {@code --set KEY=VALUE} applied over it. */
    public static ObjectNode parse(String inputJson, List<String> sets) {
        ObjectNode input = JSON.createObjectNode();
        if (inputJson != null && !inputJson.isBlank()) {
            JsonNode node;
            try {
                node = JSON.readTree(inputJson);
            } catch (JsonProcessingException e) {
                throw new InvalidJobException("--input is not valid JSON (" + e.getOriginalMessage()
                        + "); give an object like {\"TotalSegments\":200}", e);
            }
            if (node == null || !node.isObject()) {
                throw new InvalidJobException("--input must be a JSON object like {\"TotalSegments\":200}, got "
                        + inputJson);
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                input.set(known(field.getKey(), "--input"), field.getValue());
            }
        }
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new InvalidJobException("--set '" + set + "' is not KEY=VALUE; write it like --set TotalSegments=200");
            }
            String key = known(set.substring(0, eq).trim(), "--set");
            String value = set.substring(eq + 1).trim();
            if (key.equals(TOTAL_SEGMENTS)) {
                SegmentCount segments = segments(value);
                if (segments.auto()) {
                    input.put(key, SegmentCount.AUTO_TEXT);
                } else {
                    input.put(key, segments.number());
                }
            } else if (WHOLE_NUMBERS.contains(key)) {
                input.put(key, wholeNumber(key, value));
            } else if (NUMBERS.contains(key)) {
                double n = number(key, value);
                if (n == Math.rint(n) && Math.abs(n) < 1e15) {
                    input.put(key, (long) n);
                } else {
                    input.put(key, n);
                }
            } else if (BOOLEANS.contains(key)) {
                input.put(key, bool(key, value));
            } else {
                input.put(key, value);
            }
        }
        return input;
    }

    /**
     * Checks the job this input makes of the stack's parameters with the same rules the seeder applies, so a
     * bad value fails here, before an execution starts. Skipped when the source table is not known here.
     */
    public static void validate(ObjectNode input, Map<String, String> stackParameters) {
        job(input, stackParameters);
    }

    /**
     * The job this input makes of the stack's parameters, as the seeder will build it; empty when the source table
     * is not known here. With TotalSegments {@code auto} (see {@link #totalSegments}) its TotalSegments is the
     * default, which the seeder replaces.
     */
    public static Optional<JobConfig> job(ObjectNode input, Map<String, String> stackParameters) {
        ObjectNode job = merged(input, stackParameters);
        if (!job.hasNonNull("SourceTable")) {
            return Optional.empty();
        }
        if (totalSegments(input, stackParameters).auto()) {
            job.remove(TOTAL_SEGMENTS);
        }
        return Optional.of(JobConfigCodec.fromJsonNode(job, JobConfig.builder()));
    }

    /** TotalSegments as this input, or else the stack, gives it: a number, or {@code auto} for the seeder to pick. */
    public static SegmentCount totalSegments(ObjectNode input, Map<String, String> stackParameters) {
        JsonNode given = merged(input, stackParameters).get(TOTAL_SEGMENTS);
        if (given == null || given.isNull()) {
            return SegmentCount.of(JobConfig.DEFAULT_SEGMENTS);
        }
        return given.canConvertToExactIntegral() && given.canConvertToInt() ? SegmentCount.of(given.intValue())
                : SegmentCount.parse(given.asText());
    }

    /**
     * {@code input} with TotalSegments {@code auto} when it gives none: the CLI's default, over the stack's (whose
     * own default is a fixed number for executions started elsewhere).
     */
    public static ObjectNode withAutoSegmentsByDefault(ObjectNode input) {
        ObjectNode copy = input.deepCopy();
        if (!copy.hasNonNull(TOTAL_SEGMENTS)) {
            copy.put(TOTAL_SEGMENTS, SegmentCount.AUTO_TEXT);
        }
        return copy;
    }

    private static ObjectNode merged(ObjectNode input, Map<String, String> stackParameters) {
        ObjectNode job = JSON.createObjectNode();
        for (String name : PARAMETERS) {
            String value = stackParameters.get(name);
            if (value != null && !value.isBlank()) {
                job.put(name, value);
            }
        }
        job.setAll(input);
        return job;
    }

    /**
     * The input that re-attaches an execution to an existing run: the run's own job, exactly as the ledger
     * holds it (the seeder refuses a run id with another job), plus {@code RunId}.
     */
    public static ObjectNode resume(String runId, JobConfig job) {
        ObjectNode input;
        try {
            input = (ObjectNode) JSON.readTree(JobConfigCodec.toJson(job));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot read back the job of run " + runId, e);
        }
        input.put(RUN_ID, runId);
        return input;
    }

    /** A new execution name for following {@code runId} again: the run id and a random suffix, within 80 characters. */
    public static String resumeExecutionName(String runId, java.util.Random random) {
        String base = runId.length() > 63 ? runId.substring(0, 63) : runId;
        return base + "-resume-" + String.format("%08x", random.nextInt());
    }

    /** @return {@code runId} when Step Functions accepts it as an execution name */
    public static String requireValidRunId(String runId) {
        boolean valid = !runId.isEmpty() && runId.length() <= 80
                && runId.chars().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c)
                        || FORBIDDEN_IN_NAME.indexOf(c) >= 0 || c > 127);
        if (!valid) {
            throw new InvalidJobException("--run-id '" + runId + "' cannot name a Step Functions execution; use 1-80"
                    + " ASCII letters, digits, '-', '_' or '.' (no spaces, brackets or " + FORBIDDEN_IN_NAME + ")");
        }
        return runId;
    }

    public static String toJson(ObjectNode input) {
        try {
            return JSON.writeValueAsString(input);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode " + input, e);
        }
    }

    private static String known(String key, String option) {
        if (key.equals(RUN_ID)) {
            throw new InvalidJobException(option + " cannot set RunId: name a new run with --run-id, or follow an"
                    + " existing one with --resume RUN_ID");
        }
        if (!PARAMETERS.contains(key)) {
            throw new InvalidJobException(option + " has unknown parameter '" + key + "'; use one of "
                    + String.join(", ", PARAMETERS));
        }
        return key;
    }

    private static SegmentCount segments(String value) {
        try {
            return SegmentCount.parse(value);
        } catch (InvalidJobException e) {
            throw new InvalidJobException("--set TotalSegments must be auto or a whole number from 1 to "
                    + JobConfig.MAX_SEGMENTS + ", got '" + value + "'", e);
        }
    }

    private static int wholeNumber(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidJobException("--set " + key + " must be a whole number, got '" + value + "'", e);
        }
    }

    private static double number(String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new InvalidJobException("--set " + key + " must be a number, got '" + value + "'", e);
        }
    }

    private static boolean bool(String key, String value) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new InvalidJobException("--set " + key + " must be true or false, got '" + value + "'");
    }
}
