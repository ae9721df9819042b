package dev.ddbbulk.core.rate;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.retry.Sleeper;
import java.time.Clock;
import java.time.Duration;

/**
 * Holds one worker to at most {@code permitsPerSecond} items per second: a token bucket that holds at
 * most one second of permits, so an idle worker cannot burst above the rate afterwards for long.
 * Not thread-safe: each worker owns one.
 */
public final class RateLimiter {
    private final double permitsPerSecond;
    private final Clock clock;
    private final Sleeper sleeper;
    private double available;
    private long lastRefillMillis;

    private RateLimiter(double permitsPerSecond, Clock clock, Sleeper sleeper) {
        this.permitsPerSecond = permitsPerSecond;
        this.clock = clock;
        this.sleeper = sleeper;
        this.available = 0;
        this.lastRefillMillis = clock.millis();
    }

    /** @param permitsPerSecond items per second, or {@link JobConfig#UNLIMITED} */
    public static RateLimiter of(double permitsPerSecond, Clock clock, Sleeper sleeper) {
        if (permitsPerSecond == JobConfig.UNLIMITED) {
            return new RateLimiter(Double.POSITIVE_INFINITY, clock, sleeper);
        }
        if (!(permitsPerSecond > 0)) {
            throw new IllegalArgumentException("rate must be > 0 or -1, got " + permitsPerSecond);
        }
        return new RateLimiter(permitsPerSecond, clock, sleeper);
    }

    public boolean unlimited() {
        return Double.isInfinite(permitsPerSecond);
    }

    /** How long {@link #acquire} would wait for {@code permits} now. */
    public Duration waitFor(int permits) {
        if (unlimited() || permits <= 0) {
            return Duration.ZERO;
        }
        refill();
        double after = available - permits;
        return after >= 0 ? Duration.ZERO : Duration.ofMillis((long) Math.ceil(-after * 1000.0 / permitsPerSecond));
    }

    /** Blocks until {@code permits} items may go. A request above the bucket's size goes into debt. */
    public void acquire(int permits) throws InterruptedException {
        if (unlimited() || permits <= 0) {
            return;
        }
        refill();
        available -= permits;
        if (available < 0) {
            long waitMillis = (long) Math.ceil(-available * 1000.0 / permitsPerSecond);
            sleeper.sleep(Duration.ofMillis(waitMillis));
        }
    }

    private void refill() {
        long now = clock.millis();
        long elapsed = now - lastRefillMillis;
        if (elapsed > 0) {
            available = Math.min(permitsPerSecond, available + elapsed * permitsPerSecond / 1000.0);
            lastRefillMillis = now;
        }
    }
}
