package dev.ddbbulk.bench;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.WriteMode;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.tools.local.DemoData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * What the bench measures and in which order: a warm-up of every path, rounds of each raw ceiling next to its
 * pipeline (in ABBA order), the workers' heap, empty segments and the seeder; {@link CopyBench} runs each copy.
 */
final class BenchPlan {
    static final List<String> MEASUREMENTS = List.of("warmUp", "rawBatch", "pipelineBatch", "rawPut",
            "rawConditionalPut", "rawConditionalPutInFlight", "pipelineConditional", "latencyBatch",
            "latencyConditional", "singleWorker", "workerHeap", "emptySegments", "seeder");
    /** The single-worker comparison's table: one write at a time at 5 ms does about 150 items/s. */
    private static final int SINGLE_WORKER_ITEMS = 2_000;
    private static final int SINGLE_WORKER_SEGMENTS = 20;
    private static final int WARM_UP_ITEMS = 5_000;
    private static final int WARM_UP_SEGMENTS = 50;
    private static final int WARM_UP_LEDGER_SEGMENTS = 3_000;

    private final BenchReport.Settings settings;
    private final Set<String> skip;
    private final BenchTarget target;
    private final BenchProgress progress;
    private final CopyBench copies;

    /** @param skip the measurements to leave out, by the names in {@link #MEASUREMENTS} (and rawSend) */
    BenchPlan(BenchReport.Settings settings, Set<String> skip, BenchTarget target, BenchProgress progress) {
        this.settings = settings;
        this.skip = skip;
        this.target = target;
        this.progress = progress;
        this.copies = new CopyBench(target, settings.workers(), settings.writesInFlight(), progress.err());
    }

    private boolean runs(String name) {
        if (name.startsWith("latency") || name.equals("singleWorker")) {
            return !settings.latency().isZero() && !skip.contains(name);
        }
        return !skip.contains(name) && !(name.equals("seeder") && skip.contains("rawSend"));
    }

