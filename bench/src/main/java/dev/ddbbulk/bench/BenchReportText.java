package dev.ddbbulk.bench;

import static dev.ddbbulk.bench.RatioStatistics.interval;
import static dev.ddbbulk.bench.RatioStatistics.mean;
import static dev.ddbbulk.bench.RatioStatistics.median;
import static dev.ddbbulk.bench.RatioStatistics.verdict;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;

/** The bench's report as readable tables, on stdout or, with {@code --json}, on stderr beside the JSON. */
final class BenchReportText {
    private final BenchReport report;

    BenchReportText(BenchReport report) {
        this.report = report;
    }

    /** Prints the report as tables: figures, ratios against their targets, rounds, and where the time went. */
    void print(PrintWriter out) {
        printSettings(out);
        out.println();
        printFigures(out);
        out.println();
        printRatios(out);
        printRounds(out);
        BenchReport.Settings settings = report.settings();
        if (settings.items() != 50_000 || settings.workers() != 4 || settings.seederSegments() != 1_000_000) {
            out.println("(the targets are set for 50,000 items, 4 workers and 1,000,000 seeder segments)");
        }
        printProfiles(out);
        out.printf("%nbench took %.0f s%n", report.elapsedSeconds());
        out.flush();
    }

    /** What was measured where, and the machine it ran on. */
    private void printSettings(PrintWriter out) {
        BenchReport.Settings settings = report.settings();
        out.printf("ddb-bulk bench on %s: %,d items of ~%d B, %d segments, %d workers, page size %d%n",
                settings.endpoint(), settings.items(), settings.itemBytes(), settings.segments(), settings.workers(),
                settings.pageSize());
        if (!settings.latency().isZero()) {
            out.printf("latency: %d ms added to every DynamoDB call of the latency measurements (a proxy in front"
                    + " of DynamoDB Local); the raw ceilings have none%n", settings.latency().toMillis());
        }
        out.printf("machine: %d processors, %,d MB memory, max heap %,d MB, Java %s; load average %.2f at start,"
                        + " %.2f at end%n", Runtime.getRuntime().availableProcessors(), BenchReport.physicalMemoryMb(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024), System.getProperty("java.version"),
                report.loadAverageAtStart(), BenchReport.loadAverage());
    }

    /** Each path's best figure, then the workers' heap. */
    private void printFigures(PrintWriter out) {
        out.printf("%-26s %10s %-9s %9s %12s%n", "measurement", "count", "", "seconds", "rate/s");
        for (String name : List.of("rawBatch", "pipelineBatch", "rawPut", "rawConditionalPut",
                "rawConditionalPutInFlight", "pipelineConditional", "rawSend", "seeder", "emptySegments")) {
            BenchReport.Figure f = report.figure(name);
            if (f == null) {
                out.printf("%-26s %10s%n", name, "(skipped)");
                continue;
            }
            out.printf("%-26s %,10d %-9s %9.2f %,12.1f%s%n", name, f.count(), f.unit(), f.seconds(), f.rate(),
                    detail(name));
        }
        BenchReport.WorkerHeap heap = report.workerHeap();
        if (heap.small() != null && heap.large() != null) {
            out.printf("%-26s %,d items: peak %.0f MB, live %.0f MB;  %,d items: peak %.0f MB, live %.0f MB%n",
                    "worker heap", heap.smallItems(), heap.small().peakMb(), heap.small().liveMb(),
                    heap.largeItems(), heap.large().peakMb(), heap.large().liveMb());
        }
    }

    /** What a figure's line adds after its rate: rawSend's halves, the seeder's heap, an empty segment's time. */
    private String detail(String name) {
        double[] rawSendHalves = report.rawSendHalves();
        SeederBench.Result seeder = report.seederResult();
        if (name.equals("rawSend") && rawSendHalves != null) {
            return String.format("   %,.0f/s before the seeder, %,.0f/s after", rawSendHalves[0], rawSendHalves[1]);
        }
        if (name.equals("seeder") && seeder != null) {
            return String.format("   heap peak %.0f MB, live %.0f MB (JVM capped at %d MB)",
                    seeder.seederPeakHeapMb(), seeder.seederLiveHeapMb(), seeder.childMaxHeapMb());
        }
        if (name.equals("emptySegments")) {
            return String.format("   %.2f ms per segment (%d items)", report.emptySegmentMs(),
                    report.settings().emptySegmentItems());
        }
        return "";
    }

