package dev.ddbbulk.core.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** JSON form of a {@link SegmentMessage}, the body of every SQS message the seeder and worker send. */
public final class SegmentMessageCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SegmentMessageCodec() {
    }

    public static String toJson(SegmentMessage message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("runId", message.runId());
        node.put("segment", message.segment());
        node.put("totalSegments", message.totalSegments());
        if (message.exclusiveStartKey() != null) {
            node.set("exclusiveStartKey", DynamoDbKeyCodec.toJsonNode(message.exclusiveStartKey()));
        }
        node.put("continuation", message.continuation());
        if (message.resumedAt() != null) {
            node.put("resumedAt", message.resumedAt().toEpochMilli());
        }
        if (message.range() != null) {
            node.set("range", rangeNode(message.range()));
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode " + message, e);
        }
    }

    /** @throws IllegalArgumentException when the body is not a segment message */
    public static SegmentMessage fromJson(String body) {
        JsonNode node;
        try {
            node = body == null ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Message body is not JSON: " + abbreviate(body), e);
        }
        if (node == null || !node.isObject() || !node.hasNonNull("runId") || !node.has("segment")
                || !node.has("totalSegments")) {
            throw new IllegalArgumentException("Message body is not a segment message (needs runId, segment,"
                    + " totalSegments): " + abbreviate(body));
        }
        if (!node.get("runId").isTextual()) {
            throw new IllegalArgumentException("Message field runId must be a string: " + abbreviate(body));
        }
        JsonNode key = node.get("exclusiveStartKey");
        return new SegmentMessage(node.get("runId").textValue(), wholeNumber(node, "segment", body),
                wholeNumber(node, "totalSegments", body),
                key == null || key.isNull() ? null : DynamoDbKeyCodec.fromJsonNode(key),
                node.hasNonNull("continuation") ? wholeNumber(node, "continuation", body) : 0,
                node.hasNonNull("resumedAt") ? Instant.ofEpochMilli(epochMillis(node, "resumedAt", body)) : null,
                node.hasNonNull("range") ? range(node.get("range"), body) : null);
    }

    /** A range as JSON, also the form the ledger keeps it in so that a resume can send its message again. */
    public static ObjectNode rangeNode(SortKeyRange range) {
        ObjectNode node = JSON.createObjectNode();
        node.put("index", range.index());
        node.put("partitionKey", range.partitionKeyName());
        node.set("from", DynamoDbKeyCodec.toJsonNode(range.from()));
        node.set("to", DynamoDbKeyCodec.toJsonNode(range.to()));
        return node;
    }

    public static String rangeToJson(SortKeyRange range) {
        return rangeNode(range).toString();
    }

    public static SortKeyRange rangeFromJson(String json) {
        try {
            return range(JSON.readTree(json), json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("A range is not JSON: " + abbreviate(json), e);
        }
    }

    private static SortKeyRange range(JsonNode node, String body) {
        if (!node.isObject() || !node.hasNonNull("partitionKey") || !node.hasNonNull("from") || !node.hasNonNull("to")) {
            throw new IllegalArgumentException("Message field range needs index, partitionKey, from and to: "
                    + abbreviate(body));
        }
        return new SortKeyRange(wholeNumber(node, "index", body), node.get("partitionKey").asText(),
                DynamoDbKeyCodec.fromJsonNode(node.get("from")), DynamoDbKeyCodec.fromJsonNode(node.get("to")));
    }

    private static long epochMillis(JsonNode node, String field, String body) {
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw new IllegalArgumentException("Message field " + field + " must be epoch milliseconds, got " + value
                    + ": " + abbreviate(body));
        }
        return value.longValue();
    }

    // asInt() would read "abc", true or null as 0 and so turn a corrupt message into work on segment 0.
    private static int wholeNumber(JsonNode node, String field, String body) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalArgumentException("Message field " + field + " must be a whole number, got " + value
                    + ": " + abbreviate(body));
        }
        return value.intValue();
    }

    private static String abbreviate(String body) {
        return body == null ? "null" : body.length() <= 200 ? body : body.substring(0, 200) + "...";
    }
}
