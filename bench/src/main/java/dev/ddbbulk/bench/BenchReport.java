package dev.ddbbulk.bench;

import static dev.ddbbulk.bench.RatioStatistics.interval;
import static dev.ddbbulk.bench.RatioStatistics.mean;
import static dev.ddbbulk.bench.RatioStatistics.median;
import static dev.ddbbulk.bench.RatioStatistics.verdict;
import static dev.ddbbulk.bench.Rounding.round1;
import static dev.ddbbulk.bench.Rounding.round2;
import static dev.ddbbulk.bench.Rounding.round3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The bench's figures, their ratios and targets, as a readable table or one JSON object. Rates are
 * rounded to 0.1 before the ratios are taken, so every ratio is the quotient of the figures it prints.
 */
final class BenchReport {
    static final double BATCH_RATIO_TARGET = 0.9;
    static final double CONDITIONAL_RATIO_TARGET = 0.9;
    static final double SEEDER_RATIO_TARGET = 0.8;
    static final double SEEDER_HEAP_TARGET_MB = 256;
    static final double EMPTY_SEGMENT_TARGET_MS = 20;

    /**
     * One measured path: {@code count} items, messages or segments in {@code seconds} with {@code threads}
     * threads. {@code startSeconds}: from the start until the first scan; {@code tailSeconds}: how long, on
     * average, a thread had nothing left to do before the end (NaN where not measured).
     */
    record Figure(String name, long count, String unit, double seconds, int threads, double startSeconds,
                  double tailSeconds) {
        Figure(String name, long count, String unit, double seconds, int threads) {
            this(name, count, unit, seconds, threads, Double.NaN, Double.NaN);
        }

        double rate() {
            return seconds <= 0 ? 0 : round1(count / seconds);
        }
    }

    /** A measured figure with the calls it made and the CPU it took, for the report's profile. */
    record Run(Figure figure, Map<String, CallTimer.Operation> calls, CpuProfile.Usage cpu) {
    }

    /** The run's parameters, as given on the command line. */
    record Settings(int items, int itemBytes, int workers, int segments, int pageSize, int seederSegments,
                    int emptySegments, int emptySegmentItems, int rounds, String endpoint) {
    }

    private final Settings settings;
    private final Map<String, Figure> figures = new LinkedHashMap<>();
    private final Map<String, Run> profiles = new LinkedHashMap<>();
    private final double loadAverageAtStart = loadAverage();
    private HeapProbe.Usage workerHeapSmall;
    private HeapProbe.Usage workerHeapLarge;
    private int workerHeapSmallItems;
    private int workerHeapLargeItems;
    private SeederBench.Result seeder;
    private double[] rawSendHalves;
    private double elapsedSeconds;
    /** Every measured round, per path, in the order the rounds ran. */
    private final Map<String, List<Round>> rounds = new LinkedHashMap<>();

    /**
     * One measured round of a path: its rate and, for copies of items, what DynamoDB Local's SQLite thread did
     * meanwhile. {@code sqliteMsPer1000Items} is the same work every round (the pipeline adds its ledger's few
     * calls), so it shows how fast the machine ran then; {@code sqliteBusyShare} is the share of the round's
     * wall time that thread was busy. Both are null where not measured.
     */
    record Round(double rate, Double sqliteMsPer1000Items, Double sqliteBusyShare) {
    }

    BenchReport(Settings settings) {
        this.settings = settings;
    }

    /** Keeps the best of a path's rounds: other builds on the machine only ever slow a round down. */
    void record(Run run) {
        Figure figure = run.figure();
        Double sqlite = run.cpu() == null ? null : run.cpu().cpuSeconds().get(CpuProfile.DYNAMODB_LOCAL_SQLITE);
        boolean gauged = sqlite != null && figure.count() > 0 && figure.unit().equals("items");
        rounds.computeIfAbsent(figure.name(), n -> new ArrayList<>()).add(new Round(figure.rate(),
                gauged ? round1(sqlite * 1e6 / figure.count()) : null, gauged ? round3(sqlite / figure.seconds()) : null));
        Figure best = figures.get(figure.name());
        if (best == null || figure.rate() > best.rate()) {
            figures.put(figure.name(), figure);
            profiles.put(figure.name(), run);
        }
    }

    private void record(Figure figure) {
        figures.put(figure.name(), figure);
    }

    Figure figure(String name) {
        return figures.get(name);
    }

