package dev.ddbbulk.worker.scan;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.expression.Expression;
import dev.ddbbulk.core.message.SortKeyRange;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

class SegmentScannerTest {

    @Test
    void queryPage_whenTheFiltersPlaceholderStandsForAnotherAttribute_refusesItBeforeAnyCall() {
        Map<String, AttributeValue> from = Map.of("pk", AttributeValue.fromS("hot"), "sk", AttributeValue.fromN("1"));
        Map<String, AttributeValue> to = Map.of("pk", AttributeValue.fromS("hot"), "sk", AttributeValue.fromN("9"));
        Expression filter = new Expression("attribute_exists(#rangePk)", Map.of("#rangePk", "status"), Map.of());

        // No client: the request must be refused while it is built.
        assertThatThrownBy(() -> new SegmentScanner(null).queryPage("table", new SortKeyRange(1, "pk", from, to), null,
                10, true, ReturnConsumedCapacity.NONE, filter))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("#rangePk");
    }
}
