package dev.ddbbulk.core.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Encodes a DynamoDB key (such as a scan's LastEvaluatedKey) as JSON and back, exactly: numbers stay the
 * strings DynamoDB sent (no float rounding), binary is base64. Only the key types S, N and B are allowed.
 * The wire form is DynamoDB's own: {@code {"pk":{"S":"a"},"sk":{"N":"1.50"}}}.
 */
public final class DynamoDbKeyCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DynamoDbKeyCodec() {
    }

    public static ObjectNode toJsonNode(Map<String, AttributeValue> key) {
        ObjectNode node = JSON.createObjectNode();
        for (Map.Entry<String, AttributeValue> e : key.entrySet()) {
            AttributeValue v = e.getValue();
            ObjectNode typed = node.putObject(e.getKey());
            if (v.s() != null) {
                typed.put("S", v.s());
            } else if (v.n() != null) {
                typed.put("N", v.n());
            } else if (v.b() != null) {
                typed.put("B", Base64.getEncoder().encodeToString(v.b().asByteArray()));
            } else {
                throw new IllegalArgumentException("Key attribute '" + e.getKey()
                        + "' is not of a key type (S, N or B): " + v);
            }
        }
        return node;
    }

    public static Map<String, AttributeValue> fromJsonNode(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("A key must be a JSON object, got " + node);
        }
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode typed = field.getValue();
            if (!typed.isObject() || typed.size() != 1) {
                throw new IllegalArgumentException("Key attribute '" + field.getKey()
                        + "' must be an object with exactly one of S, N, B; got " + typed);
            }
            Map.Entry<String, JsonNode> type = typed.fields().next();
            if (!type.getValue().isTextual()) {
                throw new IllegalArgumentException("Key attribute '" + field.getKey() + "' must hold a string value");
            }
            String text = type.getValue().textValue();
            AttributeValue value = switch (type.getKey()) {
                case "S" -> AttributeValue.fromS(text);
                case "N" -> AttributeValue.fromN(text);
                case "B" -> AttributeValue.fromB(SdkBytes.fromByteArray(Base64.getDecoder().decode(text)));
                default -> throw new IllegalArgumentException("Key attribute '" + field.getKey()
                        + "' has type " + type.getKey() + "; keys are S, N or B");
            };
            key.put(field.getKey(), value);
        }
        return key;
    }

    public static String toJson(Map<String, AttributeValue> key) {
        try {
            return JSON.writeValueAsString(toJsonNode(key));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode key " + key, e);
        }
    }

    public static Map<String, AttributeValue> fromJson(String json) {
        try {
            return fromJsonNode(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a JSON key: " + json, e);
        }
    }
}
