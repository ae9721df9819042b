package dev.ddbbulk.tools.report;

import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.ledger.SegmentStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Folds a run's ledger rows, as {@code ProgressLedger.forEachSegment} streams them, into per-segment primitive arrays
 * (a segment's ranges into their segment), so that a run of a million segments takes tens of megabytes rather than a
 * million records; {@link #report} then reduces the arrays to a {@link RunReport}.
 */
public final class SegmentTally implements Consumer<SegmentRecord> {
    /** Failed or dead-lettered rows kept for the report, each kind. */
    public static final int MAX_LISTED = 20;
    /** Heat map cells at most: segments are binned into contiguous blocks beyond this. */
    public static final int MAX_CELLS = 4096;
    static final int MAX_COLUMNS = 64;
    static final int SLOWEST = 10;
    static final int HISTOGRAM_BINS = 30;
    static final int THROUGHPUT_BINS = 240;

    // A segment's state is the worst of its rows': the order of these codes.
    private static final byte NOT_STARTED = 0;
    private static final byte DONE = 1;
    private static final byte IN_PROGRESS = 2;
    private static final byte FAILED = 3;
    private static final byte DEAD_LETTERED = 4;

    private final int totalSegments;
    private final long[] items;
    private final long[] startMs;
    private final long[] endMs;
    private final byte[] state;
    private final int[] continuations;
    private final int[] retries;
    private final int[] ranges;
    private Counts counts = Counts.ZERO;
    private long totalContinuations;
    private long totalRetries;
    private long rangeRows;
    private long rangesDone;
    private long ownRowsDone;
    private final List<SegmentRecord> failed = new ArrayList<>();
    private final List<SegmentRecord> deadLettered = new ArrayList<>();

    public SegmentTally(int totalSegments) {
        this.totalSegments = totalSegments;
        items = new long[totalSegments];
        startMs = new long[totalSegments];
        endMs = new long[totalSegments];
        java.util.Arrays.fill(startMs, Long.MAX_VALUE);
        java.util.Arrays.fill(endMs, Long.MIN_VALUE);
        state = new byte[totalSegments];
        continuations = new int[totalSegments];
        retries = new int[totalSegments];
        ranges = new int[totalSegments];
    }

    @Override
    public void accept(SegmentRecord row) {
        int s = row.segment();
        if (s < 0 || s >= totalSegments) {
            throw new IllegalStateException("Ledger row for " + row.describe() + " of run " + row.runId()
                    + " is outside the run's " + totalSegments + " segments");
        }
        items[s] += row.counts().scanned();
        if (row.startedAt() != null) {
            startMs[s] = Math.min(startMs[s], row.startedAt().toEpochMilli());
        }
        if (row.endedAt() != null) {
            endMs[s] = Math.max(endMs[s], row.endedAt().toEpochMilli());
        }
        state[s] = (byte) Math.max(state[s], code(row.status()));
        long rowRetries = Math.max(0, row.attempts() - 1 - row.continuations());
        continuations[s] += (int) row.continuations();
        retries[s] += (int) rowRetries;
        counts = counts.plus(row.counts());
        totalContinuations += row.continuations();
        totalRetries += rowRetries;
        if (row.isRange()) {
            ranges[s] = Math.max(ranges[s], row.range());
            rangeRows++;
            if (row.status() == SegmentStatus.DONE) {
                rangesDone++;
            }
        } else {
            ranges[s] = (int) Math.max(ranges[s], row.ranges());
            if (row.status() == SegmentStatus.DONE) {
                ownRowsDone++;
            }
        }
        if (row.status() == SegmentStatus.FAILED && failed.size() < MAX_LISTED) {
            failed.add(row);
        } else if (row.status() == SegmentStatus.DEAD_LETTERED && deadLettered.size() < MAX_LISTED) {
            deadLettered.add(row);
        }
    }

    private static byte code(SegmentStatus status) {
        return switch (status) {
            case DONE -> DONE;
            case PENDING, IN_PROGRESS -> IN_PROGRESS;
            case FAILED -> FAILED;
            case DEAD_LETTERED -> DEAD_LETTERED;
        };
    }

    private boolean timed(int s) {
        return state[s] == DONE && startMs[s] != Long.MAX_VALUE && endMs[s] != Long.MIN_VALUE;
    }

    private long durationMs(int s) {
        return Math.max(0, endMs[s] - startMs[s]);
    }

    /** The report of {@code run} from the rows seen so far, a running segment timed to {@code now}. */
    public RunReport report(RunRecord run, Instant now) {
        long nowMs = now.toEpochMilli();
        int[] byState = new int[5];
        int segmentsSplit = 0;
        int timedCount = 0;
        for (int s = 0; s < totalSegments; s++) {
            byState[state[s]]++;
            if (ranges[s] > 0) {
                segmentsSplit++;
            }
            if (timed(s)) {
                timedCount++;
            }
        }
        long[] doneItems = new long[byState[DONE]];
        long[] durations = new long[timedCount];
        int d = 0;
        int t = 0;
        for (int s = 0; s < totalSegments; s++) {
            if (state[s] == DONE) {
                doneItems[d++] = items[s];
            }
            if (timed(s)) {
                durations[t++] = durationMs(s);
            }
        }
        RunReport.Histogram histogram = histogram(durations, timedCount);
        // Done segments' rows expire after the ledger's TTL while the run's count of them stays: without rows they
        // would pass for not started.
        int expired = (int) Math.min(byState[NOT_STARTED], Math.max(0, run.segmentsCompleted() - ownRowsDone));
        return new RunReport(run.runId(), totalSegments, run.complete(), run.createdAt(), now, counts,
                new RunReport.SegmentStates(byState[DONE], byState[NOT_STARTED] - expired, byState[IN_PROGRESS],
                        byState[FAILED], byState[DEAD_LETTERED], expired),
                new RunReport.Splits(segmentsSplit, Math.max(rangeRows, run.rangesCreated()), rangesDone),
                totalContinuations, totalRetries, Distribution.ofSortingInPlace(doneItems, doneItems.length),
                Distribution.ofSortingInPlace(durations, timedCount), slowest(nowMs), List.copyOf(failed),
                List.copyOf(deadLettered), heatMap(), histogram, throughput(nowMs));
    }

    /** The slowest segments, done ones by their duration and those in progress by their time so far. */
    private List<RunReport.SegmentLine> slowest(long nowMs) {
        int[] top = new int[SLOWEST];
        long[] topMs = new long[SLOWEST];
        int size = 0;
        for (int s = 0; s < totalSegments; s++) {
            // Failed and dead-lettered segments are listed on their own, with their errors.
            if (!timed(s) && !(state[s] == IN_PROGRESS && startMs[s] != Long.MAX_VALUE)) {
                continue;
            }
            long ms = state[s] == DONE ? durationMs(s) : Math.max(0, nowMs - startMs[s]);
            if (size == SLOWEST && ms <= topMs[SLOWEST - 1]) {
                continue;
            }
            int at = size < SLOWEST ? size++ : SLOWEST - 1;
            while (at > 0 && topMs[at - 1] < ms) {
                top[at] = top[at - 1];
                topMs[at] = topMs[at - 1];
                at--;
            }
            top[at] = s;
            topMs[at] = ms;
        }
        List<RunReport.SegmentLine> lines = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int s = top[i];
            lines.add(new RunReport.SegmentLine(s, items[s], topMs[i], state[s] != DONE, continuations[s],
                    retries[s], ranges[s]));
        }
        return List.copyOf(lines);
    }

    private RunReport.HeatMap heatMap() {
        int perCell = (totalSegments + MAX_CELLS - 1) / MAX_CELLS;
        int cells = (totalSegments + perCell - 1) / perCell;
        long[] maxItems = new long[cells];
        long[] maxDuration = new long[cells];
        int[] done = new int[cells];
        int[] started = new int[cells];
        int[] troubled = new int[cells];
        for (int s = 0; s < totalSegments; s++) {
            int cell = s / perCell;
            if (state[s] != NOT_STARTED) {
                started[cell]++;
            }
            if (state[s] == FAILED || state[s] == DEAD_LETTERED) {
                troubled[cell]++;
            }
            if (state[s] == DONE) {
                done[cell]++;
                maxItems[cell] = Math.max(maxItems[cell], items[s]);
                if (timed(s)) {
                    maxDuration[cell] = Math.max(maxDuration[cell], durationMs(s));
                }
            }
        }
        return new RunReport.HeatMap(totalSegments, perCell, Math.min(cells, MAX_COLUMNS), maxItems, maxDuration,
                done, started, troubled);
    }

    /** Durations counted into equal bins from 0 to the longest. */
    private static RunReport.Histogram histogram(long[] durations, int count) {
        if (count == 0) {
            return new RunReport.Histogram(1, new int[0]);
        }
        long longest = 0;
        for (int i = 0; i < count; i++) {
            longest = Math.max(longest, durations[i]);
        }
        long width = roundWidth((longest + HISTOGRAM_BINS) / HISTOGRAM_BINS);
        int bins = (int) Math.min(HISTOGRAM_BINS, longest / width + 1);
        int[] counts = new int[bins];
        for (int i = 0; i < count; i++) {
            counts[(int) Math.min(bins - 1, durations[i] / width)]++;
        }
        return new RunReport.Histogram(width, counts);
    }

    /** The smallest of 1, 2 or 5 times a power of ten that is at least {@code ms}, so that bins read well. */
    static long roundWidth(long ms) {
        for (long power = 1; ; power *= 10) {
            for (long step : new long[] {1, 2, 5}) {
                if (step * power >= ms) {
                    return step * power;
                }
            }
        }
    }

    private RunReport.Throughput throughput(long nowMs) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int s = 0; s < totalSegments; s++) {
            if (spreads(s)) {
                first = Math.min(first, startMs[s]);
                last = Math.max(last, end(s, nowMs));
            }
        }
        if (first == Long.MAX_VALUE) {
            return new RunReport.Throughput(null, 1000, new double[0]);
        }
        long span = Math.max(1, last - first);
        long width = Math.max(1000, roundWidth((span + THROUGHPUT_BINS - 1) / THROUGHPUT_BINS));
        int bins = (int) ((span + width - 1) / width);
        double[] binItems = new double[bins];
        for (int s = 0; s < totalSegments; s++) {
            if (!spreads(s) || items[s] == 0) {
                continue;
            }
            long from = startMs[s] - first;
            long to = end(s, nowMs) - first;
            if (to <= from) {
                binItems[(int) Math.min(bins - 1, from / width)] += items[s];
                continue;
            }
            double perMs = (double) items[s] / (to - from);
            for (long bin = from / width; bin < bins && bin * width < to; bin++) {
                long overlap = Math.min(to, (bin + 1) * width) - Math.max(from, bin * width);
                binItems[(int) bin] += perMs * overlap;
            }
        }
        double[] perSecond = new double[bins];
        for (int i = 0; i < bins; i++) {
            perSecond[i] = binItems[i] * 1000.0 / width;
        }
        return new RunReport.Throughput(Instant.ofEpochMilli(first), width, perSecond);
    }

    /** Whether a segment's items go into the throughput: done with known times, or at work since a known start. */
    private boolean spreads(int s) {
        return timed(s) || (state[s] == IN_PROGRESS && startMs[s] != Long.MAX_VALUE);
    }

    private long end(int s, long nowMs) {
        return state[s] == DONE ? endMs[s] : Math.max(startMs[s], nowMs);
    }
}
