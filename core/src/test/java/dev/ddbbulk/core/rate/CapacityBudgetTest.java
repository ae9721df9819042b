package dev.ddbbulk.core.rate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.JobConfigCodec;
import dev.ddbbulk.core.testing.MutableClock;
import dev.ddbbulk.core.testing.RecordingSleeper;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

class CapacityBudgetTest {

    @Test
    void awaitCapacity_whenCallsConsumeMoreThanTheRate_holdsTheRateOverTime() throws Exception {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        CapacityBudget budget = CapacityBudget.of(50, clock, sleeper);
        long start = clock.millis();
        double consumed = 0;

        while (clock.millis() - start < 30_000) {
            budget.awaitCapacity();
            budget.consumed(12.5);            // a batch of 25 half-unit writes
            consumed += 12.5;
            clock.advance(Duration.ofMillis(5));  // the call itself
        }

        double rate = consumed / ((clock.millis() - start) / 1000.0);
        assertThat(rate).isBetween(50 * 0.95, 50 * 1.05);
    }

    @Test
    void awaitCapacity_whenIdleForLong_allowsAtMostOneSecondOfBurst() throws Exception {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        CapacityBudget budget = CapacityBudget.of(100, clock, sleeper);
        clock.advance(Duration.ofMinutes(10));

        for (int i = 0; i < 30; i++) {
            budget.awaitCapacity();
            budget.consumed(10);
        }

        // 300 units at 100/s with one second banked: at least 2 s of waiting.
        assertThat(sleeper.total()).isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
    }

    @Test
    void throttled_halvesTheRateThenRecoversToTheTarget() throws Exception {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        CapacityBudget budget = CapacityBudget.of(100, clock, new RecordingSleeper(clock));

        budget.throttled();
        assertThat(budget.currentRate()).isEqualTo(50);
        budget.throttled();
        assertThat(budget.currentRate()).isEqualTo(25);
        for (int i = 0; i < 20; i++) {
            budget.throttled();
        }
        assertThat(budget.currentRate()).isEqualTo(5);

        clock.advance(Duration.ofSeconds(30));
        budget.awaitCapacity();
        assertThat(budget.currentRate()).isEqualTo(100);
    }

    @Test
    void throttles_countsEveryThrottleLimitedOrNot() {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        CapacityBudget limited = CapacityBudget.of(100, clock, new RecordingSleeper(clock));
        CapacityBudget unlimited = CapacityBudget.of(JobConfig.UNLIMITED, clock, new RecordingSleeper(clock));

        for (int i = 0; i < 3; i++) {
            limited.throttled();
            unlimited.throttled();
        }

        // An unlimited budget does not slow down, but its worker still reports the throttles.
        assertThat(limited.throttles()).isEqualTo(3);
        assertThat(unlimited.throttles()).isEqualTo(3);
    }

    @Test
    void awaitCapacity_whenUnlimitedAndConsumingHeavilyAndThrottled_neverSleeps() throws Exception {
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        CapacityBudget budget = CapacityBudget.of(JobConfig.UNLIMITED, clock, sleeper);

        // A limited budget of any rate would wait hours for this: a million calls of 1,000 units each,
        // throttled every 1,000th call, in 10 s of (test) time.
        for (int call = 0; call < 1_000_000; call++) {
            budget.awaitCapacity();
            budget.consumed(1_000);
            if (call % 1_000 == 0) {
                budget.throttled();
                clock.advance(Duration.ofMillis(10));
            }
        }

        assertThat(sleeper.sleeps()).isEmpty();
        assertThat(budget.isUnlimited()).isTrue();
        assertThat(budget.currentRate()).isInfinite();
        assertThat(budget.consumedCapacityToReturn()).isEqualTo(ReturnConsumedCapacity.NONE);
    }

    @Test
    void awaitCapacity_whenLimitedAndConsumingHeavily_sleepsThroughTheSameSleeper() throws Exception {
        // The counterpart of the test above: the same sleeper does see the waits of a limited budget.
        MutableClock clock = MutableClock.atEpochSecond(1_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        CapacityBudget budget = CapacityBudget.of(1_000, clock, sleeper);

        for (int call = 0; call < 10; call++) {
            budget.awaitCapacity();
            budget.consumed(1_000);
        }

        // 10,000 units at 1,000/s from an empty balance: 9 s of waiting before the 10th call.
        assertThat(sleeper.total()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void of_whenRateIsZero_isRefused() {
        assertThatThrownBy(() -> CapacityBudget.of(0, MutableClock.atEpochSecond(0), RecordingSleeper.withoutClock()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jobConfig_whenBudgetIsZero_namesTheParameter() {
        assertThatThrownBy(() -> JobConfig.builder().sourceTable("src").maxWriteUnits(0).build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("MaxWriteUnits must be a positive number of capacity units/s");
    }

    @Test
    void jobConfig_splitsTheBudgetOverTheWorkers() {
        JobConfig job = JobConfig.builder().sourceTable("src").parallelWorkers(4).maxReadUnits(400)
                .maxWriteUnits(100).build();

        assertThat(job.readUnitsPerWorker()).isEqualTo(100);
        assertThat(job.writeUnitsPerWorker()).isEqualTo(25);
        assertThat(JobConfigCodec.fromJson(JobConfigCodec.toJson(job))).isEqualTo(job);
    }
}