    void workerHeap(int smallItems, HeapProbe.Usage small, int largeItems, HeapProbe.Usage large) {
        this.workerHeapSmallItems = smallItems;
        this.workerHeapSmall = small;
        this.workerHeapLargeItems = largeItems;
        this.workerHeapLarge = large;
    }

    void seeder(SeederBench.Result result) {
        this.seeder = result;
        record(new Figure("rawSend", result.rawSendMessages(), "messages", result.rawSendMs() / 1000.0,
                SeederBench.IN_FLIGHT));
        long firstHalf = result.rawSendMessages() / 2;
        rawSendHalves = new double[] {
            result.rawSendFirstHalfMs() <= 0 ? 0 : round1(firstHalf * 1000.0 / result.rawSendFirstHalfMs()),
            result.rawSendSecondHalfMs() <= 0 ? 0
                    : round1((result.rawSendMessages() - firstHalf) * 1000.0 / result.rawSendSecondHalfMs())};
        record(new Figure("seeder", result.seederMessages(), "messages", result.seederMs() / 1000.0,
                SeederBench.IN_FLIGHT));
    }

    void elapsed(double seconds) {
        this.elapsedSeconds = seconds;
    }

    Double rate(String name) {
        Figure f = figures.get(name);
        return f == null ? null : f.rate();
    }

    Double batchRatio() {
        return ratio("pipelineBatch", "rawBatch");
    }

    Double conditionalRatio() {
        return ratio("pipelineConditional", "rawPut");
    }

    Double seederRatio() {
        return ratio("seeder", "rawSend");
    }

    /** What the condition costs DynamoDB: conditional PutItem vs plain PutItem, both without the pipeline. */
    Double conditionCostRatio() {
        return ratio("rawConditionalPut", "rawPut");
    }

    /** What the pipeline costs in conditional mode, with the condition's own cost taken out. */
    Double conditionalPipelineRatio() {
        return ratio("pipelineConditional", "rawConditionalPut");
    }

    /** Wall time of the empty-segment run divided by its segments. */
    Double emptySegmentMs() {
        Figure f = figures.get("emptySegments");
        return f == null ? null : round2(f.seconds() * 1000 / f.count());
    }

