package dev.ddbbulk.seeder;

import java.time.Duration;

/** What a seeder call did. {@code alreadySeeded}: a retry found the run fully seeded and sent nothing. */
public record SeedResult(String runId, int totalSegments, long messagesSent, boolean alreadySeeded, Duration elapsed) {
}
