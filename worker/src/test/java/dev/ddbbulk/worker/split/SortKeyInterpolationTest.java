package dev.ddbbulk.worker.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class SortKeyInterpolationTest {

    private static AttributeValue n(String v) {
        return AttributeValue.fromN(v);
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return AttributeValue.fromB(SdkBytes.fromByteArray(out));
    }

    /** Every boundary strictly between its neighbours, from {@code from} to {@code to}. */
    private static void assertStrictlyBetween(AttributeValue from, List<AttributeValue> bounds, AttributeValue to,
                                              String type) {
        List<AttributeValue> all = new ArrayList<>();
        all.add(from);
        all.addAll(bounds);
        all.add(to);
        for (int i = 0; i + 1 < all.size(); i++) {
            assertThat(SortKeyInterpolation.compare(all.get(i), all.get(i + 1), type))
                    .as("%s before %s", all.get(i), all.get(i + 1)).isNegative();
        }
    }

    @Test
    void boundaries_whenNumbers_cutsTheRangeIntoEqualWidths() {
        List<AttributeValue> bounds = SortKeyInterpolation.boundaries(n("0"), n("100"), "N", 4);

        assertThat(bounds).extracting(AttributeValue::n).containsExactly("25", "50", "75");
    }

    @Test
    void boundaries_whenAdjacentIntegers_cutsBetweenThemWithFractions() {
        List<AttributeValue> bounds = SortKeyInterpolation.boundaries(n("7"), n("8"), "N", 4);

        assertThat(bounds).extracting(AttributeValue::n).containsExactly("7.25", "7.5", "7.75");
    }

    @Test
    void boundaries_whenNumbersAtDynamoDbsEdges_staysWithinThirtyEightDigits() {
        AttributeValue from = n("-9.9999999999999999999999999999999999999E+125");
        AttributeValue to = n("9.9999999999999999999999999999999999999E+125");

        List<AttributeValue> bounds = SortKeyInterpolation.boundaries(from, to, "N", 8);

        assertThat(bounds).hasSize(7);
        assertStrictlyBetween(from, bounds, to, "N");
        assertThat(bounds).allSatisfy(v -> assertThat(new BigDecimal(v.n()).precision()).isLessThanOrEqualTo(38));
    }

    @Test
    void boundaries_whenBoundsEqualOrReversed_isEmpty() {
        assertThat(SortKeyInterpolation.boundaries(n("5"), n("5"), "N", 4)).isEmpty();
        assertThat(SortKeyInterpolation.boundaries(n("6"), n("5"), "N", 4)).isEmpty();
        assertThat(SortKeyInterpolation.boundaries(s("abc"), s("abc"), "S", 4)).isEmpty();
        assertThat(SortKeyInterpolation.boundaries(b(1, 2), b(1, 2), "B", 4)).isEmpty();
    }

    @Test
    void boundaries_whenOnePart_isEmpty() {
        assertThat(SortKeyInterpolation.boundaries(n("0"), n("100"), "N", 1)).isEmpty();
    }

    @Test
    void boundaries_whenStringsShareAPrefix_interpolatesTheRestWithinTheirCharacters() {
        AttributeValue from = s("ORDER#000100");
        AttributeValue to = s("ORDER#039999");

        List<AttributeValue> bounds = SortKeyInterpolation.boundaries(from, to, "S", 4);

        assertThat(bounds).hasSize(3);
        assertStrictlyBetween(from, bounds, to, "S");
        assertThat(bounds).allSatisfy(v -> assertThat(v.s()).startsWith("ORDER#0").matches("ORDER#0[/0-9]*"));
    }

    @Test
    void boundaries_whenOneStringBeginsTheOther_findsKeysBetween() {
        AttributeValue from = s("a");
        AttributeValue to = s("ab");

        List<AttributeValue> bounds = SortKeyInterpolation.boundaries(from, to, "S", 3);

        assertThat(bounds).isNotEmpty();
        assertStrictlyBetween(from, bounds, to, "S");
    }

    @Test
    void boundaries_whenNothingFitsBetweenStrings_isEmpty() {
        // "a" and "a\u0000"... no: the next string after "a" in DynamoDB's order is "a" + U+0000.
        assertThat(SortKeyInterpolation.boundaries(s("a"), s("a\u0000"), "S", 4)).isEmpty();
    }

    @Test
    void boundaries_whenStringsSpanTheSurrogateBlock_makesOnlyValidCharactersInCodePointOrder() {
        AttributeValue from = s("k\uD000");
        AttributeValue to = s("k\uE800");

        List<AttributeValue> bounds = SortKeyInterpolation.boundaries(from, to, "S", 16);

        assertThat(bounds).isNotEmpty();
        assertStrictlyBetween(from, bounds, to, "S");
        assertThat(bounds).allSatisfy(v -> assertThat(v.s().chars().noneMatch(c -> Character.isSurrogate((char) c))).isTrue());
    }

    @Test
    void boundaries_whenSupplementaryCharacters_ordersByCodePointAsDynamoDbDoesByUtf8() {
        // U+FF5E sorts before U+1F600 in UTF-8 and by code point, but after it in Java's UTF-16 order.
        AttributeValue from = s("x\uFF5E");
        AttributeValue to = s("x" + new String(Character.toChars(0x1F600)));

        List<AttributeValue> bounds = SortKeyInterpolation.boundaries(from, to, "S", 4);

        assertThat(bounds).hasSize(3);
        assertStrictlyBetween(from, bounds, to, "S");
    }

    @Test
    void boundaries_whenBinaries_interpolatesUnsignedBytes() {
        AttributeValue from = b(0x10, 0x00);
        AttributeValue to = b(0x10, 0xF0);

        List<AttributeValue> bounds = SortKeyInterpolation.boundaries(from, to, "B", 4);

        assertThat(bounds).hasSize(3);
        assertStrictlyBetween(from, bounds, to, "B");
    }

    @Test
    void boundaries_whenBinariesAtTheByteEdges_staysBetweenThem() {
        AttributeValue from = b(0x00);
        AttributeValue to = b(0xFF, 0xFF, 0xFF);

        List<AttributeValue> bounds = SortKeyInterpolation.boundaries(from, to, "B", 10);

        assertThat(bounds).hasSize(9);
        assertStrictlyBetween(from, bounds, to, "B");
    }

    @Test
    void boundaries_whenAdjacentBinaries_isEmpty() {
        assertThat(SortKeyInterpolation.boundaries(b(0x01), b(0x01, 0x00), "B", 4)).isEmpty();
    }

    @Test
    void boundaries_whenTypeIsNotAKeyType_refusesIt() {
        assertThatThrownBy(() -> SortKeyInterpolation.boundaries(s("a"), s("b"), "BOOL", 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("N, S or B");
    }

    @Test
    void fraction_whenNumbers_isTheShareOfTheWayCovered() {
        assertThat(SortKeyInterpolation.fraction(n("100"), n("200"), n("125"), "N")).isEqualTo(0.25);
        assertThat(SortKeyInterpolation.fraction(n("100"), n("200"), n("300"), "N")).isEqualTo(1.0);
    }

    @Test
    void fraction_whenStringsOrBinaries_measuresTheWayAsTheBoundariesAreCut() {
        AttributeValue from = s("ORDER#000000");
        AttributeValue to = s("ORDER#900000");
        List<AttributeValue> bounds = SortKeyInterpolation.boundaries(from, to, "S", 4);

        assertThat(SortKeyInterpolation.fraction(from, to, bounds.get(1), "S")).isCloseTo(0.5, within(0.01));
        assertThat(SortKeyInterpolation.fraction(from, to, s("ORDER#450000"), "S")).isCloseTo(0.5, within(0.05));
        assertThat(SortKeyInterpolation.fraction(b(0x00), b(0xF0), b(0x3C), "B")).isCloseTo(0.25, within(0.01));
    }
}
