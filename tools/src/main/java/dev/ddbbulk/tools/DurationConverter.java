package dev.ddbbulk.tools;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads durations the way people write them: {@code 500ms}, {@code 2s}, {@code 15m}, {@code 1h}, or ISO-8601. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        Matcher m = SIMPLE.matcher(value.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
            return positive(d, value);
        }
        try {
            return positive(Duration.parse(value.trim()), value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a duration; write it like 500ms, 2s, 15m or 1h");
        }
    }

    private static Duration positive(Duration d, String value) {
        if (d.isZero() || d.isNegative()) {
            throw new CommandLine.TypeConversionException("duration '" + value + "' must be above zero");
        }
        return d;
    }
}
