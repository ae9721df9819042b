package dev.ddbbulk.tools.estimate;

/**
 * How a table or index is billed and what it can serve a second.
 *
 * @param mode       on-demand or provisioned
 * @param readUnits  provisioned read capacity units, or an on-demand table's configured maximum read request units;
 *                   {@link #UNSET} when an on-demand table has no maximum of its own
 * @param writeUnits as {@code readUnits}, for writes
 */
public record Capacity(Mode mode, long readUnits, long writeUnits) {
    public static final long UNSET = -1;

    /** The billing modes, as DynamoDB names them in DescribeTable. */
    public enum Mode { PAY_PER_REQUEST, PROVISIONED }

    public static Capacity onDemand(long maxReadUnits, long maxWriteUnits) {
        return new Capacity(Mode.PAY_PER_REQUEST, maxReadUnits, maxWriteUnits);
    }

    public static Capacity provisioned(long readUnits, long writeUnits) {
        return new Capacity(Mode.PROVISIONED, readUnits, writeUnits);
    }

    public boolean onDemand() {
        return mode == Mode.PAY_PER_REQUEST;
    }
}
