package dev.ddbbulk.tools.report;

import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.tools.output.CountsOutput;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.LongFunction;

/** A {@link RunReport} as lines of text for a terminal or a log. */
public final class ReportText {
    private ReportText() {
    }

    public static void print(RunReport report, PrintWriter out) {
        RunReport.SegmentStates states = report.states();
        out.printf("Run %s: %s%n", report.runId(), report.state());
        out.printf("  segments   %d / %d done, %d not started, %d in progress, %d failed, %d dead-lettered%n",
                states.done(), report.totalSegments(), states.notStarted(), states.inProgress(), states.failed(),
                states.deadLettered());
        if (states.expired() > 0) {
            out.printf("  expired    %d done segment(s) have no ledger row any more (LedgerRecordTtlDays): the"
                    + " figures below leave them out%n", states.expired());
        }
        CountsOutput.printText(out, report.counts());
        RunReport.Splits splits = report.splits();
        out.printf("  splits     %d segment(s) split, %d range(s) made, %d done%n", splits.segmentsSplit(),
                splits.rangesMade(), splits.rangesDone());
        out.printf("  redelivery %d continuation(s), %d retries%n", report.continuations(), report.retries());
        out.printf("  per segment, over %d done segment(s); a segment's ranges count into it:%n",
                report.items().count());
        out.printf("  %-10s %12s %12s %12s %12s %12s%n", "", "min", "p50", "p90", "p99", "max");
        row(out, "items", report.items(), ReportFormat::count);
        row(out, "duration", report.durationsMs(), ReportFormat::duration);
        if (!report.slowest().isEmpty()) {
            out.println("  slowest segments (a running one timed so far):");
            out.printf("  %10s %12s %12s %13s %8s %7s%n", "segment", "items", "duration", "continuations",
                    "retries", "ranges");
            for (RunReport.SegmentLine line : report.slowest()) {
                out.printf("  %10d %12s %12s %13d %8d %7d%s%n", line.segment(), ReportFormat.count(line.items()),
                        ReportFormat.duration(line.durationMs()), line.continuations(), line.retries(), line.ranges(),
                        line.running() ? "  running" : "");
            }
        }
        rows(out, "DEAD", report.deadLettered(), states.deadLettered());
        rows(out, "FAILED", report.failed(), states.failed());
        out.flush();
    }

    private static void row(PrintWriter out, String label, Distribution d, LongFunction<String> format) {
        if (d.count() == 0) {
            out.printf("  %-10s %12s%n", label, "--");
            return;
        }
        out.printf("  %-10s %12s %12s %12s %12s %12s%n", label, format.apply(d.min()), format.apply(d.p50()),
                format.apply(d.p90()), format.apply(d.p99()), format.apply(d.max()));
    }

    private static void rows(PrintWriter out, String label, List<SegmentRecord> rows, int segments) {
        for (SegmentRecord row : rows) {
            out.printf("  %-10s %s after %d attempt(s): %s%n", label, row.describe(), row.attempts(), row.lastError());
        }
        if (rows.size() == SegmentTally.MAX_LISTED) {
            out.printf("  %-10s the first %d shown; %d segment(s) in all%n", label, rows.size(), segments);
        }
    }
}
