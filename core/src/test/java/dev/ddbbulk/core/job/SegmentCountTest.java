package dev.ddbbulk.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SegmentCountTest {
    @Test
    void parse_whenAutoInAnyCase_isAuto() {
        assertThat(SegmentCount.parse("auto").auto()).isTrue();
        assertThat(SegmentCount.parse(" AUTO ").auto()).isTrue();
        assertThat(SegmentCount.AUTO).hasToString("auto");
    }

    @Test
    void parse_whenNumber_keepsIt() {
        assertThat(SegmentCount.parse(" 64 ").number()).isEqualTo(64);
        assertThat(SegmentCount.parse("1000000").auto()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3", "1000001", "99999999999"})
    void parse_whenOutOfRange_throwsOneLineNamingTheRange(String text) {
        assertThatThrownBy(() -> SegmentCount.parse(text))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("TotalSegments must be between 1 and 1000000, got " + text.trim())
                .hasMessageContaining("--segments");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lots", "", "1.5", "automatic"})
    void parse_whenNeitherAutoNorAWholeNumber_throwsOneLineNamingTheFix(String text) {
        assertThatThrownBy(() -> SegmentCount.parse(text))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("TotalSegments must be auto or a whole number between 1 and 1000000, got '" + text
                        + "'; set --segments / TotalSegments to auto or a number in that range");
    }
}
