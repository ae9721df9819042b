package dev.ddbbulk.core.rate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.testing.MutableClock;
import dev.ddbbulk.core.testing.RecordingSleeper;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RateLimiterTest {

    @Example
    void acquire_when100PerSecondAnd500PermitsInPagesOf50_sleepsFiveSecondsInAll() throws Exception {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        RateLimiter limiter = RateLimiter.of(100, clock, sleeper);

        for (int page = 0; page < 10; page++) {
            limiter.acquire(50);
        }

        assertThat(sleeper.total()).isBetween(Duration.ofMillis(4_990), Duration.ofMillis(5_010));
        assertThat(sleeper.sleeps()).hasSize(10).allSatisfy(d -> assertThat(d.toMillis()).isBetween(499L, 501L));
    }

    @Example
    void acquire_whenWorkTakesLongerThanTheRate_doesNotSleep() throws Exception {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        RateLimiter limiter = RateLimiter.of(100, clock, sleeper);
        limiter.acquire(50);
        int sleepsAfterFirstPage = sleeper.sleeps().size();

        for (int page = 0; page < 10; page++) {
            clock.advance(Duration.ofSeconds(1));   // each page of 50 takes a second: half the allowed rate
            limiter.acquire(50);
        }

        assertThat(sleeper.sleeps()).hasSize(sleepsAfterFirstPage);
    }

    @Example
    void acquire_whenIdleForLong_burstsAtMostOneSecondOfPermits() throws Exception {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        RateLimiter limiter = RateLimiter.of(100, clock, sleeper);
        clock.advance(Duration.ofMinutes(10));

        limiter.acquire(300);

        // 100 permits banked at most, so 200 more take two seconds
        assertThat(sleeper.total()).isEqualTo(Duration.ofSeconds(2));
    }

    @Example
    void acquire_whenUnlimited_neverSleeps() throws Exception {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        RateLimiter limiter = RateLimiter.of(JobConfig.UNLIMITED, clock, sleeper);

        for (int page = 0; page < 10_000; page++) {
            limiter.acquire(1_000);
        }

        assertThat(limiter.unlimited()).isTrue();
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Example
    void acquire_whenZeroPermits_neverSleeps() throws Exception {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);

        RateLimiter.of(1, clock, sleeper).acquire(0);

        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Example
    void of_whenRateNotPositiveNorUnlimited_throws() {
        MutableClock clock = MutableClock.atEpochSecond(0);
        for (double rate : List.of(0.0, -2.0, -0.5, Double.NaN)) {
            assertThatThrownBy(() -> RateLimiter.of(rate, clock, RecordingSleeper.withoutClock()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** However pages are sized, P permits at r/s take P/r seconds from an empty start, give or take rounding. */
    @Property(tries = 300)
    void acquire_whenAnyPageSizes_holdsTheRate(@ForAll @DoubleRange(min = 1, max = 5_000) double rate,
                                               @ForAll @Size(min = 1, max = 100) List<@IntRange(min = 1, max = 500) Integer> pages)
            throws Exception {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        RateLimiter limiter = RateLimiter.of(rate, clock, sleeper);
        long permits = 0;

        for (int page : pages) {
            limiter.acquire(page);
            permits += page;
        }

        double idealMillis = permits * 1000.0 / rate;
        assertThat((double) sleeper.total().toMillis())
                .isGreaterThanOrEqualTo(idealMillis - 1)
                .isLessThanOrEqualTo(idealMillis + pages.size() + 1);
    }

    @Example
    void waitFor_whenTheBucketIsEmpty_tellsTheWaitWithoutTakingPermits() throws InterruptedException {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        RateLimiter limiter = RateLimiter.of(10, clock, sleeper);

        assertThat(limiter.waitFor(20)).isEqualTo(Duration.ofSeconds(2));
        assertThat(limiter.waitFor(20)).isEqualTo(Duration.ofSeconds(2));
        limiter.acquire(20);
        assertThat(sleeper.total()).isEqualTo(Duration.ofSeconds(2));
        assertThat(RateLimiter.of(-1, clock, sleeper).waitFor(1_000)).isZero();
    }
}