    /** The targets, the ratios without one, and what the rounds' own pairs say of the two copy ratios. */
    private void printRatios(PrintWriter out) {
        for (BenchReport.Target t : report.targets()) {
            out.printf("%-18s %8s   %-34s target %s %s  %s%n", t.name(), formatNullable(t.value()),
                    t.meaning(), t.comparison(), format(t.bound()), t.value() == null ? "" : t.met() ? "✓" : "✗");
        }
        printUntargeted(out, "conditionCostRatio", report.conditionCostRatio(), "rawConditionalPut / rawPut",
                "the condition's own cost");
        printUntargeted(out, "conditionalPipelineRatio", report.conditionalPipelineRatio(),
                "pipelineConditional / rawConditionalPut", "the pipeline's cost alone");
        printUntargeted(out, "inFlightCostRatio", report.inFlightCostRatio(),
                "rawConditionalPutInFlight / rawConditionalPut", "what the writes in flight cost this server");
        printUntargeted(out, "conditionalInFlightPipelineRatio", report.conditionalInFlightPipelineRatio(),
                "pipelineConditional / rawConditionalPutInFlight", "the pipeline's cost at the same writes in flight");
        for (String[] pair : new String[][] {{"batchRatio", "pipelineBatch", "rawBatch"},
                {"conditionalRatio", "pipelineConditional", "rawPut"}}) {
            List<Double> byRound = report.ratioByRound(pair[1], pair[2]);
            out.printf("%-18s %8s   %-34s %s%n", pair[0] + " by round", formatNullable(median(byRound)),
                    "median of each round's own pair", byRound);
            RatioStatistics.Interval interval = interval(byRound);
            if (interval != null) {
                double target = pair[0].equals("batchRatio") ? BenchReport.BATCH_RATIO_TARGET
                        : BenchReport.CONDITIONAL_RATIO_TARGET;
                out.printf("%-18s %8s   %-34s %s to %s: %s%n", "", format(interval.mean()),
                        "geometric mean; 95% interval", format(interval.low()), format(interval.high()),
                        verdict(interval, target));
            }
            Double busy = report.sqliteBusyRatio(pair[1], pair[2]);
            if (busy != null) {
                out.printf("%-18s %8s   %-34s %.1f%% vs %.1f%% of the time (no target; the ledger's work counts as busy)%n",
                        "", format(busy), "SQLite thread busy, mean of rounds",
                        100 * mean(report.sqliteBusyByRound(pair[1])), 100 * mean(report.sqliteBusyByRound(pair[2])));
            }
        }
    }

    /** A ratio that splits another into its parts, with what it tells. */
    private static void printUntargeted(PrintWriter out, String name, Double value, String definition, String tells) {
        out.printf("%-18s %8s   %-34s (no target: %s)%n", name, formatNullable(value), definition, tells);
    }

    /** Every round of every path, in the order they ran, with the machine's speed at the time. */
    private void printRounds(PrintWriter out) {
        if (report.rounds().isEmpty()) {
            return;
        }
        out.println();
        out.println("Rounds in the order they ran: items/s (DynamoDB Local's SQLite CPU ms per 1,000 items, the"
                + " machine's speed at the time; % of the copy's time that thread was busy)");
        report.rounds().forEach((name, ofPath) -> {
            StringBuilder line = new StringBuilder();
            for (BenchReport.Round r : ofPath) {
                line.append(String.format("  %,.0f", r.rate()));
                if (r.sqliteMsPer1000Items() != null) {
                    line.append(String.format(" (%.0f; %.0f%%)", r.sqliteMsPer1000Items(), 100 * r.sqliteBusyShare()));
                }
            }
            out.printf("  %-26s%s%n", name, line);
        });
    }

    /** Where each path's best round spent its time: its calls and this JVM's CPU. */
    private void printProfiles(PrintWriter out) {
        if (report.profiles().isEmpty()) {
            return;
        }
        out.println();
        out.println("Where the time goes: calls (count, mean ms, total s over all threads) and this JVM's CPU (s)");
        report.profiles().forEach((name, run) -> {
            BenchReport.Figure f = run.figure();
            out.printf("  %s: %d threads x %.2f s = %.1f thread-s; first scan after %.2f s, threads idle at"
                            + " the end %.2f s on average%n", name, f.threads(), f.seconds(), f.threads() * f.seconds(),
                    f.startSeconds(), f.tailSeconds());
            run.calls().entrySet().stream()
                    .sorted(Comparator.comparingDouble(e -> -e.getValue().totalMs()))
                    .forEach(e -> out.printf("    %-48s %8d %9.2f %9.1f%n", e.getKey(), e.getValue().calls(),
                            e.getValue().meanMs(), e.getValue().totalMs() / 1000));
            CpuProfile.Usage cpu = run.cpu();
            out.printf("    CPU of %d cores x %.2f s = %.1f s:", cpu.cores(), cpu.wallSeconds(),
                    cpu.cores() * cpu.wallSeconds());
            cpu.cpuSeconds().forEach((user, seconds) -> out.printf(" %s %.1f;", user, seconds));
            out.printf(" left to other processes or idle %.1f (GC pauses %.1f s, JIT %.1f s)%n", cpu.otherSeconds(),
                    cpu.gcSeconds(), cpu.jitSeconds());
        });
    }

    private static String formatNullable(Double v) {
        return v == null ? "-" : format(v);
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) >= 10 ? String.format("%.0f", v) : String.format("%.3f", v)
                .replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
