package dev.ddbbulk.core.expression;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One DynamoDB expression (a condition, filter or update) with the attribute names and values its placeholders
 * stand for. Immutable; conditions combine with {@link #and}, so that no caller joins expression strings or
 * merges placeholder maps itself. Two parts may share a placeholder only when it stands for the same thing.
 */
public record Expression(String text, Map<String, String> names, Map<String, AttributeValue> values) {
    /** The longest expression string DynamoDB accepts, in UTF-8 bytes (its "Expression parameters" limits). */
    public static final int MAX_BYTES = 4096;

    private static final Pattern NAME = Pattern.compile("#[A-Za-z0-9_]+");
    private static final Pattern VALUE = Pattern.compile(":[A-Za-z0-9_]+");

    public Expression {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("An expression needs some text");
        }
        names = Map.copyOf(names);
        values = Map.copyOf(values);
    }

    public static Expression of(String text) {
        return new Expression(text, Map.of(), Map.of());
    }

    /**
     * {@code text} with those of {@code names} and {@code values} that it uses: what one request may carry,
     * since DynamoDB refuses a name or value no expression of the request uses.
     */
    public static Expression using(String text, Map<String, String> names, Map<String, AttributeValue> values) {
        Map<String, String> usedNames = new HashMap<>();
        for (String placeholder : namePlaceholders(text)) {
            if (names.containsKey(placeholder)) {
                usedNames.put(placeholder, names.get(placeholder));
            }
        }
        Map<String, AttributeValue> usedValues = new HashMap<>();
        for (String placeholder : valuePlaceholders(text)) {
            if (values.containsKey(placeholder)) {
                usedValues.put(placeholder, values.get(placeholder));
            }
        }
        return new Expression(text, usedNames, usedValues);
    }

    public Expression withName(String placeholder, String name) {
        return new Expression(text, merged(names, Map.of(placeholder, name)), values);
    }

    public Expression withValue(String placeholder, AttributeValue value) {
        return new Expression(text, names, merged(values, Map.of(placeholder, value)));
    }

    /** Both conditions: {@code (this) AND (other)}. */
    public Expression and(Expression other) {
        return allOf(List.of(this, other));
    }

    /** Every one of {@code conditions}, in order, each in parentheses, with one level of nesting only. */
    public static Expression allOf(Collection<Expression> conditions) {
        if (conditions.isEmpty()) {
            throw new IllegalArgumentException("allOf needs at least one condition");
        }
        if (conditions.size() == 1) {
            return conditions.iterator().next();
        }
        List<String> parts = new ArrayList<>(conditions.size());
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        for (Expression condition : conditions) {
            parts.add("(" + condition.text + ")");
            names = merged(names, condition.names);
            values = merged(values, condition.values);
        }
        return new Expression(String.join(" AND ", parts), names, values);
    }

    /** The names of several expressions sent in one request (an update and its condition). */
    public static Map<String, String> namesOf(Expression... expressions) {
        Map<String, String> names = new HashMap<>();
        for (Expression expression : expressions) {
            names = merged(names, expression.names);
        }
        return names;
    }

    /** The values of several expressions sent in one request (an update and its condition). */
    public static Map<String, AttributeValue> valuesOf(Expression... expressions) {
        Map<String, AttributeValue> values = new HashMap<>();
        for (Expression expression : expressions) {
            values = merged(values, expression.values);
        }
        return values;
    }

    /**
     * Hands the text, and the names and values when there are any (DynamoDB refuses empty maps), to a request
     * builder's setters.
     */
    public void applyTo(Consumer<String> textSetter, Consumer<Map<String, String>> namesSetter,
                        Consumer<Map<String, AttributeValue>> valuesSetter) {
        textSetter.accept(text);
        if (!names.isEmpty()) {
            namesSetter.accept(names);
        }
        if (!values.isEmpty()) {
            valuesSetter.accept(values);
        }
    }

    /** The text's length as DynamoDB measures it against {@link #MAX_BYTES}. */
    public int bytes() {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The {@code #name} placeholders in {@code text}, in order of first use. */
    public static Set<String> namePlaceholders(String text) {
        return placeholders(NAME, text);
    }

    /** The {@code :value} placeholders in {@code text}, in order of first use. */
    public static Set<String> valuePlaceholders(String text) {
        return placeholders(VALUE, text);
    }

    /** Whether {@code placeholder} has the form DynamoDB takes for a name ({@code #} and letters, digits, '_'). */
    public static boolean isNamePlaceholder(String placeholder) {
        return NAME.matcher(placeholder).matches();
    }

    /** Whether {@code placeholder} has the form DynamoDB takes for a value ({@code :} and letters, digits, '_'). */
    public static boolean isValuePlaceholder(String placeholder) {
        return VALUE.matcher(placeholder).matches();
    }

    private static Set<String> placeholders(Pattern pattern, String text) {
        // DynamoDB expressions have no string literals, so every match is a placeholder.
        Set<String> found = new LinkedHashSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    private static <V> Map<String, V> merged(Map<String, V> a, Map<String, V> b) {
        Map<String, V> all = new LinkedHashMap<>(a);
        b.forEach((placeholder, value) -> {
            V before = all.putIfAbsent(placeholder, value);
            if (before != null && !before.equals(value)) {
                throw new IllegalArgumentException("Placeholder " + placeholder + " stands for both " + before
                        + " and " + value);
            }
        });
        return all;
    }
}
