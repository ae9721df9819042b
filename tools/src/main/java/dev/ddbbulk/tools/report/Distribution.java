package dev.ddbbulk.tools.report;

import java.util.Arrays;

/**
 * Percentiles of one figure over a set of segments, by the nearest-rank method (p50 of 1..10 is 5).
 *
 * @param count how many segments the figures are over; the other fields are 0 when it is 0
 */
public record Distribution(int count, long min, long p50, long p90, long p99, long max) {
    public static final Distribution EMPTY = new Distribution(0, 0, 0, 0, 0, 0);

    /** The distribution of the first {@code count} values of {@code values}, which it sorts in place. */
    static Distribution ofSortingInPlace(long[] values, int count) {
        if (count == 0) {
            return EMPTY;
        }
        Arrays.sort(values, 0, count);
        return new Distribution(count, values[0], rank(values, count, 50), rank(values, count, 90),
                rank(values, count, 99), values[count - 1]);
    }

    private static long rank(long[] sorted, int count, int percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * count);
        return sorted[Math.max(0, rank - 1)];
    }
}
