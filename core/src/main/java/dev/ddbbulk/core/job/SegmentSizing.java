package dev.ddbbulk.core.job;

import java.time.Duration;

/**
 * The rule behind {@code TotalSegments=auto}: as many segments as make one segment fit comfortably in one worker
 * invocation at the job's rate, and enough to keep the fleet busy.
 *
 * <ol>
 * <li><b>Time.</b> A segment takes at most {@link #SEGMENT_TARGET} of one worker at its rate: items /
 *     (rate × 300 s). Five minutes is a third of Lambda's fifteen, so a segment slower than thought still ends
 *     in its first invocation rather than costing a continuation (a message and a ledger write), and the last
 *     segments of a run leave the fleet idle for minutes at most.</li>
 * <li><b>Pages.</b> Never more segments than the table has scan pages (PageSize items, or 1 MB, a page): a
 *     segment smaller than a page costs its message, claim and completion for a page that is not full.</li>
 * <li><b>Fleet.</b> At least {@link #SEGMENTS_PER_WORKER} segments a worker, so a worker that finishes early
 *     finds more and the shuffled order spreads hot key ranges over the run; but a table of fewer pages than
 *     that gets one segment a worker, or one a page if it has more pages than workers.</li>
 * <li><b>Limits.</b> 1 to {@value JobConfig#MAX_SEGMENTS}.</li>
 * </ol>
 * The figures are DescribeTable's ItemCount and TableSizeBytes, which DynamoDB refreshes only about every six
 * hours: a table filled or emptied since is sized by its older figures. When ItemCount reads 0 but the size does
 * not, items are counted at {@value #ASSUMED_ITEM_BYTES} bytes each.
 */
public final class SegmentSizing {
    /** The longest a segment should take one worker. */
    public static final Duration SEGMENT_TARGET = Duration.ofMinutes(5);
    public static final int SEGMENTS_PER_WORKER = 4;
    /** The most a scan page reads, whatever its Limit. */
    static final long PAGE_BYTES = 1024 * 1024;
    /** A small item, so that a table whose ItemCount lags gets more segments rather than fewer. */
    static final long ASSUMED_ITEM_BYTES = 100;
    /** A DynamoDB call on AWS takes 3-10 ms; the estimate models the slow end too. */
    public static final int CALL_MILLIS = 10;

    private SegmentSizing() {
    }

    /**
     * @param itemCount            the source's ItemCount
     * @param tableBytes           the source's TableSizeBytes
     * @param workerItemsPerSecond what one worker processes, above 0 (see {@link #workerRate})
     * @param workers              ParallelLambdaFunctions
     * @param pageSize             the scan's Limit
     * @return the segments, 1..1,000,000
     */
    public static int segments(long itemCount, long tableBytes, double workerItemsPerSecond, int workers, int pageSize) {
        if (!(workerItemsPerSecond > 0) || workers < 1 || pageSize < 1) {
            throw new IllegalArgumentException("rate, workers and page size must be above 0, got "
                    + workerItemsPerSecond + ", " + workers + ", " + pageSize);
        }
        long bytes = Math.max(0, tableBytes);
        long items = itemCount > 0 ? itemCount : ceilDiv(bytes, ASSUMED_ITEM_BYTES);
        if (items == 0) {
            return clamp(workers);
        }
        long pages = Math.max(ceilDiv(items, pageSize), ceilDiv(bytes, PAGE_BYTES));
        double itemsPerSegment = workerItemsPerSecond * SEGMENT_TARGET.toSeconds();
        double byTime = Math.min(Math.ceil(items / itemsPerSegment), pages);
        long forFleet = Math.min((long) SEGMENTS_PER_WORKER * workers, Math.max(workers, pages));
        return clamp(Math.max(byTime, forFleet));
    }

    /**
     * What one worker of {@code job} processes, in items/s: the least of its RateLimiter, its share of the write
     * budget and of the read budget (at the source's average item size), and what the estimate models for a worker
     * on AWS ({@link JobConfig#writesInFlight()} writes, or a page when nothing is written, per {@value #CALL_MILLIS}
     * ms call).
     */
    public static WorkerRate workerRate(JobConfig job, long itemCount, long tableBytes) {
        boolean writing = !job.dryRun();
        double perCall = CALL_MILLIS / 1000.0;
        WorkerRate rate = new WorkerRate((writing ? Math.min(job.pageSize(), job.writesInFlight()) : job.pageSize())
                / perCall, "a worker's modelled pace on AWS");
        if (!job.unlimitedRate()) {
            rate = rate.orLower(job.rateLimit(), "RateLimiter");
        }
        double averageBytes = itemCount > 0 ? (double) tableBytes / itemCount : 0;
        if (writing && job.maxWriteUnits() != JobConfig.UNLIMITED) {
            double unitsPerItem = Math.max(1, Math.ceil(averageBytes / 1024));
            rate = rate.orLower(job.writeUnitsPerWorker() / unitsPerItem, "a worker's share of MaxWriteUnits");
        }
        if (job.maxReadUnits() != JobConfig.UNLIMITED && averageBytes > 0) {
            double unitsPerItem = averageBytes / 4096 * (job.consistentRead() ? 1 : 0.5);
            rate = rate.orLower(job.readUnitsPerWorker() / unitsPerItem, "a worker's share of MaxReadUnits");
        }
        return rate;
    }

    /** A worker's pace and what sets it. */
    public record WorkerRate(double itemsPerSecond, String setBy) {
        WorkerRate orLower(double other, String otherSetBy) {
            return other < itemsPerSecond ? new WorkerRate(other, otherSetBy) : this;
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static int clamp(double segments) {
        return (int) Math.max(1, Math.min(JobConfig.MAX_SEGMENTS, segments));
    }
}
