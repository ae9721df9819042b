package dev.ddbbulk.core.retry;

import java.time.Duration;

/** Waits; injected so that backoff and rate limiting are testable without real time passing. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;

    Sleeper SYSTEM = d -> {
        if (!d.isNegative() && !d.isZero()) {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        }
    };
}
