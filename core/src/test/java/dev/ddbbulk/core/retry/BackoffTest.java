package dev.ddbbulk.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class BackoffTest {

    @Property(tries = 2_000)
    void delay_whenAnyAttempt_isWithinZeroAndCappedExponential(@ForAll @LongRange(min = 0, max = 10_000) long baseMillis,
                                                              @ForAll @LongRange(min = 0, max = 120_000) long extraCapMillis,
                                                              @ForAll @IntRange(min = 0, max = 200) int attempt,
                                                              @ForAll long seed) {
        Backoff backoff = new Backoff(Duration.ofMillis(baseMillis), Duration.ofMillis(baseMillis + extraCapMillis), 5);

        Duration delay = backoff.delay(attempt, new Random(seed));

        BigInteger exponential = BigInteger.valueOf(baseMillis).shiftLeft(attempt);
        long bound = exponential.min(BigInteger.valueOf(backoff.cap().toMillis())).longValueExact();
        assertThat(delay.toMillis()).isBetween(0L, bound);
    }

    @Example
    void delay_whenRandomAtItsTop_reachesTheCeiling() {
        Random top = new Random() {
            @Override
            public double nextDouble() {
                return Math.nextDown(1.0);
            }
        };
        Backoff backoff = new Backoff(Duration.ofMillis(25), Duration.ofSeconds(5), 12);

        assertThat(backoff.delay(0, top)).isEqualTo(Duration.ofMillis(25));
        assertThat(backoff.delay(3, top)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.delay(8, top)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.delay(1_000, top)).isEqualTo(Duration.ofSeconds(5));
    }

    @Example
    void delay_whenManyWorkersRetry_spreadsThem() {
        Random random = new Random(7);
        Set<Duration> distinct = new HashSet<>();

        for (int i = 0; i < 1_000; i++) {
            distinct.add(Backoff.DEFAULT.delay(6, random));
        }

        assertThat(distinct).hasSizeGreaterThan(500);
    }

    @Example
    void delay_whenBaseIsZero_neverWaits() {
        Backoff noWait = new Backoff(Duration.ZERO, Duration.ofSeconds(5), 3);

        for (int attempt = 0; attempt < 40; attempt++) {
            assertThat(noWait.delay(attempt, new Random(attempt))).isEqualTo(Duration.ZERO);
        }
    }

    @Example
    void new_whenParametersInconsistent_throws() {
        assertThatThrownBy(() -> new Backoff(Duration.ofMillis(-1), Duration.ofSeconds(1), 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofMillis(1), Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
