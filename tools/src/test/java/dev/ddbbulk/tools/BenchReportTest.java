package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    @Test
    void median_whenOddCount_isTheMiddleOneWhateverTheOrder() {
        assertThat(BenchReport.median(List.of(0.95, 0.71, 1.02, 0.93, 0.88))).isEqualTo(0.93);
    }

    @Test
    void median_whenEvenCount_isTheMeanOfTheMiddleTwo() {
        assertThat(BenchReport.median(List.of(0.9, 0.8, 1.0, 0.95))).isEqualTo(0.925);
    }

    @Test
    void median_whenARoundHasNoRatio_leavesItOut() {
        assertThat(BenchReport.median(Arrays.asList(0.9, null, 0.8))).isEqualTo(0.85);
    }

    @Test
    void median_whenNoRounds_isNull() {
        assertThat(BenchReport.median(List.of())).isNull();
    }
}
