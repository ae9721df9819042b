package dev.ddbbulk.core.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.expression.DynamoDbJson;
import dev.ddbbulk.core.expression.Expression;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An expression job's parameters: each scanned item that passes {@code FilterExpression} gets one UpdateItem with
 * {@code UpdateExpression} under {@code ConditionExpression}; the names and values are shared by the three.
 * Checked here as far as that is possible without DynamoDB (JSON, every placeholder defined and used, lengths);
 * {@link TableValidator} has DynamoDB check the syntax.
 *
 * @param updateExpression    the update every item gets; null for a processor job
 * @param conditionExpression the condition each update must meet; null for none
 * @param filterExpression    the scan's filter, also for a processor job; null for none
 */
public record JobExpressions(String updateExpression, String conditionExpression, String filterExpression,
                             Map<String, String> attributeNames, Map<String, AttributeValue> attributeValues) {

    public static final JobExpressions NONE = new JobExpressions(null, null, null, Map.of(), Map.of());

    /** Placeholders of ddb-bulk's own that it adds to a user's condition; users' may not start so. */
    public static final String RESERVED_PREFIX = "ddbbulk_";

    public JobExpressions {
        updateExpression = blankToNull(updateExpression);
        conditionExpression = blankToNull(conditionExpression);
        filterExpression = blankToNull(filterExpression);
        attributeNames = Map.copyOf(attributeNames == null ? Map.of() : attributeNames);
        attributeValues = Map.copyOf(attributeValues == null ? Map.of() : attributeValues);
        if (conditionExpression != null && updateExpression == null) {
            throw new InvalidJobException("ConditionExpression conditions each item's update, but there is no"
                    + " UpdateExpression; add --update / UpdateExpression or drop --condition");
        }
        requireFits("UpdateExpression", "--update", updateExpression);
        requireFits("ConditionExpression", "--condition", conditionExpression);
        requireFits("FilterExpression", "--filter", filterExpression);
        for (String placeholder : attributeNames.keySet()) {
            requirePlaceholder("ExpressionAttributeNames", "--names", placeholder,
                    Expression.isNamePlaceholder(placeholder), "#");
        }
        for (String placeholder : attributeValues.keySet()) {
            requirePlaceholder("ExpressionAttributeValues", "--values", placeholder,
                    Expression.isValuePlaceholder(placeholder), ":");
        }
        Set<String> usedNames = new LinkedHashSet<>();
        Set<String> usedValues = new LinkedHashSet<>();
        requireDefined("UpdateExpression", updateExpression, attributeNames, attributeValues, usedNames, usedValues);
        requireDefined("ConditionExpression", conditionExpression, attributeNames, attributeValues, usedNames,
                usedValues);
        requireDefined("FilterExpression", filterExpression, attributeNames, attributeValues, usedNames, usedValues);
        for (String placeholder : attributeNames.keySet()) {
            if (!usedNames.contains(placeholder)) {
                throw new InvalidJobException("ExpressionAttributeNames defines " + placeholder
                        + ", which no expression uses (DynamoDB refuses that); remove it from --names"
                        + " / ExpressionAttributeNames");
            }
        }
        for (String placeholder : attributeValues.keySet()) {
            if (!usedValues.contains(placeholder)) {
                throw new InvalidJobException("ExpressionAttributeValues defines " + placeholder
                        + ", which no expression uses (DynamoDB refuses that); remove it from --values"
                        + " / ExpressionAttributeValues");
            }
        }
    }

    /**
     * The parameters as the CLI and the template give them: the expressions as text, the names and values as
     * JSON objects ({@code {"#s":"status"}}, {@code {":v":{"S":"x"}}}); blank means none.
     */
    public static JobExpressions parse(String update, String condition, String filter, String namesJson,
                                       String valuesJson) {
        return new JobExpressions(update, condition, filter, names(namesJson), values(valuesJson));
    }

    /** Whether this is an expression job: items get the update instead of a processor's result. */
    public boolean updatesItems() {
        return updateExpression != null;
    }

    /** The update with the names and values it uses. */
    public Expression update() {
        if (updateExpression == null) {
            throw new IllegalStateException("Not an expression job: no UpdateExpression");
        }
        return Expression.using(updateExpression, attributeNames, attributeValues);
    }

    public Optional<Expression> condition() {
        return Optional.ofNullable(conditionExpression)
                .map(text -> Expression.using(text, attributeNames, attributeValues));
    }

    public Optional<Expression> filter() {
        return Optional.ofNullable(filterExpression)
                .map(text -> Expression.using(text, attributeNames, attributeValues));
    }

    /** The names as the JSON object the parameter takes; null when there are none. */
    public String attributeNamesJson() {
        if (attributeNames.isEmpty()) {
            return null;
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        new TreeMap<>(attributeNames).forEach(node::put);
        return node.toString();
    }

    /** The values as the DynamoDB JSON object the parameter takes; null when there are none. */
    public String attributeValuesJson() {
        return attributeValues.isEmpty() ? null : DynamoDbJson.toJsonString(new TreeMap<>(attributeValues));
    }

    static Map<String, String> names(String json) {
        JsonNode node = read("ExpressionAttributeNames", "--names", json, "{\"#s\":\"status\"}");
        if (node == null) {
            return Map.of();
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual() || field.getValue().textValue().isEmpty()) {
                throw new InvalidJobException("ExpressionAttributeNames " + field.getKey() + " must name an attribute"
                        + " as a JSON string, got " + field.getValue() + "; fix --names / ExpressionAttributeNames");
            }
            names.put(field.getKey(), field.getValue().textValue());
        }
        return names;
    }

    static Map<String, AttributeValue> values(String json) {
        JsonNode node = read("ExpressionAttributeValues", "--values", json, "{\":v\":{\"S\":\"x\"}}");
        if (node == null) {
            return Map.of();
        }
        try {
            return DynamoDbJson.values(node);
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException("ExpressionAttributeValues " + e.getMessage()
                    + "; fix --values / ExpressionAttributeValues", e);
        }
    }

    private static JsonNode read(String parameter, String option, String json, String example) {
        if (json == null || json.isBlank()) {
            return null;
        }
        JsonNode node;
        try {
            node = DynamoDbJson.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidJobException(parameter + " is not valid JSON (" + oneLine(e.getOriginalMessage())
                    + "); give an object like " + example + " to " + option + " / " + parameter, e);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidJobException(parameter + " must be a JSON object like " + example + ", got " + json
                    + "; fix " + option + " / " + parameter);
        }
        return node;
    }

    private static void requireFits(String parameter, String option, String expression) {
        if (expression != null && Expression.of(expression).bytes() > Expression.MAX_BYTES) {
            throw new InvalidJobException(parameter + " is " + Expression.of(expression).bytes()
                    + " bytes, more than DynamoDB's " + Expression.MAX_BYTES + "; shorten " + option);
        }
    }

    private static void requirePlaceholder(String parameter, String option, String placeholder, boolean valid,
                                           String sign) {
        if (!valid) {
            throw new InvalidJobException(parameter + " key '" + placeholder + "' is not a placeholder: write '"
                    + sign + "' and letters, digits or '_'; fix " + option + " / " + parameter);
        }
        if (placeholder.substring(1).startsWith(RESERVED_PREFIX)) {
            throw new InvalidJobException(parameter + " key '" + placeholder + "' starts with " + sign
                    + RESERVED_PREFIX + ", which ddb-bulk keeps for its own placeholders; rename it in " + option
                    + " and the expressions");
        }
    }

    private static void requireDefined(String parameter, String expression, Map<String, String> names,
                                       Map<String, AttributeValue> values, Set<String> usedNames,
                                       Set<String> usedValues) {
        if (expression == null) {
            return;
        }
        for (String placeholder : Expression.namePlaceholders(expression)) {
            if (!names.containsKey(placeholder)) {
                throw new InvalidJobException(parameter + " uses " + placeholder + ", which ExpressionAttributeNames"
                        + " does not define; add it to --names / ExpressionAttributeNames, e.g. {\"" + placeholder
                        + "\":\"attribute\"}");
            }
            usedNames.add(placeholder);
        }
        for (String placeholder : Expression.valuePlaceholders(expression)) {
            if (!values.containsKey(placeholder)) {
                throw new InvalidJobException(parameter + " uses " + placeholder + ", which ExpressionAttributeValues"
                        + " does not define; add it to --values / ExpressionAttributeValues, e.g. {\"" + placeholder
                        + "\":{\"S\":\"x\"}}");
            }
            usedValues.add(placeholder);
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").strip();
    }
}
