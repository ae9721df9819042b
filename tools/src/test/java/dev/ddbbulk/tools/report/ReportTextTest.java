package dev.ddbbulk.tools.report;

import static dev.ddbbulk.tools.report.ReportFixtures.done;
import static dev.ddbbulk.tools.report.ReportFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.ledger.SegmentStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReportTextTest {

    private static String print(RunReport report) {
        StringWriter text = new StringWriter();
        ReportText.print(report, new PrintWriter(text));
        return text.toString();
    }

    @Test
    void print_whenRunIsUnderWay_printsEveryFigureAndMarksTheRunningSegment() {
        SegmentTally tally = new SegmentTally(5);
        tally.accept(done(0, 1_200, 0, 61));
        tally.accept(row(1, 0, SegmentStatus.DONE, 300, 1, 3, 1, 0.0, 20.0));
        tally.accept(row(1, 1, SegmentStatus.DONE, 50, 0, 1, 0, 5.0, 0.5 + 40.0));
        tally.accept(row(2, 0, SegmentStatus.IN_PROGRESS, 10, 0, 1, 0, 30.0, null));
        tally.accept(row(3, 0, SegmentStatus.FAILED, 0, 0, 2, 0, 1.0, null));

        String text = print(tally.report(ReportFixtures.run("r-1", 5, false),
                ReportFixtures.T0.plus(Duration.ofSeconds(3700))));

        assertThat(text).startsWith("Run r-1: INCOMPLETE\n").contains(String.join("\n",
                "  segments   2 / 5 done, 1 not started, 1 in progress, 1 failed, 0 dead-lettered",
                "  items      1560 scanned, 1560 written, 0 deleted, 0 skipped, 0 conditional-check failures,"
                        + " 0 already applied",
                "  splits     1 segment(s) split, 1 range(s) made, 1 done",
                "  redelivery 1 continuation(s), 2 retries",
                "  per segment, over 2 done segment(s); a segment's ranges count into it:",
                "                      min          p50          p90          p99          max",
                "  items               350          350        1,200        1,200        1,200",
                "  duration          40.5s        40.5s        1m01s        1m01s        1m01s",
                "  slowest segments (a running one timed so far):",
                "     segment        items     duration continuations  retries  ranges",
                "           2           10        1h01m             0        0       0  running",
                "           0        1,200        1m01s             0        0       0",
                "           1          350        40.5s             1        1       1",
                "  FAILED     segment 3 after 2 attempt(s): IllegalStateException: poison item in segment 3",
                ""));
    }

    @Test
    void print_whenNothingIsDone_printsDashesAndNoSlowestTable() {
        String text = print(new SegmentTally(2).report(ReportFixtures.run("r-2", 2, false), ReportFixtures.T0));

        assertThat(text).contains("  items                --\n  duration             --\n")
                .doesNotContain("slowest");
    }
}