    /**
     * The ratio of each round's own pair, measured minutes apart at most: how far single rounds scatter
     * on this machine around the ratio of the best figures.
     */
    List<Double> ratioByRound(String pipeline, String raw) {
        List<Round> a = rounds.getOrDefault(pipeline, List.of());
        List<Round> b = rounds.getOrDefault(raw, List.of());
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            ratios.add(b.get(i).rate() == 0 ? null : round3(a.get(i).rate() / b.get(i).rate()));
        }
        return ratios;
    }

    /** Each measured round's SQLite CPU per 1,000 items of {@code name}, in the order the rounds ran. */
    List<Double> sqliteMsByRound(String name) {
        return measuredOfRounds(name, Round::sqliteMsPer1000Items);
    }

    /** Each measured round's share of its wall time that the SQLite thread was busy, in the order they ran. */
    List<Double> sqliteBusyByRound(String name) {
        return measuredOfRounds(name, Round::sqliteBusyShare);
    }

    private List<Double> measuredOfRounds(String name, Function<Round, Double> figure) {
        return rounds.getOrDefault(name, List.of()).stream().map(figure).filter(Objects::nonNull).toList();
    }

    /**
     * The pipeline's mean SQLite busy share over the raw path's: how well it keeps the single thread that bounds
     * every copy on DynamoDB Local busy. Busy share is rate times CPU per item, so unlike the throughput it
     * hardly moves with the machine's speed; the pipeline's own SQLite work (its ledger) counts as busy.
     */
    Double sqliteBusyRatio(String pipeline, String raw) {
        Double a = mean(sqliteBusyByRound(pipeline));
        Double b = mean(sqliteBusyByRound(raw));
        return a == null || b == null || b == 0 ? null : round3(a / b);
    }

    private Double ratio(String pipeline, String raw) {
        Double a = rate(pipeline);
        Double b = rate(raw);
        return a == null || b == null || b == 0 ? null : round3(a / b);
    }

    ObjectNode toJson(ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("items", settings.items());
        node.put("itemBytes", settings.itemBytes());
        node.put("workers", settings.workers());
        node.put("segments", settings.segments());
        node.put("pageSize", settings.pageSize());
        node.put("seederSegments", settings.seederSegments());
        node.put("emptySegments", settings.emptySegments());
        node.put("rounds", settings.rounds());
        node.put("endpoint", settings.endpoint());
        node.put("rawBatchItemsPerSecond", rate("rawBatch"));
        node.put("rawPutItemsPerSecond", rate("rawPut"));
        node.put("rawConditionalPutItemsPerSecond", rate("rawConditionalPut"));
        node.put("pipelineBatchItemsPerSecond", rate("pipelineBatch"));
        node.put("pipelineConditionalItemsPerSecond", rate("pipelineConditional"));
        node.put("seederMessagesPerSecond", rate("seeder"));
        node.put("rawSendMessagesPerSecond", rate("rawSend"));
        node.put("rawSendFirstHalfMessagesPerSecond", rawSendHalves == null ? null : rawSendHalves[0]);
        node.put("rawSendSecondHalfMessagesPerSecond", rawSendHalves == null ? null : rawSendHalves[1]);
        node.put("seederPeakHeapMb", seeder == null ? null : round1(seeder.seederPeakHeapMb()));
        node.put("seederLiveHeapMb", seeder == null ? null : round1(seeder.seederLiveHeapMb()));
        node.put("seederJvmMaxHeapMb", seeder == null ? null : seeder.childMaxHeapMb());
        node.put("emptySegmentMs", emptySegmentMs());
        node.put("workerPeakHeapMbSmall", workerHeapSmall == null ? null : round1(workerHeapSmall.peakMb()));
        node.put("workerPeakHeapMbLarge", workerHeapLarge == null ? null : round1(workerHeapLarge.peakMb()));
        node.put("workerLiveHeapMbSmall", workerHeapSmall == null ? null : round1(workerHeapSmall.liveMb()));
        node.put("workerLiveHeapMbLarge", workerHeapLarge == null ? null : round1(workerHeapLarge.liveMb()));
        node.put("workerHeapItemsSmall", workerHeapSmall == null ? null : workerHeapSmallItems);
        node.put("workerHeapItemsLarge", workerHeapLarge == null ? null : workerHeapLargeItems);
        node.put("batchRatio", batchRatio());
        node.put("conditionalRatio", conditionalRatio());
        node.put("seederRatio", seederRatio());
        node.put("conditionCostRatio", conditionCostRatio());
        node.put("conditionalPipelineRatio", conditionalPipelineRatio());
        ratioByRound("pipelineBatch", "rawBatch").forEach(node.putArray("batchRatioByRound")::add);
        ratioByRound("pipelineConditional", "rawPut").forEach(node.putArray("conditionalRatioByRound")::add);
        node.put("batchRatioMedianOfRounds", median(ratioByRound("pipelineBatch", "rawBatch")));
        node.put("conditionalRatioMedianOfRounds", median(ratioByRound("pipelineConditional", "rawPut")));
        putInterval(node, "batchRatioOfRounds", interval(ratioByRound("pipelineBatch", "rawBatch")));
        putInterval(node, "conditionalRatioOfRounds", interval(ratioByRound("pipelineConditional", "rawPut")));
        node.put("batchSqliteBusyRatio", sqliteBusyRatio("pipelineBatch", "rawBatch"));
        node.put("conditionalSqliteBusyRatio", sqliteBusyRatio("pipelineConditional", "rawPut"));
        ObjectNode byRound = node.putObject("roundsByPath");
        rounds.forEach((name, ofPath) -> {
            ObjectNode path = byRound.putObject(name);
            var perSecond = path.putArray("perSecond");
            ofPath.forEach(r -> perSecond.add(r.rate()));
            sqliteMsByRound(name).forEach(path.putArray("sqliteCpuMsPer1000Items")::add);
            sqliteBusyByRound(name).forEach(path.putArray("sqliteBusyShare")::add);
        });
        ObjectNode targets = node.putObject("targets");
        for (Target t : targets()) {
            ObjectNode target = targets.putObject(t.name());
            target.put("target", t.comparison() + " " + t.bound());
            if (t.value() == null) {
                target.putNull("met");
            } else {
                target.put("met", t.met());
            }
        }
        var measurements = node.putArray("measurements");
        for (Figure f : figures.values()) {
            ObjectNode m = measurements.addObject();
            m.put("name", f.name());
            m.put("count", f.count());
            m.put("unit", f.unit());
            m.put("seconds", round3(f.seconds()));
            m.put("perSecond", f.rate());
            m.put("threads", f.threads());
            m.put("startSeconds", Double.isNaN(f.startSeconds()) ? null : round3(f.startSeconds()));
            m.put("tailSeconds", Double.isNaN(f.tailSeconds()) ? null : round3(f.tailSeconds()));
            Run run = profiles.get(f.name());
            if (run != null) {
                ObjectNode calls = m.putObject("calls");
                run.calls().forEach((op, o) -> calls.putObject(op).put("calls", o.calls())
                        .put("meanMs", round2(o.meanMs())).put("totalMs", Math.round(o.totalMs())));
                ObjectNode cpu = m.putObject("cpuSeconds");
                run.cpu().cpuSeconds().forEach((user, seconds) -> cpu.put(user, round2(seconds)));
                cpu.put("left to other processes or idle", round2(run.cpu().otherSeconds()));
                m.put("gcPauseSeconds", round2(run.cpu().gcSeconds()));
                m.put("jitSeconds", round2(run.cpu().jitSeconds()));
            }
        }
        ObjectNode machine = node.putObject("machine");
        machine.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        machine.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        machine.put("physicalMemoryMb", physicalMemoryMb());
        machine.put("javaVersion", System.getProperty("java.version"));
        machine.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        machine.put("loadAverageAtStart", round2(loadAverageAtStart));
        machine.put("loadAverageAtEnd", round2(loadAverage()));
        node.put("elapsedSeconds", round1(elapsedSeconds));
        return node;
    }

    private static void putInterval(ObjectNode node, String name, RatioStatistics.Interval interval) {
        if (interval == null) {
            node.putNull(name);
            return;
        }
        node.putObject(name).put("geometricMean", interval.mean()).put("low95", interval.low())
                .put("high95", interval.high()).put("pairs", interval.pairs());
    }

    void printText(PrintWriter out) {
        out.printf("ddb-bulk bench on %s: %,d items of ~%d B, %d segments, %d workers, page size %d%n",
                settings.endpoint(), settings.items(), settings.itemBytes(), settings.segments(), settings.workers(),
                settings.pageSize());
        out.printf("machine: %d processors, %,d MB memory, max heap %,d MB, Java %s; load average %.2f at start,"
                        + " %.2f at end%n", Runtime.getRuntime().availableProcessors(), physicalMemoryMb(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024), System.getProperty("java.version"),
                loadAverageAtStart, loadAverage());
        out.println();
        out.printf("%-22s %10s %-9s %9s %12s%n", "measurement", "count", "", "seconds", "rate/s");
        for (String name : List.of("rawBatch", "pipelineBatch", "rawPut", "rawConditionalPut", "pipelineConditional",
                "rawSend", "seeder", "emptySegments")) {
            Figure f = figures.get(name);
            if (f == null) {
                out.printf("%-22s %10s%n", name, "(skipped)");
                continue;
            }
            String extra = "";
            if (name.equals("rawSend") && rawSendHalves != null) {
                extra = String.format("   %,.0f/s before the seeder, %,.0f/s after", rawSendHalves[0], rawSendHalves[1]);
            } else if (name.equals("seeder") && seeder != null) {
                extra = String.format("   heap peak %.0f MB, live %.0f MB (JVM capped at %d MB)",
                        seeder.seederPeakHeapMb(), seeder.seederLiveHeapMb(), seeder.childMaxHeapMb());
            } else if (name.equals("emptySegments")) {
                extra = String.format("   %.2f ms per segment (%d items)", emptySegmentMs(), settings.emptySegmentItems());
            }
            out.printf("%-22s %,10d %-9s %9.2f %,12.1f%s%n", name, f.count(), f.unit(), f.seconds(), f.rate(), extra);
        }
        if (workerHeapSmall != null && workerHeapLarge != null) {
            out.printf("%-22s %,d items: peak %.0f MB, live %.0f MB;  %,d items: peak %.0f MB, live %.0f MB%n",
                    "worker heap", workerHeapSmallItems, workerHeapSmall.peakMb(), workerHeapSmall.liveMb(),
                    workerHeapLargeItems, workerHeapLarge.peakMb(), workerHeapLarge.liveMb());
        }
        out.println();
        for (Target t : targets()) {
            out.printf("%-18s %8s   %-34s target %s %s  %s%n", t.name(), formatNullable(t.value()),
                    t.meaning(), t.comparison(), format(t.bound()), t.value() == null ? "" : t.met() ? "✓" : "✗");
        }
        out.printf("%-18s %8s   %-34s (no target: the condition's own cost)%n", "conditionCostRatio",
                formatNullable(conditionCostRatio()), "rawConditionalPut / rawPut");
        out.printf("%-18s %8s   %-34s (no target: the pipeline's cost alone)%n", "conditionalPipelineRatio",
                formatNullable(conditionalPipelineRatio()), "pipelineConditional / rawConditionalPut");
        for (String[] pair : new String[][] {{"batchRatio", "pipelineBatch", "rawBatch"},
                {"conditionalRatio", "pipelineConditional", "rawPut"}}) {
            List<Double> byRound = ratioByRound(pair[1], pair[2]);
            out.printf("%-18s %8s   %-34s %s%n", pair[0] + " by round", formatNullable(median(byRound)),
                    "median of each round's own pair", byRound);
            RatioStatistics.Interval interval = interval(byRound);
            if (interval != null) {
                out.printf("%-18s %8s   %-34s %s to %s: %s%n", "", format(interval.mean()),
                        "geometric mean; 95% interval", format(interval.low()), format(interval.high()),
                        verdict(interval, pair[0].equals("batchRatio") ? BATCH_RATIO_TARGET : CONDITIONAL_RATIO_TARGET));
            }
            Double busy = sqliteBusyRatio(pair[1], pair[2]);
            if (busy != null) {
                out.printf("%-18s %8s   %-34s %.1f%% vs %.1f%% of the time (no target; the ledger's work counts as busy)%n",
                        "", format(busy), "SQLite thread busy, mean of rounds", 100 * mean(sqliteBusyByRound(pair[1])),
                        100 * mean(sqliteBusyByRound(pair[2])));
            }
        }
        if (!rounds.isEmpty()) {
            out.println();
            out.println("Rounds in the order they ran: items/s (DynamoDB Local's SQLite CPU ms per 1,000 items, the"
                    + " machine's speed at the time; % of the copy's time that thread was busy)");
            rounds.forEach((name, ofPath) -> {
                StringBuilder line = new StringBuilder();
                for (Round r : ofPath) {
                    line.append(String.format("  %,.0f", r.rate()));
                    if (r.sqliteMsPer1000Items() != null) {
                        line.append(String.format(" (%.0f; %.0f%%)", r.sqliteMsPer1000Items(), 100 * r.sqliteBusyShare()));
                    }
                }
                out.printf("  %-20s%s%n", name, line);
            });
        }
        if (settings.items() != 50_000 || settings.workers() != 4 || settings.seederSegments() != 1_000_000) {
            out.println("(the targets are set for 50,000 items, 4 workers and 1,000,000 seeder segments)");
        }
        if (!profiles.isEmpty()) {
            out.println();
            out.println("Where the time goes: calls (count, mean ms, total s over all threads) and this JVM's CPU (s)");
            profiles.forEach((name, run) -> {
                Figure f = run.figure();
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
        out.printf("%nbench took %.0f s%n", elapsedSeconds);
        out.flush();
    }

    /** A target from the issue; informational, the command's exit code does not depend on it. */
    record Target(String name, Double value, String comparison, double bound, String meaning) {
        boolean met() {
            return comparison.equals(">=") ? value >= bound : value <= bound;
        }
    }

    List<Target> targets() {
        List<Target> all = new ArrayList<>();
        all.add(new Target("batchRatio", batchRatio(), ">=", BATCH_RATIO_TARGET, "pipelineBatch / rawBatch"));
        all.add(new Target("conditionalRatio", conditionalRatio(), ">=", CONDITIONAL_RATIO_TARGET,
                "pipelineConditional / rawPut"));
        all.add(new Target("seederRatio", seederRatio(), ">=", SEEDER_RATIO_TARGET, "seeder / rawSend"));
        all.add(new Target("seederPeakHeapMb", seeder == null ? null : round1(seeder.seederPeakHeapMb()), "<=",
                SEEDER_HEAP_TARGET_MB, "seeder's JVM, sum of pool peaks"));
        all.add(new Target("emptySegmentMs", emptySegmentMs(), "<=", EMPTY_SEGMENT_TARGET_MS,
                "wall time / segments"));
        return all;
    }

    private static String formatNullable(Double v) {
        return v == null ? "-" : format(v);
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) >= 10 ? String.format("%.0f", v) : String.format("%.3f", v)
                .replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long physicalMemoryMb() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (1024 * 1024);
        }
        return -1;
    }
}
