package dev.ddbbulk.worker;

import java.time.Duration;
import java.util.Random;

/**
 * When a failed segment message comes back: after a backoff that doubles with each receive, from
 * {@code firstDelay} up to {@code maxDelay}, with jitter so that segments failing together do not return
 * together. The queue's long visibility timeout only guards against a worker that dies; a failure the worker
 * sees shortens it to this. On the queue's last receive ({@code maxReceiveCount}) the message comes back at
 * once, for the queue to move it to the dead-letter queue.
 *
 * @param maxReceiveCount the segment queue's redrive policy's maxReceiveCount
 */
public record Redelivery(Duration firstDelay, Duration maxDelay, int maxReceiveCount) {
    /** SQS's longest visibility timeout. */
    static final Duration MAX_VISIBILITY = Duration.ofHours(12);

    /** The template's defaults: 10 s, doubling up to 15 minutes, and three receives. */
    public static final Redelivery DEFAULT = new Redelivery(Duration.ofSeconds(10), Duration.ofMinutes(15), 3);

    public Redelivery {
        if (firstDelay.isNegative() || firstDelay.compareTo(maxDelay) > 0 || maxDelay.compareTo(MAX_VISIBILITY) > 0) {
            throw new IllegalArgumentException("The redelivery delays need 0 <= first <= max <= 12 h, got "
                    + firstDelay + " and " + maxDelay);
        }
        if (maxReceiveCount < 1) {
            throw new IllegalArgumentException("maxReceiveCount must be at least 1, got " + maxReceiveCount);
        }
    }

    /**
     * A policy whose first delay is {@code firstDelay}, doubling up to sixteen times it (and no more than
     * {@link #DEFAULT}'s maximum, unless the first is longer): the local fleet's, from its retry delay.
     */
    public static Redelivery startingAt(Duration firstDelay, int maxReceiveCount) {
        Duration max = firstDelay.multipliedBy(16);
        if (max.compareTo(DEFAULT.maxDelay()) > 0) {
            max = firstDelay.compareTo(DEFAULT.maxDelay()) > 0 ? firstDelay : DEFAULT.maxDelay();
        }
        return new Redelivery(firstDelay, max, maxReceiveCount);
    }

    /** A failed delivery is on its last receive: the queue will move it to the dead-letter queue. */
    public boolean lastReceive(int receiveCount) {
        return receiveCount >= maxReceiveCount;
    }

    /**
     * The visibility timeout, in whole seconds, for a message that failed on its {@code receiveCount}-th
     * receive: half the doubled delay plus a random share of the other half.
     */
    public int visibilitySeconds(int receiveCount, Random random) {
        if (lastReceive(receiveCount)) {
            return 0;
        }
        long full = firstDelay.toMillis() << Math.min(30, Math.max(0, receiveCount - 1));
        long capped = Math.min(maxDelay.toMillis(), full);
        long jittered = capped / 2 + (capped / 2 == 0 ? 0 : (long) (random.nextDouble() * (capped - capped / 2)));
        return (int) Math.max(firstDelay.isZero() ? 0 : 1, Math.round(jittered / 1000.0));
    }
}
