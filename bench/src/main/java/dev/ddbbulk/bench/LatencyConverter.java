package dev.ddbbulk.bench;

import dev.ddbbulk.tools.DurationConverter;
import java.time.Duration;
import picocli.CommandLine;

/** {@code --latency}: a duration as the CLI writes them (5ms, 1s), or 0 for none. */
final class LatencyConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String trimmed = value.trim();
        return trimmed.equals("0") || trimmed.equals("0ms") ? Duration.ZERO : new DurationConverter().convert(trimmed);
    }
}
