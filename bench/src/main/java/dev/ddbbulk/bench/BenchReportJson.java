package dev.ddbbulk.bench;

import static dev.ddbbulk.bench.RatioStatistics.interval;
import static dev.ddbbulk.bench.RatioStatistics.median;
import static dev.ddbbulk.bench.Rounding.round1;
import static dev.ddbbulk.bench.Rounding.round2;
import static dev.ddbbulk.bench.Rounding.round3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The bench's report as one JSON object, for {@code --json}: the settings, every figure, ratio and target. */
final class BenchReportJson {
    private final BenchReport report;

    BenchReportJson(BenchReport report) {
        this.report = report;
    }

    /** The report as one JSON object, every figure under a stable name; null where not measured. */
    ObjectNode toJson(ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        putSettings(node, report.settings());
        putFigures(node);
        putRatios(node);
        putRounds(node.putObject("roundsByPath"));
        putTargets(node.putObject("targets"));
        putMeasurements(node);
        putMachine(node.putObject("machine"));
        node.put("elapsedSeconds", round1(report.elapsedSeconds()));
        return node;
    }

    private static void putSettings(ObjectNode node, BenchReport.Settings settings) {
        node.put("items", settings.items());
        node.put("itemBytes", settings.itemBytes());
        node.put("workers", settings.workers());
        node.put("segments", settings.segments());
        node.put("pageSize", settings.pageSize());
        node.put("seederSegments", settings.seederSegments());
        node.put("emptySegments", settings.emptySegments());
        node.put("rounds", settings.rounds());
        node.put("endpoint", settings.endpoint());
        node.put("latencyMs", settings.latency().toMillis());
        node.put("writesInFlight", settings.writesInFlight());
    }

    /** Each path's best rate, the seeder's and workers' heap, and an empty segment's time. */
    private void putFigures(ObjectNode node) {
        node.put("rawBatchItemsPerSecond", report.rate("rawBatch"));
        node.put("rawPutItemsPerSecond", report.rate("rawPut"));
        node.put("rawConditionalPutItemsPerSecond", report.rate("rawConditionalPut"));
        node.put("rawConditionalPutInFlightItemsPerSecond", report.rate("rawConditionalPutInFlight"));
        node.put("pipelineBatchItemsPerSecond", report.rate("pipelineBatch"));
        node.put("pipelineConditionalItemsPerSecond", report.rate("pipelineConditional"));
        node.put("seederMessagesPerSecond", report.rate("seeder"));
        node.put("rawSendMessagesPerSecond", report.rate("rawSend"));
        double[] rawSendHalves = report.rawSendHalves();
        node.put("rawSendFirstHalfMessagesPerSecond", rawSendHalves == null ? null : rawSendHalves[0]);
        node.put("rawSendSecondHalfMessagesPerSecond", rawSendHalves == null ? null : rawSendHalves[1]);
        SeederBench.Result seeder = report.seederResult();
        node.put("seederPeakHeapMb", seeder == null ? null : round1(seeder.seederPeakHeapMb()));
        node.put("seederLiveHeapMb", seeder == null ? null : round1(seeder.seederLiveHeapMb()));
        node.put("seederJvmMaxHeapMb", seeder == null ? null : seeder.childMaxHeapMb());
        node.put("emptySegmentMs", report.emptySegmentMs());
        BenchReport.WorkerHeap heap = report.workerHeap();
        node.put("workerPeakHeapMbSmall", heap.small() == null ? null : round1(heap.small().peakMb()));
        node.put("workerPeakHeapMbLarge", heap.large() == null ? null : round1(heap.large().peakMb()));
        node.put("workerLiveHeapMbSmall", heap.small() == null ? null : round1(heap.small().liveMb()));
        node.put("workerLiveHeapMbLarge", heap.large() == null ? null : round1(heap.large().liveMb()));
        node.put("workerHeapItemsSmall", heap.small() == null ? null : heap.smallItems());
        node.put("workerHeapItemsLarge", heap.large() == null ? null : heap.largeItems());
    }

