package dev.ddbbulk.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** The moment an invocation must have returned by: Lambda's remaining time, or the CLI's --time-budget. */
public record Deadline(Instant at, Clock clock) {

    public static Deadline after(Duration budget, Clock clock) {
        return new Deadline(clock.instant().plus(budget), clock);
    }

    public Duration remaining() {
        return Duration.between(clock.instant(), at);
    }
}
