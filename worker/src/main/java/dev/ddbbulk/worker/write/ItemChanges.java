package dev.ddbbulk.worker.write;

import dev.ddbbulk.core.expression.Expression;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What a processor changed of an item it read, top-level attribute by attribute: those it set (changed or added)
 * and those it removed. Written in place as one UpdateItem ({@link #update}) under the condition that each of
 * them still holds what was read ({@link #unchangedSinceRead}), so that another client's concurrent change of any
 * other attribute survives.
 *
 * @param read    the item as the scan read it
 * @param set     attributes to set, with their new values
 * @param removed attributes to remove
 */
record ItemChanges(Map<String, AttributeValue> read, Map<String, AttributeValue> set, Set<String> removed) {
    /**
     * The most attributes one update carries; an item with more changes is written whole. DynamoDB allows 300
     * operators or functions in an update expression and 4 KB in any expression; each attribute costs two in
     * the condition ({@code =} and {@code AND}) and about 25 bytes.
     */
    static final int MAX_ATTRIBUTES = 100;

    ItemChanges {
        // Sorted, so that the same change always makes the same expressions.
        set = Collections.unmodifiableSortedMap(new TreeMap<>(set));
        removed = Collections.unmodifiableSortedSet(new TreeSet<>(removed));
    }

    /** The changes that turn {@code read} into {@code written}; key attributes never change in place. */
    static ItemChanges between(Map<String, AttributeValue> read, Map<String, AttributeValue> written,
                               Collection<String> keyAttributes) {
        Map<String, AttributeValue> set = new HashMap<>();
        written.forEach((name, value) -> {
            AttributeValue before = read.get(name);
            if (!keyAttributes.contains(name) && (before == null || !ConditionalWriter.sameValue(before, value))) {
                set.put(name, value);
            }
        });
        Set<String> removed = new HashSet<>();
        for (String name : read.keySet()) {
            if (!written.containsKey(name) && !keyAttributes.contains(name)) {
                removed.add(name);
            }
        }
        return new ItemChanges(read, set, removed);
    }

    boolean none() {
        return set.isEmpty() && removed.isEmpty();
    }

    int size() {
        return set.size() + removed.size();
    }

    /** {@code SET #c0 = :c0, ... REMOVE #c5, ...}: attribute {@code i} of {@link #attributes} is {@code #ci}. */
    Expression update() {
        List<String> assignments = new ArrayList<>();
        List<String> removals = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> attributes = attributes();
        for (int i = 0; i < attributes.size(); i++) {
            String name = attributes.get(i);
            names.put("#c" + i, name);
            if (set.containsKey(name)) {
                values.put(":c" + i, set.get(name));
                assignments.add("#c" + i + " = :c" + i);
            } else {
                removals.add("#c" + i);
            }
        }
        StringBuilder text = new StringBuilder();
        if (!assignments.isEmpty()) {
            text.append("SET ").append(String.join(", ", assignments));
        }
        if (!removals.isEmpty()) {
            text.append(text.isEmpty() ? "" : " ").append("REMOVE ").append(String.join(", ", removals));
        }
        return new Expression(text.toString(), names, values);
    }

    /**
     * Each changed or removed attribute still holds what was read ({@code #ci = :ri}), and each added one is still
     * absent ({@code attribute_not_exists(#ci)}); with the name placeholders of {@link #update}.
     */
    Expression unchangedSinceRead() {
        List<Expression> conditions = new ArrayList<>();
        List<String> attributes = attributes();
        for (int i = 0; i < attributes.size(); i++) {
            AttributeValue before = read.get(attributes.get(i));
            Expression condition = before == null
                    ? Expression.of("attribute_not_exists(#c" + i + ")")
                    : Expression.of("#c" + i + " = :r" + i).withValue(":r" + i, before);
            conditions.add(condition.withName("#c" + i, attributes.get(i)));
        }
        return Expression.allOf(conditions);
    }

    /** The attributes changed: those set, then those removed, each in name order. */
    List<String> attributes() {
        List<String> attributes = new ArrayList<>(set.keySet());
        attributes.addAll(removed);
        return attributes;
    }

    /** Whether these changes fit one update; see {@link #MAX_ATTRIBUTES}. */
    boolean fitOneUpdate(Expression condition) {
        return size() <= MAX_ATTRIBUTES && update().bytes() <= Expression.MAX_BYTES
                && condition.bytes() <= Expression.MAX_BYTES;
    }

    /** Whether {@code held} already has every change: applying them would leave it as it is. */
    boolean appliedIn(Map<String, AttributeValue> held) {
        if (held.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, AttributeValue> change : set.entrySet()) {
            AttributeValue now = held.get(change.getKey());
            if (now == null || !ConditionalWriter.sameValue(now, change.getValue())) {
                return false;
            }
        }
        for (String name : removed) {
            if (held.containsKey(name)) {
                return false;
            }
        }
        return true;
    }
}
