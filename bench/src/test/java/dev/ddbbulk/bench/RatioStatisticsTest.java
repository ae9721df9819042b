package dev.ddbbulk.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RatioStatisticsTest {
    @Test
    void median_whenOddCount_isTheMiddleOneWhateverTheOrder() {
        assertThat(RatioStatistics.median(List.of(0.95, 0.71, 1.02, 0.93, 0.88))).isEqualTo(0.93);
    }

    @Test
    void median_whenEvenCount_isTheMeanOfTheMiddleTwo() {
        assertThat(RatioStatistics.median(List.of(0.9, 0.8, 1.0, 0.95))).isEqualTo(0.925);
    }

    @Test
    void median_whenARoundHasNoRatio_leavesItOut() {
        assertThat(RatioStatistics.median(Arrays.asList(0.9, null, 0.8))).isEqualTo(0.85);
    }

    @Test
    void median_whenNoRounds_isNull() {
        assertThat(RatioStatistics.median(List.of())).isNull();
    }

    @Test
    void interval_whenRoundsOfRunA_isTheGeometricMeanWithStudentsTInterval() {
        // run A of 2026-12-01 in the README: by hand, exp(mean of logs) and exp(mean +- 2.776 s / sqrt 5)
        RatioStatistics.Interval interval = RatioStatistics.interval(List.of(0.849, 0.876, 0.851, 1.066, 1.133));

        assertThat(interval).isEqualTo(new RatioStatistics.Interval(0.948, 0.799, 1.124, 5));
    }

    @Test
    void interval_whenTwoPairs_usesTheWideQuantileOfOneDegreeOfFreedom() {
        RatioStatistics.Interval interval = RatioStatistics.interval(List.of(Math.exp(-0.1), Math.exp(0.1)));

        assertThat(interval).isEqualTo(new RatioStatistics.Interval(1.0, 0.281, 3.563, 2));
    }

    @Test
    void interval_whenEveryPairIsTheSame_hasNoWidth() {
        assertThat(RatioStatistics.interval(List.of(0.95, 0.95, 0.95))).isEqualTo(new RatioStatistics.Interval(0.95, 0.95, 0.95, 3));
    }

    @Test
    void interval_whenFewerThanTwoPairs_isNull() {
        assertThat(RatioStatistics.interval(Arrays.asList(0.9, null))).isNull();
        assertThat(RatioStatistics.interval(List.of())).isNull();
    }

    @Test
    void verdict_whenTheIntervalLiesAboveBelowOrAcrossTheTarget_saysWhichOne() {
        assertThat(RatioStatistics.verdict(new RatioStatistics.Interval(0.95, 0.91, 0.99, 10), 0.9)).contains("meets");
        assertThat(RatioStatistics.verdict(new RatioStatistics.Interval(0.85, 0.8, 0.89, 10), 0.9)).contains("misses");
        assertThat(RatioStatistics.verdict(new RatioStatistics.Interval(0.93, 0.85, 1.01, 5), 0.9)).contains("cannot tell");
    }

    @Test
    void mean_whenValues_isTheirAverageAndNullWhenNone() {
        assertThat(RatioStatistics.mean(List.of(0.8, 0.9))).isCloseTo(0.85, within(1e-9));
        assertThat(RatioStatistics.mean(List.of())).isNull();
    }
}
