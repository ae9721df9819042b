package dev.ddbbulk.core.expression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class DynamoDbJsonTest {

    @Test
    void values_whenEveryTypeIsGiven_readsEachExactlyAndWritesItBack() throws Exception {
        String json = "{\":s\":{\"S\":\"x\"},\":n\":{\"N\":\"1.50\"},\":b\":{\"B\":\"aGk=\"},\":t\":{\"BOOL\":true},"
                + "\":z\":{\"NULL\":true},\":ss\":{\"SS\":[\"a\",\"b\"]},\":ns\":{\"NS\":[\"1\",\"2.5\"]},"
                + "\":bs\":{\"BS\":[\"aGk=\"]},\":l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"2\"}]},"
                + "\":m\":{\"M\":{\"k\":{\"L\":[{\"BOOL\":false}]}}}}";

        Map<String, AttributeValue> values = DynamoDbJson.values(DynamoDbJson.readTree(json));

        assertThat(values).containsEntry(":s", AttributeValue.fromS("x"))
                .containsEntry(":n", AttributeValue.fromN("1.50"))
                .containsEntry(":b", AttributeValue.fromB(SdkBytes.fromUtf8String("hi")))
                .containsEntry(":t", AttributeValue.fromBool(true))
                .containsEntry(":z", AttributeValue.fromNul(true))
                .containsEntry(":ss", AttributeValue.fromSs(List.of("a", "b")))
                .containsEntry(":ns", AttributeValue.fromNs(List.of("1", "2.5")))
                .containsEntry(":bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("hi"))))
                .containsEntry(":l", AttributeValue.fromL(List.of(AttributeValue.fromS("x"), AttributeValue.fromN("2"))))
                .containsEntry(":m", AttributeValue.fromM(Map.of("k",
                        AttributeValue.fromL(List.of(AttributeValue.fromBool(false))))));
        assertThat(DynamoDbJson.values(DynamoDbJson.readTree(DynamoDbJson.toJsonString(values)))).isEqualTo(values);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\":v\":\"x\"}", "{\":v\":{\"S\":1}}", "{\":v\":{\"N\":\"abc\"}}", "{\":v\":{\"X\":\"1\"}}",
            "{\":v\":{\"S\":\"a\",\"N\":\"1\"}}", "{\":v\":{\"SS\":[]}}", "{\":v\":{\"B\":\"not base64!\"}}",
            "{\":v\":{\"NULL\":false}}", "{\":v\":{\"M\":{\"k\":\"plain\"}}}"})
    void values_whenAValueIsNotOneTypedValue_throwsNamingTheValue(String json) {
        assertThatThrownBy(() -> DynamoDbJson.values(DynamoDbJson.readTree(json)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(":v");
    }
}