    /** The ratios of the best figures, and of each round's own pair with their median and interval. */
    private void putRatios(ObjectNode node) {
        node.put("batchRatio", report.batchRatio());
        node.put("conditionalRatio", report.conditionalRatio());
        node.put("seederRatio", report.seederRatio());
        node.put("conditionCostRatio", report.conditionCostRatio());
        node.put("conditionalPipelineRatio", report.conditionalPipelineRatio());
        node.put("inFlightCostRatio", report.inFlightCostRatio());
        node.put("conditionalInFlightPipelineRatio", report.conditionalInFlightPipelineRatio());
        node.put("latencyBatchRatio", report.latencyBatchRatio());
        node.put("latencyConditionalRatio", report.latencyConditionalRatio());
        node.put("singleWorkerSpeedup", report.singleWorkerSpeedup());
        report.ratioByRound("pipelineBatch", "rawBatch").forEach(node.putArray("batchRatioByRound")::add);
        report.ratioByRound("pipelineConditional", "rawPut").forEach(node.putArray("conditionalRatioByRound")::add);
        node.put("batchRatioMedianOfRounds", median(report.ratioByRound("pipelineBatch", "rawBatch")));
        node.put("conditionalRatioMedianOfRounds", median(report.ratioByRound("pipelineConditional", "rawPut")));
        putInterval(node, "batchRatioOfRounds", interval(report.ratioByRound("pipelineBatch", "rawBatch")));
        putInterval(node, "conditionalRatioOfRounds", interval(report.ratioByRound("pipelineConditional", "rawPut")));
        node.put("batchSqliteBusyRatio", report.sqliteBusyRatio("pipelineBatch", "rawBatch"));
        node.put("conditionalSqliteBusyRatio", report.sqliteBusyRatio("pipelineConditional", "rawPut"));
    }

    private static void putInterval(ObjectNode node, String name, RatioStatistics.Interval interval) {
        if (interval == null) {
            node.putNull(name);
            return;
        }
        node.putObject(name).put("geometricMean", interval.mean()).put("low95", interval.low())
                .put("high95", interval.high()).put("pairs", interval.pairs());
    }

    private void putRounds(ObjectNode byRound) {
        report.rounds().forEach((name, ofPath) -> {
            ObjectNode path = byRound.putObject(name);
            var perSecond = path.putArray("perSecond");
            ofPath.forEach(r -> perSecond.add(r.rate()));
            report.sqliteMsByRound(name).forEach(path.putArray("sqliteCpuMsPer1000Items")::add);
            report.sqliteBusyByRound(name).forEach(path.putArray("sqliteBusyShare")::add);
        });
    }

    private void putTargets(ObjectNode targets) {
        for (BenchReport.Target t : report.targets()) {
            ObjectNode target = targets.putObject(t.name());
            target.put("target", t.comparison() + " " + t.bound());
            if (t.value() == null) {
                target.putNull("met");
            } else {
                target.put("met", t.met());
            }
        }
    }

    /** Each path's best figure with its calls and CPU. */
    private void putMeasurements(ObjectNode node) {
        var measurements = node.putArray("measurements");
        for (BenchReport.Figure f : report.figures()) {
            ObjectNode m = measurements.addObject();
            m.put("name", f.name());
            m.put("count", f.count());
            m.put("unit", f.unit());
            m.put("seconds", round3(f.seconds()));
            m.put("perSecond", f.rate());
            m.put("threads", f.threads());
            m.put("startSeconds", Double.isNaN(f.startSeconds()) ? null : round3(f.startSeconds()));
            m.put("tailSeconds", Double.isNaN(f.tailSeconds()) ? null : round3(f.tailSeconds()));
            BenchReport.Run run = report.profiles().get(f.name());
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
    }

    private void putMachine(ObjectNode machine) {
        machine.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        machine.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        machine.put("physicalMemoryMb", BenchReport.physicalMemoryMb());
        machine.put("javaVersion", System.getProperty("java.version"));
        machine.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        machine.put("loadAverageAtStart", round2(report.loadAverageAtStart()));
        machine.put("loadAverageAtEnd", round2(BenchReport.loadAverage()));
    }
}
