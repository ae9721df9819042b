package dev.ddbbulk.core.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.core.rate.RateLimiter;

/**
 * JSON form of a {@link JobConfig} with the template's parameter names, as stored on the ledger's run
 * record and as accepted in a state machine execution's input. Absent fields take the defaults.
 */
public final class JobConfigCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobConfigCodec() {
    }

    public static String toJson(JobConfig job) {
        ObjectNode node = JSON.createObjectNode();
        node.put("SourceTable", job.sourceTable());
        node.put("DestinationTable", job.destinationTable());
        node.put("ConsistentRead", job.consistentRead());
        node.put("TotalSegments", job.totalSegments());
        node.put("ParallelLambdaFunctions", job.parallelWorkers());
        node.put("RateLimiter", job.rateLimit());
        node.put("PageSize", job.pageSize());
        node.put("ItemProcessor", job.processor());
        node.put("WriteMode", job.writeMode().name().toLowerCase(java.util.Locale.ROOT));
        if (job.versionAttribute() != null) {
            node.put("VersionAttribute", job.versionAttribute());
        }
        node.put("DryRun", job.dryRun());
        node.put("MaxReadUnits", job.maxReadUnits());
        node.put("MaxWriteUnits", job.maxWriteUnits());
        node.put("CheckpointIntervalSeconds", job.checkpointIntervalSeconds());
        node.put("WritesInFlight", job.writesInFlight());
        node.put("SplitAfterPages", job.splitAfterPages());
        JobExpressions expressions = job.expressions();
        putIfPresent(node, "UpdateExpression", expressions.updateExpression());
        putIfPresent(node, "ConditionExpression", expressions.conditionExpression());
        putIfPresent(node, "FilterExpression", expressions.filterExpression());
        putIfPresent(node, "ExpressionAttributeNames", expressions.attributeNamesJson());
        putIfPresent(node, "ExpressionAttributeValues", expressions.attributeValuesJson());
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode " + job, e);
        }
    }

    public static JobConfig fromJson(String json) {
        try {
            return fromJsonNode(JSON.readTree(json), JobConfig.builder());
        } catch (JsonProcessingException e) {
            throw new InvalidJobException("Job is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads the fields present in {@code node} over {@code defaults}: how an execution's input overrides
     * the stack's parameters.
     */
    public static JobConfig fromJsonNode(JsonNode node, JobConfig.Builder defaults) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return defaults.build();
        }
        if (!node.isObject()) {
            throw new InvalidJobException("Job must be a JSON object of parameters, got " + node);
        }
        JobConfig.Builder b = defaults;
        if (node.has("SourceTable")) b.sourceTable(text(node, "SourceTable"));
        if (node.has("DestinationTable")) b.destinationTable(text(node, "DestinationTable"));
        if (node.has("ConsistentRead")) b.consistentRead(bool(node, "ConsistentRead"));
        if (node.has("TotalSegments")) b.totalSegments(integer(node, "TotalSegments"));
        if (node.has("ParallelLambdaFunctions")) b.parallelWorkers(integer(node, "ParallelLambdaFunctions"));
        if (node.has("RateLimiter")) b.rateLimit(number(node, "RateLimiter"));
        if (node.has("PageSize")) b.pageSize(integer(node, "PageSize"));
        if (node.has("ItemProcessor")) b.processor(text(node, "ItemProcessor"));
        if (node.has("WriteMode")) b.writeMode(WriteMode.parse(text(node, "WriteMode")));
        if (node.has("VersionAttribute")) b.versionAttribute(text(node, "VersionAttribute"));
        if (node.has("DryRun")) b.dryRun(bool(node, "DryRun"));
        if (node.has("MaxReadUnits")) b.maxReadUnits(number(node, "MaxReadUnits"));
        if (node.has("MaxWriteUnits")) b.maxWriteUnits(number(node, "MaxWriteUnits"));
        if (node.has("WritesInFlight")) b.writesInFlight(integer(node, "WritesInFlight"));
        if (node.has("SplitAfterPages")) b.splitAfterPages(integer(node, "SplitAfterPages"));
        if (node.has("CheckpointIntervalSeconds")) {
            b.checkpointIntervalSeconds(integer(node, "CheckpointIntervalSeconds"));
        }
        if (node.has("UpdateExpression")) b.updateExpression(text(node, "UpdateExpression"));
        if (node.has("ConditionExpression")) b.conditionExpression(text(node, "ConditionExpression"));
        if (node.has("FilterExpression")) b.filterExpression(text(node, "FilterExpression"));
        if (node.has("ExpressionAttributeNames")) b.expressionAttributeNames(jsonText(node, "ExpressionAttributeNames"));
        if (node.has("ExpressionAttributeValues")) {
            b.expressionAttributeValues(jsonText(node, "ExpressionAttributeValues"));
        }
        return b.build();
    }

    /** Stored as the JSON text the parameter takes, so the run record and an execution's input read the same. */
    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    /**
     * A parameter that holds a JSON object: as text (the template's and {@code --set}'s form) or, in an
     * execution's input, as the object itself.
     */
    private static String jsonText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v.isNull() ? null : v.isObject() ? v.toString() : v.asText();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v.isNull() ? null : v.asText();
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v.isBoolean()) return v.booleanValue();
        String t = v.asText().trim();
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) return Boolean.parseBoolean(t);
        throw new InvalidJobException(field + " must be true or false, got " + v);
    }

    private static int integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v.canConvertToExactIntegral() && v.canConvertToInt()) return v.intValue();
        try {
            return Integer.parseInt(v.asText().trim());
        } catch (NumberFormatException e) {
            throw new InvalidJobException(field + " must be a whole number, got " + v, e);
        }
    }

    private static double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v.isNumber()) return v.doubleValue();
        try {
            return Double.parseDouble(v.asText().trim());
        } catch (NumberFormatException e) {
            throw new InvalidJobException(field + " must be a number, got " + v, e);
        }
    }
}
