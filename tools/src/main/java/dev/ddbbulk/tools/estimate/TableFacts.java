package dev.ddbbulk.tools.estimate;

import java.util.List;

/**
 * What DescribeTable and DescribeContinuousBackups tell of a table. DynamoDB updates {@code itemCount} and
 * {@code sizeBytes} about every six hours, so a table changed since shows its older figures.
 *
 * @param name                the table name
 * @param itemCount           items, as of DynamoDB's last update of the figure
 * @param sizeBytes           bytes of all items, as of the same update
 * @param capacity            billing mode and capacity
 * @param tableClass          {@code STANDARD} or {@code STANDARD_INFREQUENT_ACCESS}
 * @param indexes             global and local secondary indexes
 * @param pointInTimeRecovery whether point-in-time recovery is on
 * @param warmReadUnits       the read units/s an on-demand table serves at once (warm throughput), or null when
 *                            DynamoDB doesn't say
 * @param warmWriteUnits      as {@code warmReadUnits}, for writes
 */
public record TableFacts(String name, long itemCount, long sizeBytes, Capacity capacity, String tableClass,
                         List<IndexFacts> indexes, PointInTimeRecovery pointInTimeRecovery, Long warmReadUnits,
                         Long warmWriteUnits) {

    /** Point-in-time recovery's status, or why it is not known. */
    public record PointInTimeRecovery(Status status, String unknownBecause) {
        public enum Status { ENABLED, DISABLED, UNKNOWN }

        public static PointInTimeRecovery of(boolean enabled) {
            return new PointInTimeRecovery(enabled ? Status.ENABLED : Status.DISABLED, null);
        }

        public static PointInTimeRecovery unknown(String because) {
            return new PointInTimeRecovery(Status.UNKNOWN, because);
        }
    }

    public TableFacts {
        indexes = List.copyOf(indexes);
    }

    /** Average bytes of an item, 0 for an empty table. */
    public double averageItemBytes() {
        return itemCount == 0 ? 0 : (double) sizeBytes / itemCount;
    }
}
