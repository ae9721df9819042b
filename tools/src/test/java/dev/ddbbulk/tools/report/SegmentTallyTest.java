package dev.ddbbulk.tools.report;

import static dev.ddbbulk.tools.report.ReportFixtures.done;
import static dev.ddbbulk.tools.report.ReportFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ddbbulk.core.ledger.SegmentStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SegmentTallyTest {

    private static RunReport report(SegmentTally tally, int segments, double nowSecond) {
        return tally.report(ReportFixtures.run("run", segments, false),
                ReportFixtures.T0.plus(Duration.ofMillis(Math.round(nowSecond * 1000))));
    }

    @Test
    void report_whenSegmentHasRanges_countsThemIntoItsSegmentFromEarliestStartToLatestEnd() {
        SegmentTally tally = new SegmentTally(2);
        tally.accept(row(0, 0, SegmentStatus.DONE, 10, 0, 1, 2, 0.0, 10.0));
        tally.accept(row(0, 1, SegmentStatus.DONE, 30, 0, 1, 0, 5.0, 30.0));
        tally.accept(row(0, 2, SegmentStatus.DONE, 5, 0, 1, 0, 3.0, 20.0));
        tally.accept(done(1, 7, 0, 1));

        RunReport report = report(tally, 2, 60);

        assertThat(report.items()).isEqualTo(new Distribution(2, 7, 7, 45, 45, 45));
        assertThat(report.durationsMs()).isEqualTo(new Distribution(2, 1000, 1000, 30_000, 30_000, 30_000));
        assertThat(report.splits()).isEqualTo(new RunReport.Splits(1, 2, 2));
        assertThat(report.states()).isEqualTo(new RunReport.SegmentStates(2, 0, 0, 0, 0));
        assertThat(report.counts().scanned()).isEqualTo(52);
        assertThat(report.slowest()).containsExactly(new RunReport.SegmentLine(0, 45, 30_000, false, 0, 0, 2),
                new RunReport.SegmentLine(1, 7, 1000, false, 0, 0, 0));
    }

    @Test
    void report_whenSegmentsAreInEveryState_countsEachSegmentOnceByItsWorstRow() {
        SegmentTally tally = new SegmentTally(7);
        tally.accept(done(0, 100, 0, 10));
        tally.accept(row(1, 0, SegmentStatus.IN_PROGRESS, 40, 1, 3, 0, 0.0, null));
        tally.accept(row(2, 0, SegmentStatus.FAILED, 0, 0, 2, 0, 1.0, null));
        tally.accept(row(3, 0, SegmentStatus.DEAD_LETTERED, 0, 0, 3, 0, 1.0, null));
        tally.accept(row(5, 0, SegmentStatus.DONE, 20, 0, 1, 1, 0.0, 5.0));
        tally.accept(row(5, 1, SegmentStatus.PENDING, 0, 0, 0, 0, null, null));
        tally.accept(row(6, 0, SegmentStatus.DONE, 20, 0, 1, 1, 0.0, 5.0));
        tally.accept(row(6, 1, SegmentStatus.FAILED, 3, 0, 1, 0, 2.0, null));

        RunReport report = report(tally, 7, 100);

        // segment 4 has no row: not started; 5 waits for its pending range; 6's range failed.
        assertThat(report.states()).isEqualTo(new RunReport.SegmentStates(1, 1, 2, 2, 1));
        assertThat(report.state()).isEqualTo("INCOMPLETE");
        assertThat(report.continuations()).isEqualTo(1);
        assertThat(report.retries()).as("3 attempts - 1 - 1 continuation, 2 - 1, 3 - 1").isEqualTo(1 + 1 + 2);
        assertThat(report.failed()).extracting(r -> r.describe())
                .containsExactly("segment 2", "range 1 of segment 6");
        assertThat(report.deadLettered()).singleElement().satisfies(r -> assertThat(r.segment()).isEqualTo(3));
        assertThat(report.items().count()).isEqualTo(1);
        assertThat(report.splits()).isEqualTo(new RunReport.Splits(2, 2, 0));
        assertThat(report.slowest()).as("running segments are timed to the report's time; failed ones not listed")
                .extracting(RunReport.SegmentLine::segment).containsExactly(1, 5, 0);
        assertThat(report.slowest().get(0)).isEqualTo(new RunReport.SegmentLine(1, 40, 100_000, true, 1, 1, 0));
    }

    @Test
    void report_whenOnlyDeadLetteredSegmentsAreLeft_saysFailed() {
        SegmentTally tally = new SegmentTally(2);
        tally.accept(done(0, 1, 0, 1));
        tally.accept(row(1, 0, SegmentStatus.DEAD_LETTERED, 0, 0, 3, 0, 0.0, null));

        assertThat(report(tally, 2, 5).state()).isEqualTo("FAILED");
    }

    @Test
    void report_whenDoneSegmentsRowsHaveExpired_countsThemExpiredNotNotStarted() {
        SegmentTally tally = new SegmentTally(5);
        tally.accept(done(3, 10, 0, 1));
        tally.accept(row(4, 0, SegmentStatus.IN_PROGRESS, 1, 0, 1, 0, 0.0, null));
        dev.ddbbulk.core.ledger.RunRecord run = ReportFixtures.run("old", 5, false);
        run = new dev.ddbbulk.core.ledger.RunRecord(run.runId(), run.job(), run.createdAt(), run.seededAt(), 3,
                run.completedCounts(), 0);

        RunReport report = tally.report(run, ReportFixtures.T0.plus(Duration.ofDays(30)));

        assertThat(report.states()).isEqualTo(new RunReport.SegmentStates(1, 1, 1, 0, 0, 2));
        StringWriter text = new StringWriter();
        ReportText.print(report, new PrintWriter(text));
        assertThat(text.toString()).contains("expired    2 done segment(s) have no ledger row any more");
    }

    @Test
    void accept_whenRowIsOutsideTheRunsSegments_failsNamingTheRow() {
        SegmentTally tally = new SegmentTally(3);

        assertThatThrownBy(() -> tally.accept(done(3, 1, 0, 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("segment 3")
                .hasMessageContaining("3 segments");
    }

    @Test
    void ofSortingInPlace_whenValuesAreOneToHundred_givesNearestRankPercentiles() {
        long[] values = IntStream.rangeClosed(1, 100).map(i -> 101 - i).asLongStream().toArray();

        assertThat(Distribution.ofSortingInPlace(values, 100)).isEqualTo(new Distribution(100, 1, 50, 90, 99, 100));
        assertThat(Distribution.ofSortingInPlace(new long[] {3, 1, 2, 10}, 4))
                .isEqualTo(new Distribution(4, 1, 2, 10, 10, 10));
        assertThat(Distribution.ofSortingInPlace(new long[0], 0)).isEqualTo(Distribution.EMPTY);
    }

    @Test
    void report_whenManySegments_keepsTheTenSlowestSlowestFirst() {
        SegmentTally tally = new SegmentTally(25);
        for (int s = 0; s < 25; s++) {
            tally.accept(done(s, s, 0, (s * 7) % 25 + 1));
        }

        RunReport report = report(tally, 25, 100);

        assertThat(report.slowest()).hasSize(10).extracting(RunReport.SegmentLine::durationMs)
                .containsExactly(25_000L, 24_000L, 23_000L, 22_000L, 21_000L, 20_000L, 19_000L, 18_000L, 17_000L,
                        16_000L);
        assertThat(report.slowest().get(0).segment()).isEqualTo(7);
    }

    @Test
    void heatMap_whenSegmentsExceedTheCells_binsContiguousBlocksByTheirMaximum() {
        int segments = 10_000;
        SegmentTally tally = new SegmentTally(segments);
        for (int s = 0; s < segments; s++) {
            if (s == 9_999) {
                continue;
            }
            tally.accept(done(s, s == 5_000 ? 9_000 : 100, 0, s == 4_999 ? 50 : 10));
        }

        RunReport.HeatMap map = report(tally, segments, 100).heatMap();

        assertThat(map.segmentsPerCell()).isEqualTo(3);
        assertThat(map.cells()).isEqualTo(3334).isLessThanOrEqualTo(SegmentTally.MAX_CELLS);
        assertThat(map.columns()).isEqualTo(64);
        assertThat(map.firstSegment(1666)).isEqualTo(4998);
        assertThat(map.lastSegment(1666)).isEqualTo(5000);
        assertThat(map.maxItems()[1666]).isEqualTo(9_000);
        assertThat(map.maxDurationMs()[1666]).isEqualTo(50_000);
        assertThat(map.maxItems()[1665]).isEqualTo(100);
        assertThat(map.segmentsIn(3333)).as("the last cell holds the one segment left").isEqualTo(1);
        assertThat(map.done()[3333]).isZero();
        assertThat(map.started()[3333]).isZero();
        assertThat(map.done()[0]).isEqualTo(3);
    }

    @Test
    void throughput_whenSegmentsOverlap_spreadsEachSegmentsItemsEvenlyOverItsTime() {
        SegmentTally tally = new SegmentTally(3);
        tally.accept(done(0, 100, 0, 10));
        tally.accept(done(1, 50, 5, 10));
        tally.accept(row(2, 0, SegmentStatus.FAILED, 999, 0, 1, 0, 0.0, null));

        RunReport.Throughput throughput = report(tally, 3, 10).throughput();

        assertThat(throughput.start()).isEqualTo(ReportFixtures.T0);
        assertThat(throughput.binWidthMs()).isEqualTo(1000);
        assertThat(throughput.itemsPerSecond()).hasSize(10);
        assertThat(throughput.itemsPerSecond()[0]).isCloseTo(10, within(1e-9));
        assertThat(throughput.itemsPerSecond()[7]).isCloseTo(20, within(1e-9));
        assertThat(throughput.peak()).isCloseTo(20, within(1e-9));
        double items = 0;
        for (double rate : throughput.itemsPerSecond()) {
            items += rate * throughput.binWidthMs() / 1000;
        }
        assertThat(items).as("the failed segment's items are left out").isCloseTo(150, within(1e-6));
    }

    @Test
    void throughput_whenRunIsLong_usesAtMostTheBinLimit() {
        SegmentTally tally = new SegmentTally(2);
        tally.accept(done(0, 1_000, 0, 3600));
        tally.accept(row(1, 0, SegmentStatus.IN_PROGRESS, 500, 0, 1, 0, 7200.0, null));

        RunReport.Throughput throughput = report(tally, 2, 10_800).throughput();

        assertThat(throughput.itemsPerSecond()).hasSizeLessThanOrEqualTo(SegmentTally.THROUGHPUT_BINS);
        assertThat(throughput.binWidthMs()).isEqualTo(50_000);
        double items = 0;
        for (double rate : throughput.itemsPerSecond()) {
            items += rate * throughput.binWidthMs() / 1000;
        }
        assertThat(items).as("the running segment spreads to the report's time").isCloseTo(1_500, within(1e-6));
    }

    @Test
    void histogram_whenDurationsVary_countsEveryDoneSegmentOnce() {
        SegmentTally tally = new SegmentTally(4);
        tally.accept(done(0, 1, 0, 1));
        tally.accept(done(1, 1, 0, 2));
        tally.accept(done(2, 1, 0, 30));
        tally.accept(row(3, 0, SegmentStatus.IN_PROGRESS, 1, 0, 1, 0, 0.0, null));

        RunReport.Histogram histogram = report(tally, 4, 60).durationHistogram();

        assertThat(IntStream.of(histogram.counts()).sum()).isEqualTo(3);
        assertThat(histogram.counts().length).isLessThanOrEqualTo(SegmentTally.HISTOGRAM_BINS);
        assertThat(histogram.counts()[histogram.counts().length - 1]).isEqualTo(1);
        assertThat(histogram.binWidthMs()).as("1,001 ms rounded up to read well").isEqualTo(2000);
        assertThat(histogram.counts()[0]).isEqualTo(1);
        assertThat(histogram.counts()[1]).isEqualTo(1);
    }

    @Test
    void roundWidth_whenAnyWidth_givesOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(SegmentTally.roundWidth(0)).isEqualTo(1);
        assertThat(SegmentTally.roundWidth(3)).isEqualTo(5);
        assertThat(SegmentTally.roundWidth(1001)).isEqualTo(2000);
        assertThat(SegmentTally.roundWidth(45_000)).isEqualTo(50_000);
        assertThat(SegmentTally.roundWidth(500_000)).isEqualTo(500_000);
    }
}
