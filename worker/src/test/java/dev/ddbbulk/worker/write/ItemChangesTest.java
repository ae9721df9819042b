package dev.ddbbulk.worker.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.expression.Expression;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ItemChangesTest {
    private static final List<String> KEY = List.of("pk", "sk");

    private static Map<String, AttributeValue> read() {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", AttributeValue.fromS("p1"));
        item.put("sk", AttributeValue.fromN("1"));
        item.put("status", AttributeValue.fromS("PENDING"));
        item.put("amount", AttributeValue.fromN("1.50"));
        item.put("note", AttributeValue.fromS("keep"));
        item.put("legacy", AttributeValue.fromBool(true));
        return item;
    }

    @Test
    void between_whenAttributesAreChangedAddedAndRemoved_setsAndRemovesOnlyThose() {
        Map<String, AttributeValue> written = new HashMap<>(read());
        written.put("status", AttributeValue.fromS("OPEN"));
        written.put("migrated", AttributeValue.fromBool(true));
        written.put("amount", AttributeValue.fromN("1.5"));
        written.remove("legacy");

        ItemChanges changes = ItemChanges.between(read(), written, KEY);

        assertThat(changes.set()).containsOnlyKeys("migrated", "status");
        assertThat(changes.removed()).containsExactly("legacy");
        assertThat(changes.attributes()).containsExactly("migrated", "status", "legacy");
        Expression update = changes.update();
        assertThat(update.text()).isEqualTo("SET #c0 = :c0, #c1 = :c1 REMOVE #c2");
        assertThat(update.names()).isEqualTo(Map.of("#c0", "migrated", "#c1", "status", "#c2", "legacy"));
        assertThat(update.values()).isEqualTo(Map.of(":c0", AttributeValue.fromBool(true),
                ":c1", AttributeValue.fromS("OPEN")));
    }

    @Test
    void unchangedSinceRead_whenAttributesAreChangedAddedAndRemoved_requiresTheReadValueOrAbsence() {
        Map<String, AttributeValue> written = new HashMap<>(read());
        written.put("status", AttributeValue.fromS("OPEN"));
        written.put("migrated", AttributeValue.fromBool(true));
        written.remove("legacy");

        Expression condition = ItemChanges.between(read(), written, KEY).unchangedSinceRead();

        assertThat(condition.text())
                .isEqualTo("(attribute_not_exists(#c0)) AND (#c1 = :r1) AND (#c2 = :r2)");
        assertThat(condition.names()).isEqualTo(Map.of("#c0", "migrated", "#c1", "status", "#c2", "legacy"));
        assertThat(condition.values()).isEqualTo(Map.of(":r1", AttributeValue.fromS("PENDING"),
                ":r2", AttributeValue.fromBool(true)));
        // The update and its condition go in one request: their placeholders agree.
        assertThat(Expression.namesOf(ItemChanges.between(read(), written, KEY).update(), condition)).hasSize(3);
    }

    @Test
    void between_whenTheProcessorReturnsTheItemAsReadOrOnlyRewritesNumbers_isNone() {
        Map<String, AttributeValue> same = new HashMap<>(read());
        same.put("amount", AttributeValue.fromN("1.500"));

        assertThat(ItemChanges.between(read(), same, KEY).none()).isTrue();
    }

    @Test
    void between_whenKeyAttributesDifferOnlyInForm_neverSetsThem() {
        Map<String, AttributeValue> written = new HashMap<>(read());
        written.put("sk", AttributeValue.fromN("1.0"));

        assertThat(ItemChanges.between(read(), written, KEY).none()).isTrue();
    }

    @Test
    void appliedIn_whenTheTableHoldsEveryChange_isTrueWhateverElseChanged() {
        Map<String, AttributeValue> written = new HashMap<>(read());
        written.put("status", AttributeValue.fromS("OPEN"));
        written.remove("legacy");
        ItemChanges changes = ItemChanges.between(read(), written, KEY);
        Map<String, AttributeValue> held = new HashMap<>(written);
        held.put("note", AttributeValue.fromS("changed by someone else"));

        assertThat(changes.appliedIn(held)).isTrue();
        held.put("legacy", AttributeValue.fromBool(true));
        assertThat(changes.appliedIn(held)).isFalse();
        assertThat(changes.appliedIn(read())).isFalse();
        assertThat(changes.appliedIn(Map.of())).isFalse();
    }

    @Test
    void fitOneUpdate_whenMoreAttributesChangeThanOneUpdateTakes_isFalse() {
        Map<String, AttributeValue> many = new HashMap<>(read());
        for (int i = 0; i < ItemChanges.MAX_ATTRIBUTES; i++) {
            many.put("a" + i, AttributeValue.fromN(Integer.toString(i)));
        }
        ItemChanges atLimit = ItemChanges.between(read(), many, KEY);
        many.put("one-more", AttributeValue.fromS("x"));
        ItemChanges overLimit = ItemChanges.between(read(), many, KEY);

        assertThat(atLimit.fitOneUpdate(atLimit.unchangedSinceRead())).isTrue();
        assertThat(atLimit.unchangedSinceRead().bytes()).isLessThan(Expression.MAX_BYTES);
        assertThat(overLimit.fitOneUpdate(overLimit.unchangedSinceRead())).isFalse();
    }

    @Test
    void fitOneUpdate_whenTheConditionIsLongerThanDynamoDbTakes_isFalse() {
        Map<String, AttributeValue> written = new HashMap<>(read());
        written.put("status", AttributeValue.fromS("OPEN"));
        ItemChanges changes = ItemChanges.between(read(), written, KEY);

        assertThat(changes.fitOneUpdate(Expression.of("x".repeat(Expression.MAX_BYTES + 1)))).isFalse();
    }
}
