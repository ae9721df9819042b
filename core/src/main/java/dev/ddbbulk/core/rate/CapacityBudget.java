package dev.ddbbulk.core.rate;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.retry.Sleeper;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * One worker's share of a table's capacity budget, in capacity units per second, measured from what
 * DynamoDB reports in {@code ConsumedCapacity}. Because the cost of a call is known only after it, this
 * is a debt bucket: a call waits until the balance is not negative, then its consumption is charged.
 * It holds at most one second of units. On throttling it halves its rate and then recovers a tenth of the
 * target each second without throttling (AIMD), so a fleet backs off from a hot table and comes back.
 * Thread-safe, so that workers in one JVM can share one budget; Lambda workers each hold their share.
 */
public final class CapacityBudget {
    private static final Duration RECOVERY_PAUSE = Duration.ofSeconds(1);

    private final double target;
    private final Clock clock;
    private final Sleeper sleeper;
    private double rate;
    private double balance;
    private long lastRefillMillis;
    private long lastThrottleMillis = Long.MIN_VALUE / 2;
    private long throttles;

    private CapacityBudget(double unitsPerSecond, Clock clock, Sleeper sleeper) {
        this.target = unitsPerSecond;
        this.rate = unitsPerSecond;
        this.clock = clock;
        this.sleeper = sleeper;
        this.lastRefillMillis = clock.millis();
    }

    /**
     * @param unitsPerSecond this worker's units per second, or {@link JobConfig#UNLIMITED}
     * @param sleeper        waits for capacity; kept for an unlimited budget too, so that a test can see it
     *                       is never asked to wait
     */
    public static CapacityBudget of(double unitsPerSecond, Clock clock, Sleeper sleeper) {
        if (unitsPerSecond == JobConfig.UNLIMITED) {
            return new CapacityBudget(Double.POSITIVE_INFINITY, clock, sleeper);
        }
        if (!(unitsPerSecond > 0)) {
            throw new IllegalArgumentException("units per second must be > 0 or -1, got " + unitsPerSecond);
        }
        return new CapacityBudget(unitsPerSecond, clock, sleeper);
    }

    public static CapacityBudget unlimited() {
        return of(JobConfig.UNLIMITED, Clock.systemUTC(), Sleeper.SYSTEM);
    }

    /**
     * What a write metered by this budget asks DynamoDB to return: its consumed capacity, or nothing when
     * the budget is unlimited (DynamoDB Local, for one, spends measurable time working it out).
     */
    public ReturnConsumedCapacity consumedCapacityToReturn() {
        return isUnlimited() ? ReturnConsumedCapacity.NONE : ReturnConsumedCapacity.TOTAL;
    }

    public boolean isUnlimited() {
        return Double.isInfinite(target);
    }

    /** The rate now, below the target after throttling. */
    public synchronized double currentRate() {
        return rate;
    }

    /** How long {@link #awaitCapacity} would wait now. */
    public Duration debt() {
        return isUnlimited() ? Duration.ZERO : Duration.ofMillis(debtMillis());
    }

    /** Waits until the budget is out of debt. */
    public void awaitCapacity() throws InterruptedException {
        if (isUnlimited()) {
            return;
        }
        for (long wait = debtMillis(); wait > 0; wait = debtMillis()) {
            sleeper.sleep(Duration.ofMillis(wait));
        }
    }

    private synchronized long debtMillis() {
        refill();
        return balance < 0 ? (long) Math.ceil(-balance * 1000.0 / rate) : 0;
    }

    /** Charges what a call consumed. */
    public synchronized void consumed(double units) {
        if (isUnlimited() || units <= 0) {
            return;
        }
        refill();
        balance -= units;
    }

    /** DynamoDB throttled us: halve the rate (down to a twentieth of the target). */
    public synchronized void throttled() {
        throttles++;
        if (isUnlimited()) {
            return;
        }
        refill();
        rate = Math.max(target / 20, rate / 2);
        balance = Math.min(balance, 0);
        lastThrottleMillis = clock.millis();
    }

    /**
     * How often DynamoDB throttled the calls this budget meters, since it was made: a worker reports the
     * difference over a segment's delivery.
     */
    public synchronized long throttles() {
        return throttles;
    }

    private void refill() {
        long now = clock.millis();
        long elapsed = now - lastRefillMillis;
        if (elapsed <= 0) {
            return;
        }
        if (rate < target && now - lastThrottleMillis >= RECOVERY_PAUSE.toMillis()) {
            rate = Math.min(target, rate + target / 10 * elapsed / 1000.0);
        }
        balance = Math.min(rate, balance + rate * elapsed / 1000.0);
        lastRefillMillis = now;
    }
}
