package dev.ddbbulk.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class SegmentMessageCodecTest {

    @Test
    void fromJson_whenSeedMessage_roundTripsWithoutKey() {
        SegmentMessage seed = SegmentMessage.seed("run-1", 41, 1000);

        String json = SegmentMessageCodec.toJson(seed);
        SegmentMessage decoded = SegmentMessageCodec.fromJson(json);

        assertThat(decoded).isEqualTo(seed);
        assertThat(decoded.exclusiveStartKey()).isNull();
        assertThat(decoded.continuation()).isZero();
        assertThat(json).doesNotContain("exclusiveStartKey");
    }

    @Test
    void fromJson_whenContinuationWithCompositeKey_roundTripsKeyExactly() {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put("pk", AttributeValue.fromS("tenant#\"42\"/ü"));
        key.put("sk", AttributeValue.fromN("12345678901234567890.000001"));
        SegmentMessage continued = SegmentMessage.seed("run-2", 999_999, 1_000_000).continueAt(key).continueAt(key);

        SegmentMessage decoded = SegmentMessageCodec.fromJson(SegmentMessageCodec.toJson(continued));

        assertThat(decoded).isEqualTo(continued);
        assertThat(decoded.continuation()).isEqualTo(2);
        assertThat(decoded.exclusiveStartKey().get("sk").n()).isEqualTo("12345678901234567890.000001");
        assertThat(decoded.exclusiveStartKey().get("pk").s()).isEqualTo("tenant#\"42\"/ü");
    }

    @Test
    void fromJson_whenResumed_roundTripsTheResumeStartAndAContinuationDropsIt() {
        SegmentMessage resumed = SegmentMessage.resume("run-4", 7, 10, java.time.Instant.ofEpochMilli(1_700_000_000_123L));

        SegmentMessage decoded = SegmentMessageCodec.fromJson(SegmentMessageCodec.toJson(resumed));

        assertThat(decoded).isEqualTo(resumed);
        assertThat(decoded.resumedAt().toEpochMilli()).isEqualTo(1_700_000_000_123L);
        assertThat(decoded.continueAt(Map.of("pk", AttributeValue.fromS("a"))).resumedAt()).isNull();
        assertThat(SegmentMessageCodec.toJson(SegmentMessage.seed("run-4", 7, 10))).doesNotContain("resumedAt");
    }

    @Test
    void fromJson_whenARange_roundTripsItsBoundsAndAContinuationKeepsIt() {
        Map<String, AttributeValue> from = Map.of("pk", AttributeValue.fromS("hot"), "sk", AttributeValue.fromN("12.5"));
        Map<String, AttributeValue> to = Map.of("pk", AttributeValue.fromS("hot"), "sk", AttributeValue.fromN("40000"));
        SegmentMessage range = SegmentMessage.range("run-5", 3, 100, new SortKeyRange(2, "pk", from, to));

        SegmentMessage decoded = SegmentMessageCodec.fromJson(SegmentMessageCodec.toJson(range));
        SegmentMessage continued = SegmentMessageCodec.fromJson(SegmentMessageCodec.toJson(
                decoded.continueAt(Map.of("pk", AttributeValue.fromS("hot"), "sk", AttributeValue.fromN("20")))));

        assertThat(decoded).isEqualTo(range);
        assertThat(decoded.exclusiveStartKey()).isEqualTo(from);
        assertThat(decoded.rangeIndex()).isEqualTo(2);
        assertThat(decoded.describe()).isEqualTo("range 2 of segment 3");
        assertThat(continued.range()).isEqualTo(range.range());
        assertThat(continued.continuation()).isEqualTo(1);
    }

    @Test
    void fromJson_whenARangeLacksItsBounds_refusesTheMessage() {
        assertThatThrownBy(() -> SegmentMessageCodec.fromJson(
                "{\"runId\":\"r\",\"segment\":2,\"totalSegments\":3,\"range\":{\"index\":1}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("range needs");
    }

    @Test
    void fromJson_whenResumedAtIsNotEpochMillis_refusesTheMessage() {
        assertThatThrownBy(() -> SegmentMessageCodec.fromJson(
                "{\"runId\":\"r\",\"segment\":2,\"totalSegments\":3,\"resumedAt\":\"yesterday\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resumedAt must be epoch milliseconds");
    }

    @Test
    void fromJson_whenBinaryKey_roundTripsBytes() {
        byte[] bytes = {0, 1, -128, 127, -1};
        SegmentMessage message = new SegmentMessage("run-3", 0, 1,
                Map.of("id", AttributeValue.fromB(SdkBytes.fromByteArray(bytes))), 1);

        SegmentMessage decoded = SegmentMessageCodec.fromJson(SegmentMessageCodec.toJson(message));

        assertThat(decoded.exclusiveStartKey().get("id").b().asByteArray()).isEqualTo(bytes);
    }

    @Test
    void fromJson_whenKeyIsNullOrEmpty_treatsItAsNoKey() {
        SegmentMessage withNull = SegmentMessageCodec.fromJson(
                "{\"runId\":\"r\",\"segment\":2,\"totalSegments\":3,\"exclusiveStartKey\":null}");
        SegmentMessage withEmpty = SegmentMessageCodec.fromJson(
                "{\"runId\":\"r\",\"segment\":2,\"totalSegments\":3,\"exclusiveStartKey\":{}}");

        assertThat(withNull).isEqualTo(SegmentMessage.seed("r", 2, 3));
        assertThat(withEmpty).isEqualTo(SegmentMessage.seed("r", 2, 3));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "not json",
        "[1,2,3]",
        "\"runId\"",
        "{}",
        "{\"segment\":1,\"totalSegments\":2}",
        "{\"runId\":null,\"segment\":1,\"totalSegments\":2}",
        "{\"runId\":\"r\",\"totalSegments\":2}",
        "{\"runId\":\"r\",\"segment\":1}",
    })
    void fromJson_whenNotASegmentMessage_throwsIllegalArgumentQuotingTheBody(String body) {
        assertThatThrownBy(() -> SegmentMessageCodec.fromJson(body))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Message body is not")
                .hasMessageContaining(body);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"runId\":\"r\",\"segment\":\"abc\",\"totalSegments\":10}",
        "{\"runId\":\"r\",\"segment\":1.5,\"totalSegments\":10}",
        "{\"runId\":\"r\",\"segment\":null,\"totalSegments\":10}",
        "{\"runId\":\"r\",\"segment\":1,\"totalSegments\":\"ten\"}",
        "{\"runId\":\"r\",\"segment\":true,\"totalSegments\":10}",
        "{\"runId\":\"r\",\"segment\":1,\"totalSegments\":10,\"continuation\":\"x\"}",
        "{\"runId\":{\"a\":1},\"segment\":1,\"totalSegments\":10}",
    })
    void fromJson_whenFieldHasWrongType_throwsIllegalArgumentNamingIt(String body) {
        assertThatThrownBy(() -> SegmentMessageCodec.fromJson(body))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(?s).*(runId|segment|totalSegments|continuation).*");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"runId\":\"r\",\"segment\":10,\"totalSegments\":10}",
        "{\"runId\":\"r\",\"segment\":-1,\"totalSegments\":10}",
        "{\"runId\":\"r\",\"segment\":0,\"totalSegments\":0}",
        "{\"runId\":\"r\",\"segment\":0,\"totalSegments\":1,\"continuation\":-1}",
    })
    void fromJson_whenNumbersOutOfRange_throwsIllegalArgument(String body) {
        assertThatThrownBy(() -> SegmentMessageCodec.fromJson(body))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(?s).*(outside|continuation).*");
    }

    @Test
    void fromJson_whenKeyHasNonKeyType_throwsIllegalArgument() {
        String body = "{\"runId\":\"r\",\"segment\":0,\"totalSegments\":1,"
                + "\"exclusiveStartKey\":{\"pk\":{\"BOOL\":\"true\"}}}";

        assertThatThrownBy(() -> SegmentMessageCodec.fromJson(body))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'pk'");
    }

    @Test
    void fromJson_whenBodyIsNull_throwsIllegalArgument() {
        assertThatThrownBy(() -> SegmentMessageCodec.fromJson(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not");
    }
}
