package dev.ddbbulk.tools.report;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.ledger.SegmentRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * What {@code ddb-bulk report} shows of a run: its counts, its segments' states, and how items and time spread over
 * its segments. A segment's ranges count into it. Everything here is small whatever the run's size: per-segment
 * figures are reduced to distributions, the slowest few, and binned charts.
 *
 * @param generatedAt    when the ledger was read; a running segment's time so far is measured to it
 * @param items          items scanned per done segment
 * @param durationsMs    per done segment, from its first claim (or its earliest range's) to its latest end
 * @param slowest        the slowest done or running segments, slowest first; a running one is timed to
 *                       {@code generatedAt}
 * @param failed         failed segments and ranges, at most {@link SegmentTally#MAX_LISTED}
 * @param deadLettered   dead-lettered segments and ranges, at most {@link SegmentTally#MAX_LISTED}
 */
public record RunReport(String runId, int totalSegments, boolean complete, Instant createdAt, Instant generatedAt,
                        Counts counts, SegmentStates states, Splits splits, long continuations, long retries,
                        Distribution items, Distribution durationsMs, List<SegmentLine> slowest,
                        List<SegmentRecord> failed, List<SegmentRecord> deadLettered, HeatMap heatMap,
                        Histogram durationHistogram, Throughput throughput) {

    /**
     * Reads the run and every row of its segments from {@code ledger}, a page at a time.
     *
     * @throws InvalidJobException when the ledger does not know the run
     */
    public static RunReport read(ProgressLedger ledger, String runId, Clock clock) {
        RunRecord run = ledger.findRun(runId).orElseThrow(() -> new InvalidJobException(
                "Run '" + runId + "' is not in ledger " + ledger.table() + "; check the run id and the ledger table"));
        SegmentTally tally = new SegmentTally(run.job().totalSegments());
        ledger.forEachSegment(runId, tally);
        return tally.report(run, clock.instant());
    }

    /** COMPLETE, FAILED when nothing more happens until dead letters are redriven, else INCOMPLETE. */
    public String state() {
        if (complete) {
            return "COMPLETE";
        }
        return states.notStarted() == 0 && states.inProgress() == 0 && states.failed() == 0 ? "FAILED" : "INCOMPLETE";
    }

    /**
     * How many segments are in each state, a segment and its ranges taken together: dead-lettered if any of them
     * is, else failed if any is, else in progress if any is not done yet, else done.
     *
     * @param expired done segments whose rows the ledger's TTL removed: the run counts them done, and the
     *                report's figures leave them out
     */
    public record SegmentStates(int done, int notStarted, int inProgress, int failed, int deadLettered, int expired) {
        public SegmentStates(int done, int notStarted, int inProgress, int failed, int deadLettered) {
            this(done, notStarted, inProgress, failed, deadLettered, 0);
        }
    }

    /** Sort-key ranges split off the run's segments. */
    public record Splits(int segmentsSplit, long rangesMade, long rangesDone) {
    }

    /**
     * One segment with its ranges.
     *
     * @param running whether it is not done, so that {@code durationMs} is its time so far
     */
    public record SegmentLine(int segment, long items, long durationMs, boolean running, long continuations,
                              long retries, int ranges) {
    }

    /**
     * The segments in cells, each a contiguous block of {@code segmentsPerCell} segments (the last may be shorter),
     * laid out {@code columns} to a row. A cell's figures are the maxima over its done segments.
     *
     * @param done     done segments per cell
     * @param started  started segments per cell (done or not)
     * @param troubled failed or dead-lettered segments per cell
     */
    public record HeatMap(int totalSegments, int segmentsPerCell, int columns, long[] maxItems, long[] maxDurationMs,
                          int[] done, int[] started, int[] troubled) {
        public int cells() {
            return maxItems.length;
        }

        public int rows() {
            return (cells() + columns - 1) / columns;
        }

        public int firstSegment(int cell) {
            return (int) Math.min(totalSegments, (long) cell * segmentsPerCell);
        }

        /** The last segment of the cell, inclusive. */
        public int lastSegment(int cell) {
            return (int) Math.min(totalSegments, (long) (cell + 1) * segmentsPerCell) - 1;
        }

        public int segmentsIn(int cell) {
            return lastSegment(cell) - firstSegment(cell) + 1;
        }
    }

    /** Done segments counted by duration: bin {@code i} holds durations in [i, i + 1) × {@code binWidthMs}. */
    public record Histogram(long binWidthMs, int[] counts) {
    }

    /**
     * Items per second over the run, bin {@code i} covering [start + i × binWidthMs, start + (i + 1) × binWidthMs).
     * Each done segment's items are spread evenly between its start and end, a running one's between its start and
     * the report's time; failed segments' items are left out, their timing being unknown.
     */
    public record Throughput(Instant start, long binWidthMs, double[] itemsPerSecond) {
        public double peak() {
            double peak = 0;
            for (double value : itemsPerSecond) {
                peak = Math.max(peak, value);
            }
            return peak;
        }
    }
}
