package dev.ddbbulk.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Keys travel in SQS messages and ledger checkpoints; a key that does not round-trip exactly loses or repeats items. */
class DynamoDbKeyCodecTest {

    @Property
    void toJson_whenAnyKeyOfStringNumberBinary_roundTripsExactly(@ForAll("keys") Map<String, AttributeValue> key) {
        Map<String, AttributeValue> decoded = DynamoDbKeyCodec.fromJson(DynamoDbKeyCodec.toJson(key));

        assertThat(decoded).isEqualTo(key);
        assertThat(decoded.keySet()).containsExactlyElementsOf(key.keySet());
        key.forEach((name, value) -> {
            if (value.n() != null) {
                assertThat(decoded.get(name).n()).isEqualTo(value.n());
            } else if (value.b() != null) {
                assertThat(decoded.get(name).b().asByteArray()).isEqualTo(value.b().asByteArray());
            } else {
                assertThat(decoded.get(name).s()).isEqualTo(value.s());
            }
        });
    }

    @Property
    void toJson_whenNumberIsAnyDecimalString_keepsItsExactText(@ForAll("numbers") String number) {
        Map<String, AttributeValue> key = Map.of("sk", AttributeValue.fromN(number));

        assertThat(DynamoDbKeyCodec.fromJson(DynamoDbKeyCodec.toJson(key)).get("sk").n()).isEqualTo(number);
    }

    @Example
    void toJson_whenNumbersAreBigOrPrecise_keepsEveryDigit() {
        for (String number : List.of("12345678901234567890.000001", "-0.000000000000000000000000000000000001",
                "9.9999999999999999999999999999999999999E+125", "1E-130", "-1e+2", "1.50", "0", "-0",
                "100000000000000000000000000000000000000")) {
            Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("a"), "sk", AttributeValue.fromN(number));

            assertThat(DynamoDbKeyCodec.fromJson(DynamoDbKeyCodec.toJson(key)).get("sk").n()).isEqualTo(number);
        }
    }

    @Example
    void toJson_whenKeyIsStringAndNumber_usesDynamoDbWireForm() {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put("pk", AttributeValue.fromS("a"));
        key.put("sk", AttributeValue.fromN("1.50"));

        assertThat(DynamoDbKeyCodec.toJson(key)).isEqualTo("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1.50\"}}");
    }

    @Example
    void toJson_whenKeyIsBinary_writesBase64() {
        Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, -1, 127})));

        assertThat(DynamoDbKeyCodec.toJson(key)).isEqualTo("{\"id\":{\"B\":\"AP9/\"}}");
    }

    @Property(tries = 50)
    void toJson_whenAttributeIsNotAKeyType_throwsIllegalArgumentNamingIt(@ForAll("nonKeyValues") AttributeValue value) {
        Map<String, AttributeValue> key = Map.of("weird", value);

        assertThatThrownBy(() -> DynamoDbKeyCodec.toJson(key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'weird'")
                .hasMessageContaining("S, N or B");
    }

    @Example
    void fromJson_whenTypeIsNotAKeyType_throwsIllegalArgument() {
        for (String json : List.of("{\"k\":{\"BOOL\":true}}", "{\"k\":{\"BOOL\":\"true\"}}", "{\"k\":{\"SS\":\"a\"}}",
                "{\"k\":{\"M\":{}}}", "{\"k\":{\"L\":[]}}", "{\"k\":{\"NULL\":\"true\"}}")) {
            assertThatThrownBy(() -> DynamoDbKeyCodec.fromJson(json))
                    .as(json)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'k'");
        }
    }

    @Example
    void fromJson_whenNotAKeyObject_throwsIllegalArgument() {
        for (String json : List.of("not json", "[]", "\"pk\"", "null", "{\"k\":\"a\"}",
                "{\"k\":{\"S\":\"a\",\"N\":\"1\"}}", "{\"k\":{}}", "{\"k\":{\"B\":\"not base64!\"}}")) {
            assertThatThrownBy(() -> DynamoDbKeyCodec.fromJson(json))
                    .as(json)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Provide
    Arbitrary<Map<String, AttributeValue>> keys() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars('_', '-', '.', '#')
                .ofMinLength(1).ofMaxLength(20);
        Arbitrary<AttributeValue> values = Arbitraries.oneOf(strings(), numbers().map(AttributeValue::fromN), binaries());
        return Combinators.combine(names, values, names, values, Arbitraries.of(true, false))
                .as((n1, v1, n2, v2, composite) -> {
                    Map<String, AttributeValue> key = new LinkedHashMap<>();
                    key.put(n1, v1);
                    if (composite) {
                        key.put(n2 + "_2", v2);
                    }
                    return key;
                });
    }

    /** Any text DynamoDB can store: valid UTF-16, so no lone surrogates, but any code point. */
    private Arbitrary<AttributeValue> strings() {
        Arbitrary<String> anyCodePoints = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
                .list().ofMinSize(1).ofMaxSize(40)
                .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint,
                        StringBuilder::append).toString());
        Arbitrary<String> edgy = Arbitraries.of("\"", "\\", "{\"S\":\"x\"}", "\u0000", "\n\t", "😀", "null", " ");
        return Arbitraries.oneOf(anyCodePoints, edgy).map(AttributeValue::fromS);
    }

    private Arbitrary<AttributeValue> binaries() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(1024)
                .map(bytes -> AttributeValue.fromB(SdkBytes.fromByteArray(bytes)));
    }

    /** Decimal strings as DynamoDB may return them: up to 38 digits, signs, fractions, exponents. */
    @Provide
    Arbitrary<String> numbers() {
        Arbitrary<String> sign = Arbitraries.of("", "", "-");
        Arbitrary<String> integer = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(38);
        Arbitrary<String> fraction = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20).map(digits -> "." + digits));
        Arbitrary<String> exponent = Arbitraries.oneOf(Arbitraries.just(""),
                Combinators.combine(Arbitraries.of("E", "e"), Arbitraries.of("", "+", "-"),
                        Arbitraries.integers().between(0, 125)).as((e, s, n) -> e + s + n));
        return Combinators.combine(sign, integer, fraction, exponent).as((s, i, f, e) -> s + i + f + e);
    }

    @Provide
    Arbitrary<AttributeValue> nonKeyValues() {
        return Arbitraries.of(
                AttributeValue.fromBool(true),
                AttributeValue.fromNul(true),
                AttributeValue.fromL(List.of(AttributeValue.fromS("a"))),
                AttributeValue.fromM(Map.of("a", AttributeValue.fromS("b"))),
                AttributeValue.fromSs(List.of("a", "b")),
                AttributeValue.fromNs(List.of("1")),
                AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("x"))),
                AttributeValue.builder().build());
    }
}
