package dev.ddbbulk.core.retry;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th
 * wait is uniform in [0, min(cap, base * 2^n)], so retrying workers spread out instead of retrying in step.
 */
public record Backoff(Duration base, Duration cap, int maxAttempts) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(25), Duration.ofSeconds(5), 12);

    public Backoff {
        if (base.isNegative() || cap.compareTo(base) < 0 || maxAttempts < 1) {
            throw new IllegalArgumentException("bad backoff " + base + "/" + cap + "/" + maxAttempts);
        }
    }

    /** The wait before retry number {@code attempt} (0-based). */
    public Duration delay(int attempt, Random random) {
        long baseMillis = base.toMillis();
        long capMillis = cap.toMillis();
        int shift = Math.min(attempt, 62);
        // Compare before shifting so that a large attempt cannot overflow, and a zero base stays zero.
        long ceiling = baseMillis > (capMillis >> shift) ? capMillis : baseMillis << shift;
        return Duration.ofMillis((long) (random.nextDouble() * (ceiling + 1)));
    }
}
