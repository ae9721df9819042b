package dev.ddbbulk.core.job;

import java.util.Locale;

/**
 * The TotalSegments parameter as given: a number, kept as it is, or {@code auto}, which {@link AutoSegments} turns
 * into a number before the job is built. Workers and the ledger only ever see the number.
 *
 * @param number the segments given, or 0 for {@code auto}
 */
public record SegmentCount(int number) {
    public static final String AUTO_TEXT = "auto";
    public static final SegmentCount AUTO = new SegmentCount(0);

    public SegmentCount {
        if (number < 0 || number > JobConfig.MAX_SEGMENTS) {
            throw outOfRange(number);
        }
    }

    /** {@code auto} (any case) or a whole number in 1..1,000,000, as the template's AllowedPattern takes it. */
    public static SegmentCount parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.toLowerCase(Locale.ROOT).equals(AUTO_TEXT)) {
            return AUTO;
        }
        long n;
        try {
            n = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new InvalidJobException("TotalSegments must be auto or a whole number between 1 and "
                    + JobConfig.MAX_SEGMENTS + ", got '" + t + "'; set --segments / TotalSegments to auto or a number"
                    + " in that range", e);
        }
        if (n < 1 || n > JobConfig.MAX_SEGMENTS) {
            throw outOfRange(n);
        }
        return new SegmentCount((int) n);
    }

    public static SegmentCount of(int number) {
        if (number < 1) {
            throw outOfRange(number);
        }
        return new SegmentCount(number);
    }

    public boolean auto() {
        return number == 0;
    }

    @Override
    public String toString() {
        return auto() ? AUTO_TEXT : Integer.toString(number);
    }

    private static InvalidJobException outOfRange(long n) {
        return new InvalidJobException("TotalSegments must be between 1 and " + JobConfig.MAX_SEGMENTS + ", got " + n
                + "; set --segments / TotalSegments within that range, or to auto");
    }
}