    /** Runs every measurement not skipped, in the plan's order, and records the measured ones in {@code report}. */
    void measure(BenchReport report) throws Exception {
        int items = settings.items();
        int segments = settings.segments();
        int emptySegments = settings.emptySegments();
        int emptySegmentItems = settings.emptySegmentItems();
        TableShape source = fill("source", items);
        int smallItems = Math.max(1, items / 5);
        TableShape small = runs("workerHeap") || runs("warmUp") ? fill("small", smallItems) : null;
        TableShape tiny = runs("emptySegments") ? fill("tiny", emptySegmentItems) : null;

        if (runs("warmUp")) {
            // Every path runs before it is measured, the batch paths twice with every segment, so that the
            // ledger's and the queue's calls (a few per segment) are compiled by the JIT before the first round,
            // as the data path's BatchWriteItem already was while the table was filled (docs/PERFORMANCE.md).
            progress.say("warming up every path...");
            for (int pass = 1; pass <= 2; pass++) {
                progress.announce(copies.rawCopy("warmUp/rawBatch", small, smallItems, segments,
                        RawCeilings.Write.BATCH));
                progress.announce(copies.pipeline("warmUp/pipelineBatch", small, smallItems, segments,
                        WriteMode.BATCH, null));
            }
            int warmItems = Math.min(items, WARM_UP_ITEMS);
            TableShape warm = fill("warm", warmItems);
            int warmSegments = Math.min(segments, WARM_UP_SEGMENTS);
            progress.announce(copies.rawCopy("warmUp/rawPut", warm, warmItems, warmSegments,
                    RawCeilings.Write.PUT));
            progress.announce(copies.rawCopy("warmUp/rawConditionalPut", warm, warmItems, warmSegments,
                    RawCeilings.Write.CONDITIONAL_PUT));
            progress.announce(copies.pipeline("warmUp/pipelineConditional", warm, warmItems, warmSegments,
                    WriteMode.CONDITIONAL, null));
            target.deleteTable(warm.table());
            // The ledger's calls (a claim and a completing transaction a segment) run too few times a copy for
            // the JIT to compile DynamoDB Local's expression parser behind them, which would then take CPU from
            // the measured writes in every round: thousands of nearly empty segments compile it.
            int ledgerItems = emptySegmentItems;
            TableShape ledgerWarm = fill("ledger-warm", ledgerItems);
            progress.announce(copies.pipeline("warmUp/ledger", ledgerWarm, ledgerItems,
                    Math.min(WARM_UP_LEDGER_SEGMENTS, 15 * segments), WriteMode.BATCH, null));
            target.deleteTable(ledgerWarm.table());
        }

        HeapProbe.Usage[] largeHeap = new HeapProbe.Usage[1];
        // Each raw ceiling right next to the pipelines divided by it, and in even rounds the order is reversed
        // (ABBA), so that a drift in the machine's speed weighs on both sides of each ratio alike.
        // rawConditionalPut splits the conditional ratio into what the condition costs DynamoDB and what the
        // pipeline costs, and rawConditionalPutInFlight splits the latter into what the pipeline's calls in flight
        // cost the server and what the rest of the pipeline costs; they run before rawPut, not between rawPut
        // and pipelineConditional.
        List<String> order = List.of("rawBatch", "pipelineBatch", "latencyBatch", "latencyConditional",
                "rawConditionalPutInFlight", "rawConditionalPut", "rawPut", "pipelineConditional");
        // Round 0 ends the warm-up with the copies at full size, unrecorded, the conditional pipeline twice:
        // after the smaller warm-up alone the first measured round still ran slower than the later ones, with
        // the JIT not done. rawConditionalPut only splits the conditional ratio and is left out of it.
        List<String> warmUpRound = List.of("rawBatch", "pipelineBatch", "rawPut", "pipelineConditional",
                "pipelineConditional");
        for (int round = runs("warmUp") ? 0 : 1; round <= settings.rounds(); round++) {
            List<String> names = new ArrayList<>(round == 0 ? warmUpRound : order);
            if (round % 2 == 0) {
                Collections.reverse(names);
            }
            for (String measurement : names) {
                if (!runs(measurement)) {
                    continue;
                }
                String name = round == 0 ? "warmUp/" + measurement : measurement;
                BenchReport.Run run = switch (measurement) {
                    case "rawBatch" -> copies.rawCopy(name, source, items, segments, RawCeilings.Write.BATCH);
                    case "rawPut" -> copies.rawCopy(name, source, items, segments, RawCeilings.Write.PUT);
                    case "rawConditionalPut" -> copies.rawCopy(name, source, items, segments,
                            RawCeilings.Write.CONDITIONAL_PUT);
                    case "rawConditionalPutInFlight" -> copies.rawCopyInFlight(name, source, items, segments,
                            RawCeilings.Write.CONDITIONAL_PUT);
                    case "pipelineBatch" -> copies.pipeline(name, source, items, segments, WriteMode.BATCH,
                            round == 1 ? largeHeap : null);
                    case "latencyBatch" -> copies.pipeline(name, source, items, segments, WriteMode.BATCH, null,
                            withLatency(settings.workers(), settings.writesInFlight()));
                    case "latencyConditional" -> copies.pipeline(name, source, items, segments,
                            WriteMode.CONDITIONAL, null, withLatency(settings.workers(),
                                    settings.writesInFlight()));
                    default -> copies.pipeline(name, source, items, segments, WriteMode.CONDITIONAL, null);
                };
                progress.announce(run);
                if (round > 0) {
                    report.record(run);
                }
            }
        }

        if (runs("singleWorker")) {
            // One conditional worker at the latency, one write at a time and then with the default in flight:
            // what the writes in flight buy a worker, measured side by side.
            int singleItems = Math.min(items, SINGLE_WORKER_ITEMS);
            TableShape single = fill("single", singleItems);
            int singleSegments = Math.min(segments, SINGLE_WORKER_SEGMENTS);
            for (int round = 1; round <= settings.rounds(); round++) {
                report.record(progress.announce(copies.pipeline("singleWorkerSequential", single, singleItems,
                        singleSegments, WriteMode.CONDITIONAL, null, withLatency(1, 1))));
                report.record(progress.announce(copies.pipeline("singleWorkerInFlight", single, singleItems,
                        singleSegments, WriteMode.CONDITIONAL, null,
                        withLatency(1, JobConfig.DEFAULT_WRITES_IN_FLIGHT))));
            }
            target.deleteTable(single.table());
        }

        if (runs("workerHeap")) {
            if (largeHeap[0] == null) {
                progress.announce(copies.pipeline("workerHeapLarge", source, items, segments, WriteMode.BATCH,
                        largeHeap));
            }
            HeapProbe.Usage[] smallHeap = new HeapProbe.Usage[1];
            progress.announce(copies.pipeline("workerHeapSmall", small, smallItems, segments, WriteMode.BATCH,
                    smallHeap));
            report.workerHeap(smallItems, smallHeap[0], items, largeHeap[0]);
        }
        if (small != null) {
            target.deleteTable(small.table());
        }

        if (tiny != null) {
            BenchReport.Run run = copies.pipeline("emptySegments", tiny, emptySegmentItems, emptySegments,
                    WriteMode.BATCH, null);
            BenchReport.Figure copy = run.figure();
            report.record(progress.announce(new BenchReport.Run(new BenchReport.Figure("emptySegments", emptySegments,
                    "segments", copy.seconds(), settings.workers(), copy.startSeconds(), copy.tailSeconds()),
                    run.calls(), run.cpu())));
            target.deleteTable(tiny.table());
        }

        if (runs("seeder")) {
            ProgressLedger ledger = target.createLedger("seeder-ledger");
            progress.say(String.format("seeder vs raw SendMessageBatch, %,d messages each, in a JVM of its own...",
                    settings.seederSegments()));
            SeederBench.Result result = SeederBench.measure(target, ledger.table(), source.table(),
                    settings.seederSegments(), target.name("seeder-"), progress.err());
            report.seeder(result);
            progress.say(String.format("rawSend %,.0f msg/s, seeder %,.0f msg/s", report.rate("rawSend"),
                    report.rate("seeder")));
            target.deleteTable(ledger.table());
        }
    }

    private CopyBench.Network withLatency(int workers, int writesInFlight) {
        return new CopyBench.Network(settings.latency(), workers, writesInFlight);
    }

    private TableShape fill(String suffix, int count) throws InterruptedException {
        TableShape table = target.createTable(suffix);
        long start = System.nanoTime();
        DemoData.fill(target.dynamoDb(), table, count, settings.itemBytes(), Math.max(4, settings.workers()));
        progress.say(String.format("filled %s with %,d items in %.1f s", table.table(), count,
                (System.nanoTime() - start) / 1e9));
        return table;
    }
}
