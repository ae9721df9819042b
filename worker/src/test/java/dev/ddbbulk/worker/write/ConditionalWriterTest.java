package dev.ddbbulk.worker.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ConditionalWriterTest {
    private static AttributeValue n(String value) {
        return AttributeValue.fromN(value);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    @Test
    void sameItem_whenNumbersDifferOnlyInNotation_isTrue() {
        assertThat(ConditionalWriter.sameItem(Map.of("a", n("1.50"), "b", n("100")),
                Map.of("a", n("1.5"), "b", n("1E+2")))).isTrue();
    }

    @Test
    void sameItem_whenANumberDiffers_isFalse() {
        assertThat(ConditionalWriter.sameItem(Map.of("a", n("1.5")), Map.of("a", n("1.51")))).isFalse();
    }

    @Test
    void sameItem_whenSetsHoldTheSameMembersInAnotherOrder_isTrue() {
        assertThat(ConditionalWriter.sameItem(
                Map.of("ss", AttributeValue.fromSs(List.of("x", "y")), "ns", AttributeValue.fromNs(List.of("1", "2.0")),
                        "bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("p"), SdkBytes.fromUtf8String("q")))),
                Map.of("ss", AttributeValue.fromSs(List.of("y", "x")), "ns", AttributeValue.fromNs(List.of("2", "1")),
                        "bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("q"), SdkBytes.fromUtf8String("p"))))))
                .isTrue();
    }

    @Test
    void sameItem_whenAListHoldsTheSameValuesInAnotherOrder_isFalse() {
        assertThat(ConditionalWriter.sameItem(Map.of("l", AttributeValue.fromL(List.of(s("x"), s("y")))),
                Map.of("l", AttributeValue.fromL(List.of(s("y"), s("x")))))).isFalse();
    }

    @Test
    void sameItem_whenNestedMapsAndListsMatch_isTrue() {
        Map<String, AttributeValue> nested = Map.of("m", AttributeValue.fromM(Map.of("k", n("7.0"),
                "l", AttributeValue.fromL(List.of(AttributeValue.fromBool(true), AttributeValue.fromNul(true))))));
        Map<String, AttributeValue> same = Map.of("m", AttributeValue.fromM(Map.of("k", n("7"),
                "l", AttributeValue.fromL(List.of(AttributeValue.fromBool(true), AttributeValue.fromNul(true))))));

        assertThat(ConditionalWriter.sameItem(nested, same)).isTrue();
    }

    @Test
    void sameItem_whenAnAttributeIsMissingOrOfAnotherType_isFalse() {
        assertThat(ConditionalWriter.sameItem(Map.of("a", s("1"), "b", s("2")), Map.of("a", s("1")))).isFalse();
        assertThat(ConditionalWriter.sameItem(Map.of("a", s("1")), Map.of("b", s("1")))).isFalse();
        assertThat(ConditionalWriter.sameItem(Map.of("a", s("1")), Map.of("a", n("1")))).isFalse();
    }

    @Test
    void sameItem_whenTheTableHoldsNothing_isFalseForAnyItem() {
        assertThat(ConditionalWriter.sameItem(Map.of(), Map.of("a", s("1")))).isFalse();
    }
}
