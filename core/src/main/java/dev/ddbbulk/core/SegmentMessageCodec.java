package dev.ddbbulk.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Message body is not JSON: " + abbreviate(body), e);
        }
        if (node == null || !node.isObject() || !node.hasNonNull("runId") || !node.has("segment")
                || !node.has("totalSegments")) {
            throw new IllegalArgumentException("Message body is not a segment message (needs runId, segment,"
                    + " totalSegments): " + abbreviate(body));
        }
        JsonNode key = node.get("exclusiveStartKey");
        return new SegmentMessage(node.get("runId").asText(), node.get("segment").asInt(),
                node.get("totalSegments").asInt(),
                key == null || key.isNull() ? null : DynamoDbKeyCodec.fromJsonNode(key),
                node.path("continuation").asInt(0));
    }

    private static String abbreviate(String body) {
        return body == null ? "null" : body.length() <= 200 ? body : body.substring(0, 200) + "...";
    }
}
