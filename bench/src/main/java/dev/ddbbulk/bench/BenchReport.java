package dev.ddbbulk.bench;

import static dev.ddbbulk.bench.RatioStatistics.mean;
import static dev.ddbbulk.bench.Rounding.round1;
import static dev.ddbbulk.bench.Rounding.round2;
import static dev.ddbbulk.bench.Rounding.round3;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The bench's figures as they are measured, the best round of each path, and the ratios and targets taken
 * from them; {@link BenchReportText} and {@link BenchReportJson} print it. Rates are rounded to 0.1 before the
 * ratios are taken, so every ratio is the quotient of the figures it prints.
 */
final class BenchReport {
    static final double BATCH_RATIO_TARGET = 0.9;
    static final double CONDITIONAL_RATIO_TARGET = 0.9;
    static final double SEEDER_RATIO_TARGET = 0.8;
    static final double SEEDER_HEAP_TARGET_MB = 256;
    static final double EMPTY_SEGMENT_TARGET_MS = 20;
    static final double LATENCY_RATIO_TARGET = 0.8;
    static final double SINGLE_WORKER_SPEEDUP_TARGET = 5;

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
    /** @param latency added to every DynamoDB call of the latency measurements; zero when there are none */
    record Settings(int items, int itemBytes, int workers, int segments, int pageSize, int seederSegments,
                    int emptySegments, int emptySegmentItems, int rounds, String endpoint, Duration latency,
                    int writesInFlight) {
    }

    private final Settings settings;
    private final Map<String, Figure> figures = new LinkedHashMap<>();
    private final Map<String, Run> profiles = new LinkedHashMap<>();
    private final double loadAverageAtStart = loadAverage();
    private WorkerHeap workerHeap = new WorkerHeap(0, null, 0, null);
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

    /** The workers' heap on a small and a large table; a usage is null where it was not measured. */
    record WorkerHeap(int smallItems, HeapProbe.Usage small, int largeItems, HeapProbe.Usage large) {
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
        this.workerHeap = new WorkerHeap(smallItems, small, largeItems, large);
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

    Settings settings() {
        return settings;
    }

    /** The best figure of every path, in the order the paths were first measured. */
    Collection<Figure> figures() {
        return Collections.unmodifiableCollection(figures.values());
    }

    /** The calls and CPU of each path's best round, by path. */
    Map<String, Run> profiles() {
        return Collections.unmodifiableMap(profiles);
    }

    /** Every measured round, per path, in the order the rounds ran. */
    Map<String, List<Round>> rounds() {
        return Collections.unmodifiableMap(rounds);
    }

    WorkerHeap workerHeap() {
        return workerHeap;
    }

    /** What the seeder's JVM measured; null when the seeder was skipped. */
    SeederBench.Result seederResult() {
        return seeder;
    }

    /** rawSend's rate before and after the seeder ran, or null when it was skipped. */
    double[] rawSendHalves() {
        return rawSendHalves;
    }

    double elapsedSeconds() {
        return elapsedSeconds;
    }

    double loadAverageAtStart() {
        return loadAverageAtStart;
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

    /**
     * What the pipeline's writes in flight cost the server: conditional puts with as many in flight as the
     * pipeline keeps, over one a worker. On AWS they hide each call's latency; at no latency they only queue.
     */
    Double inFlightCostRatio() {
        return ratio("rawConditionalPutInFlight", "rawConditionalPut");
    }

    /** What the pipeline costs in conditional mode beyond the condition and the calls it keeps in flight. */
    Double conditionalInFlightPipelineRatio() {
        return ratio("pipelineConditional", "rawConditionalPutInFlight");
    }

    /** The pipeline in batch mode with latency on every call, over the raw ceiling without. */
    Double latencyBatchRatio() {
        return ratio("latencyBatch", "rawBatch");
    }

    /** The conditional pipeline with latency, over the raw conditional puts without (the same server work). */
    Double latencyConditionalRatio() {
        return ratio("latencyConditional", "rawConditionalPut");
    }

    /** One conditional worker with latency: its writes in flight over one write at a time. */
    Double singleWorkerSpeedup() {
        return ratio("singleWorkerInFlight", "singleWorkerSequential");
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
        return quotient(mean(sqliteBusyByRound(pipeline)), mean(sqliteBusyByRound(raw)));
    }

    private Double ratio(String pipeline, String raw) {
        return quotient(rate(pipeline), rate(raw));
    }

    /** {@code a / b} to three decimals; null when either is unknown or b is 0. */
    private static Double quotient(Double a, Double b) {
        return a == null || b == null || b == 0 ? null : round3(a / b);
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
        if (!settings.latency().isZero()) {
            String latency = settings.latency().toMillis() + " ms";
            all.add(new Target("latencyBatchRatio", latencyBatchRatio(), ">=", LATENCY_RATIO_TARGET,
                    "latencyBatch (" + latency + ") / rawBatch (0 ms)"));
            all.add(new Target("latencyConditionalRatio", latencyConditionalRatio(), ">=", LATENCY_RATIO_TARGET,
                    "latencyConditional (" + latency + ") / rawConditionalPut (0 ms)"));
            all.add(new Target("singleWorkerSpeedup", singleWorkerSpeedup(), ">=", SINGLE_WORKER_SPEEDUP_TARGET,
                    "one conditional worker at " + latency + ": writes in flight / one at a time"));
        }
        return all;
    }

    /** The system's load average over the last minute, as the report shows it at its start and end. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static long physicalMemoryMb() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (1024 * 1024);
        }
        return -1;
    }
}
