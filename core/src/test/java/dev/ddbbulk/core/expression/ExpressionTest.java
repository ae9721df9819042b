package dev.ddbbulk.core.expression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ExpressionTest {
    private static final AttributeValue OLD = AttributeValue.fromS("PENDING");
    private static final AttributeValue NEW = AttributeValue.fromS("OPEN");

    @Test
    void and_whenBothHavePlaceholders_joinsTheTextsInParenthesesAndMergesNamesAndValues() {
        Expression status = Expression.of("#s = :old").withName("#s", "status").withValue(":old", OLD);
        Expression exists = Expression.of("attribute_exists(#pk)").withName("#pk", "pk");

        Expression both = status.and(exists);

        assertThat(both.text()).isEqualTo("(#s = :old) AND (attribute_exists(#pk))");
        assertThat(both.names()).isEqualTo(Map.of("#s", "status", "#pk", "pk"));
        assertThat(both.values()).isEqualTo(Map.of(":old", OLD));
        assertThat(status.text()).as("unchanged").isEqualTo("#s = :old");
    }

    @Test
    void allOf_whenManyConditions_nestsOneLevelOnly() {
        Expression all = Expression.allOf(List.of(Expression.of("a"), Expression.of("b"), Expression.of("c")));

        assertThat(all.text()).isEqualTo("(a) AND (b) AND (c)");
        assertThat(Expression.allOf(List.of(Expression.of("a"))).text()).isEqualTo("a");
    }

    @Test
    void and_whenAPlaceholderStandsForTwoThings_throwsNamingIt() {
        Expression one = Expression.of("#a = :v").withName("#a", "x").withValue(":v", OLD);
        Expression other = Expression.of("#a = :w").withName("#a", "y").withValue(":w", NEW);

        assertThatThrownBy(() -> one.and(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("#a");
        assertThat(one.and(Expression.of("#a <> :w").withName("#a", "x").withValue(":w", NEW)).names())
                .isEqualTo(Map.of("#a", "x"));
    }

    @Test
    void using_whenGivenAllOfAJobsNamesAndValues_keepsOnlyThoseItsTextUses() {
        Map<String, String> names = Map.of("#s", "status", "#t", "type");
        Map<String, AttributeValue> values = Map.of(":old", OLD, ":new", NEW);

        Expression condition = Expression.using("#s = :old", names, values);

        assertThat(condition.names()).isEqualTo(Map.of("#s", "status"));
        assertThat(condition.values()).isEqualTo(Map.of(":old", OLD));
    }

    @Test
    void placeholders_whenTextUsesNamesValuesAndPaths_findsEachOnceInOrder() {
        String text = "SET #a.#b[0] = :v1, #c = if_not_exists(#c, :zero) + :v1 REMOVE #d";

        assertThat(Expression.namePlaceholders(text)).containsExactly("#a", "#b", "#c", "#d");
        assertThat(Expression.valuePlaceholders(text)).containsExactly(":v1", ":zero");
    }

    @Test
    void applyTo_whenNoNamesOrValues_setsOnlyTheText() {
        AtomicReference<String> text = new AtomicReference<>();
        AtomicReference<Map<String, String>> names = new AtomicReference<>();
        AtomicReference<Map<String, AttributeValue>> values = new AtomicReference<>();

        Expression.of("attribute_exists(pk)").applyTo(text::set, names::set, values::set);

        assertThat(text.get()).isEqualTo("attribute_exists(pk)");
        assertThat(names.get()).isNull();
        assertThat(values.get()).isNull();
    }

    @Test
    void bytes_whenTextHasMultiByteCharacters_countsUtf8Bytes() {
        assertThat(Expression.of("#ä = :v").bytes()).isEqualTo(8);
    }

    @Test
    void isNamePlaceholder_whenKeyLacksTheSignOrHasOtherCharacters_isFalse() {
        assertThat(Expression.isNamePlaceholder("#s_1")).isTrue();
        assertThat(Expression.isNamePlaceholder("s")).isFalse();
        assertThat(Expression.isNamePlaceholder("#s-1")).isFalse();
        assertThat(Expression.isValuePlaceholder(":v")).isTrue();
        assertThat(Expression.isValuePlaceholder("#v")).isFalse();
    }
}
