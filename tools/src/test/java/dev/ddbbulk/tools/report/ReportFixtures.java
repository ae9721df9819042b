package dev.ddbbulk.tools.report;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.ledger.SegmentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

/** Ledger rows and runs made by hand, and synthetic runs of any size, for the report's tests. */
final class ReportFixtures {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private ReportFixtures() {
    }

    static RunRecord run(String runId, int segments, boolean complete) {
        JobConfig job = JobConfig.builder().sourceTable("report-src").totalSegments(segments).parallelWorkers(2)
                .build();
        return new RunRecord(runId, job, T0, T0, complete ? segments : 0, Counts.ZERO, 0);
    }

    /** A segment's own row (range 0) or a range's row, started and ended at seconds after {@link #T0} (null: not). */
    static SegmentRecord row(int segment, int range, SegmentStatus status, long scanned, long continuations,
                             long attempts, long ranges, Double startSecond, Double endSecond) {
        return new SegmentRecord("run", segment, range, status, Map.of(), new Counts(scanned, scanned, 0, 0, 0), 1,
                continuations, attempts, status == SegmentStatus.FAILED || status == SegmentStatus.DEAD_LETTERED
                        ? "IllegalStateException: poison item in segment " + segment : null,
                ranges, at(startSecond), at(endSecond), null);
    }

    static SegmentRecord done(int segment, long scanned, double startSecond, double endSecond) {
        return row(segment, 0, SegmentStatus.DONE, scanned, 0, 1, 0, startSecond, endSecond);
    }

    private static Instant at(Double second) {
        return second == null ? null : T0.plus(Duration.ofMillis(Math.round(second * 1000)));
    }

    /**
     * A finished run of {@code segments} segments streamed through a tally as the ledger would, with skew: most
     * segments hold about 1,000 items and take about 20 s, a few hot ones ten times that, and one in a hundred was
     * split into ranges. One segment in 10,000 is dead-lettered.
     */
    static RunReport synthetic(int segments) {
        SegmentTally tally = new SegmentTally(segments);
        SplittableRandom random = new SplittableRandom(42);
        double fleetSeconds = 3600;
        for (int s = 0; s < segments; s++) {
            boolean hot = s % 997 == 0;
            long items = 800 + random.nextInt(400) * (hot ? 10L : 1L);
            double duration = 15 + random.nextDouble(10) * (hot ? 10 : 1);
            double start = (double) s / segments * fleetSeconds;
            if (s % 10_000 == 5_000) {
                tally.accept(row(s, 0, SegmentStatus.DEAD_LETTERED, items / 2, 0, 3, 0, start, null));
                continue;
            }
            boolean split = s % 100 == 7;
            tally.accept(row(s, 0, SegmentStatus.DONE, items, s % 13 == 0 ? 1 : 0, s % 13 == 0 ? 2 : 1,
                    split ? 2 : 0, start, start + duration));
            if (split) {
                tally.accept(row(s, 1, SegmentStatus.DONE, items, 0, 1, 0, start + 2, start + duration * 2));
                tally.accept(row(s, 2, SegmentStatus.DONE, items, 0, 2, 0, start + 3, start + duration * 3));
            }
        }
        return tally.report(run("synthetic-run", segments, false),
                ReportFixtures.T0.plus(Duration.ofSeconds((long) fleetSeconds + 600)));
    }
}
