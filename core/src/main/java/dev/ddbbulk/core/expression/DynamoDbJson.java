package dev.ddbbulk.core.expression;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB's typed JSON, as the AWS CLI and console show items ({@code {"S":"x"}}, {@code {"N":"1.5"}},
 * {@code {"M":{...}}}), to and from {@link AttributeValue}s. Our own mapping on Jackson, because SDK v2 has no
 * public parser for it (aws-sdk-java-v2 issues #1975 and #2628; only its internal protocol unmarshaller reads
 * it). Numbers stay the strings given, binary is base64.
 */
public final class DynamoDbJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DynamoDbJson() {
    }

    /** A JSON object of typed values, e.g. {@code {":v":{"S":"x"}}}, keys in the order given. */
    public static Map<String, AttributeValue> values(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("must be a JSON object like {\":v\":{\"S\":\"x\"}}, got " + node);
        }
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            values.put(field.getKey(), value(field.getKey(), field.getValue()));
        }
        return values;
    }

    public static ObjectNode toJson(Map<String, AttributeValue> values) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        values.forEach((name, value) -> node.set(name, toJson(value)));
        return node;
    }

    public static String toJsonString(Map<String, AttributeValue> values) {
        return toJson(values).toString();
    }

    public static JsonNode readTree(String json) throws com.fasterxml.jackson.core.JsonProcessingException {
        return JSON.readTree(json);
    }

    private static AttributeValue value(String where, JsonNode typed) {
        if (typed == null || !typed.isObject() || typed.size() != 1) {
            throw new IllegalArgumentException(where + " must be one typed value like {\"S\":\"x\"} or {\"N\":\"1\"},"
                    + " got " + typed);
        }
        Map.Entry<String, JsonNode> entry = typed.properties().iterator().next();
        String type = entry.getKey();
        JsonNode v = entry.getValue();
        return switch (type) {
            case "S" -> AttributeValue.fromS(text(where, type, v));
            case "N" -> AttributeValue.fromN(number(where, text(where, type, v)));
            case "B" -> AttributeValue.fromB(binary(where, text(where, type, v)));
            case "BOOL" -> {
                if (!v.isBoolean()) {
                    throw new IllegalArgumentException(where + " BOOL must be true or false, got " + v);
                }
                yield AttributeValue.fromBool(v.booleanValue());
            }
            case "NULL" -> {
                if (!v.isBoolean() || !v.booleanValue()) {
                    throw new IllegalArgumentException(where + " NULL must be true, got " + v);
                }
                yield AttributeValue.fromNul(true);
            }
            case "SS" -> AttributeValue.fromSs(strings(where, type, v));
            case "NS" -> AttributeValue.fromNs(strings(where, type, v).stream().map(n -> number(where, n)).toList());
            case "BS" -> AttributeValue.fromBs(strings(where, type, v).stream().map(b -> binary(where, b)).toList());
            case "L" -> {
                if (!v.isArray()) {
                    throw new IllegalArgumentException(where + " L must be a JSON array of typed values, got " + v);
                }
                List<AttributeValue> list = new ArrayList<>(v.size());
                for (int i = 0; i < v.size(); i++) {
                    list.add(value(where + "[" + i + "]", v.get(i)));
                }
                yield AttributeValue.fromL(list);
            }
            case "M" -> {
                if (!v.isObject()) {
                    throw new IllegalArgumentException(where + " M must be a JSON object of typed values, got " + v);
                }
                Map<String, AttributeValue> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> field : v.properties()) {
                    map.put(field.getKey(), value(where + "." + field.getKey(), field.getValue()));
                }
                yield AttributeValue.fromM(map);
            }
            default -> throw new IllegalArgumentException(where + " has unknown type '" + type
                    + "'; use S, N, B, BOOL, NULL, SS, NS, BS, L or M");
        };
    }

    private static JsonNode toJson(AttributeValue value) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        switch (value.type()) {
            case S -> node.put("S", value.s());
            case N -> node.put("N", value.n());
            case B -> node.put("B", Base64.getEncoder().encodeToString(value.b().asByteArray()));
            case BOOL -> node.put("BOOL", value.bool());
            case NUL -> node.put("NULL", true);
            case SS -> value.ss().forEach(node.putArray("SS")::add);
            case NS -> value.ns().forEach(node.putArray("NS")::add);
            case BS -> {
                ArrayNode array = node.putArray("BS");
                value.bs().forEach(b -> array.add(Base64.getEncoder().encodeToString(b.asByteArray())));
            }
            case L -> {
                ArrayNode array = node.putArray("L");
                value.l().forEach(v -> array.add(toJson(v)));
            }
            case M -> node.set("M", toJson(value.m()));
            default -> throw new IllegalArgumentException("Cannot write a value of unknown type: " + value);
        }
        return node;
    }

    private static String text(String where, String type, JsonNode v) {
        if (!v.isTextual()) {
            throw new IllegalArgumentException(where + " " + type + " must be a JSON string, got " + v);
        }
        return v.textValue();
    }

    private static List<String> strings(String where, String type, JsonNode v) {
        if (!v.isArray() || v.isEmpty()) {
            throw new IllegalArgumentException(where + " " + type + " must be a non-empty JSON array of strings, got " + v);
        }
        List<String> strings = new ArrayList<>(v.size());
        for (JsonNode element : v) {
            strings.add(text(where, type, element));
        }
        return strings;
    }

    private static String number(String where, String n) {
        try {
            new java.math.BigDecimal(n);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " N must hold a number, got '" + n + "'", e);
        }
    }

    private static SdkBytes binary(String where, String base64) {
        try {
            return SdkBytes.fromByteArray(Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " B must hold base64, got '" + base64 + "'", e);
        }
    }
}
