package dev.ddbbulk.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.InvalidJobException;
import dev.ddbbulk.core.JobConfig;
import dev.ddbbulk.core.ProgressLedger;
import dev.ddbbulk.core.TableShape;
import dev.ddbbulk.core.WriteMode;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Measures the pipeline against the raw ceilings of the same endpoints, in one run, at the same concurrency
 * and page size, after a warm-up of every path: copy with BatchWriteItem (raw scan + write vs the whole
 * pipeline), per-item writes (raw PutItem vs conditional mode), the seeder vs raw SendMessageBatch, the cost
 * of an empty segment, and the workers' heap at two table sizes.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the pipeline against the raw ceilings of DynamoDB and SQS (embedded by default, or"
                + " --endpoint-url); creates and deletes its own uniquely named tables and queues.")
final class BenchCommand implements Callable<Integer> {
    static final List<String> MEASUREMENTS = List.of("warmUp", "rawBatch", "pipelineBatch", "rawPut",
            "pipelineConditional", "workerHeap", "emptySegments", "seeder");
    private static final int WARM_UP_ITEMS = 2_000;
    private static final int WARM_UP_SEGMENTS = 20;
    private static final int EMPTY_SEGMENT_ITEMS = 100;

    @Spec
    CommandSpec spec;

    @Mixin
    AwsMixin aws;

    @Option(names = "--items", defaultValue = "50000", description = "Items in the source table. Default: ${DEFAULT-VALUE}.")
    int items;

    @Option(names = "--item-bytes", defaultValue = "220", description = "Approximate size of an item. Default: ${DEFAULT-VALUE}.")
    int itemBytes;

    @Option(names = "--workers", defaultValue = "4",
            description = "Threads of every path: raw scanners/writers and pipeline workers alike. Default: ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--segments", defaultValue = "200", description = "TotalSegments of the copies. Default: ${DEFAULT-VALUE}.")
    int segments;

    @Option(names = "--seeder-segments", defaultValue = "1000000",
            description = "Segments the seeder (and raw SendMessageBatch) enqueue. Default: ${DEFAULT-VALUE}.")
    int seederSegments;

    @Option(names = "--empty-segments", defaultValue = "2000",
            description = "Segments of a " + EMPTY_SEGMENT_ITEMS + "-item table, to time empty segments. Default: ${DEFAULT-VALUE}.")
    int emptySegments;

    @Option(names = "--rounds", defaultValue = "1",
            description = "Rounds of the copy measurements, raw and pipeline in alternating order; the best of"
                    + " each is reported. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--skip", split = ",", paramLabel = "NAME",
            description = "Measurements to leave out, comma-separated: warmUp, rawBatch, pipelineBatch, rawPut,"
                    + " pipelineConditional, workerHeap, emptySegments, seeder (with rawSend).")
    Set<String> skip = new LinkedHashSet<>();

    @Option(names = "--json", description = "Print exactly one JSON object with every figure on stdout.")
    boolean json;

    private final Clock clock = Clock.systemUTC();
    private PrintWriter err;
    private BenchTarget target;
    /** The calls of the latest measurement, for the report's profile. */
    private CallTimer lastTimer;

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        boolean embedded = aws.endpointUrl == null && aws.sqsEndpointUrl == null && aws.region == null;
        BenchReport report = new BenchReport(new BenchReport.Settings(items, itemBytes, workers, segments,
                JobConfig.DEFAULT_PAGE_SIZE, seederSegments, emptySegments, Math.min(items, EMPTY_SEGMENT_ITEMS), rounds,
                embedded ? "embedded DynamoDB Local + ElasticMQ" : describe(aws)));
        long start = System.nanoTime();
        progress(embedded ? "starting DynamoDB Local and ElasticMQ inside this JVM..." : "using " + describe(aws));
        try (BenchTarget t = embedded ? BenchTarget.embedded(workers + 16, err)
                : BenchTarget.endpoints(aws, workers + 16, err)) {
            target = t;
            measure(report);
        }
        report.elapsed((System.nanoTime() - start) / 1e9);
        if (json) {
            report.printText(err);
            out.println(new ObjectMapper().writeValueAsString(report.toJson(new ObjectMapper())));
            out.flush();
        } else {
            report.printText(out);
        }
        return ExitCodes.OK;
    }

    private void validate() {
        for (String name : skip) {
            if (!MEASUREMENTS.contains(name) && !name.equals("rawSend")) {
                throw new InvalidJobException("--skip: unknown measurement '" + name + "'; use any of " + MEASUREMENTS);
            }
        }
        if (items < 1) {
            throw new InvalidJobException("--items must be at least 1, got " + items);
        }
        if (itemBytes < 100 || itemBytes > 350_000) {
            throw new InvalidJobException("--item-bytes must be between 100 and 350000, got " + itemBytes);
        }
        if (rounds < 1 || rounds > 10) {
            throw new InvalidJobException("--rounds must be between 1 and 10, got " + rounds);
        }
        // JobConfig checks the limits of workers and all segment counts with the template's messages.
        for (int n : new int[] {segments, seederSegments, emptySegments}) {
            JobConfig.builder().sourceTable("bench").totalSegments(n).parallelWorkers(workers).build();
        }
    }

    private boolean runs(String name) {
        return !skip.contains(name) && !(name.equals("seeder") && skip.contains("rawSend"));
    }

    private void measure(BenchReport report) throws Exception {
        TableShape source = fill("source", items);
        TableShape small = runs("workerHeap") ? fill("small", Math.max(1, items / 5)) : null;
        TableShape tiny = runs("emptySegments") ? fill("tiny", Math.min(items, EMPTY_SEGMENT_ITEMS)) : null;

        if (runs("warmUp")) {
            TableShape warm = fill("warm", Math.min(items, WARM_UP_ITEMS));
            progress("warming up every path on " + warm.table() + "...");
            int warmItems = Math.min(items, WARM_UP_ITEMS);
            // Fewer segments than the measurement: every code path runs, without paying 200 segments' overhead.
            int warmSegments = Math.min(segments, WARM_UP_SEGMENTS);
            announce(rawCopy("warmUp/rawBatch", warm, warmItems, warmSegments, RawCeilings.Write.BATCH));
            announce(pipeline("warmUp/pipelineBatch", warm, warmItems, warmSegments, WriteMode.BATCH, null));
            announce(rawCopy("warmUp/rawPut", warm, warmItems, warmSegments, RawCeilings.Write.PUT));
            announce(pipeline("warmUp/pipelineConditional", warm, warmItems, warmSegments, WriteMode.CONDITIONAL, null));
            target.deleteTable(warm.table());
        }

        HeapProbe.Usage[] largeHeap = new HeapProbe.Usage[1];
        for (int round = 1; round <= rounds; round++) {
            // Raw first in odd rounds, pipeline first in even ones, so a drift in the machine's load evens out.
            boolean rawFirst = round % 2 == 1;
            for (WriteMode mode : WriteMode.values()) {
                String raw = mode == WriteMode.BATCH ? "rawBatch" : "rawPut";
                String pipe = mode == WriteMode.BATCH ? "pipelineBatch" : "pipelineConditional";
                RawCeilings.Write write = mode == WriteMode.BATCH ? RawCeilings.Write.BATCH : RawCeilings.Write.PUT;
                for (int step = 0; step < 2; step++) {
                    if ((step == 0) == rawFirst) {
                        if (runs(raw)) {
                            report.record(announce(rawCopy(raw, source, items, segments, write)), lastTimer);
                        }
                    } else if (runs(pipe)) {
                        HeapProbe.Usage[] heap = mode == WriteMode.BATCH && round == 1 ? largeHeap : null;
                        report.record(announce(pipeline(pipe, source, items, segments, mode, heap)), lastTimer);
                    }
                }
            }
        }

        if (small != null) {
            if (largeHeap[0] == null) {
                announce(pipeline("workerHeapLarge", source, items, segments, WriteMode.BATCH, largeHeap));
            }
            HeapProbe.Usage[] smallHeap = new HeapProbe.Usage[1];
            int smallItems = Math.max(1, items / 5);
            announce(pipeline("workerHeapSmall", small, smallItems, segments, WriteMode.BATCH, smallHeap));
            report.workerHeap(smallItems, smallHeap[0], items, largeHeap[0]);
            target.deleteTable(small.table());
        }

        if (tiny != null) {
            BenchReport.Figure run = pipeline("emptySegments", tiny, Math.min(items, EMPTY_SEGMENT_ITEMS),
                    emptySegments, WriteMode.BATCH, null);
            report.record(announce(new BenchReport.Figure("emptySegments", emptySegments, "segments", run.seconds(),
                    workers, run.startSeconds(), run.tailSeconds())), lastTimer);
            target.deleteTable(tiny.table());
        }

        if (runs("seeder")) {
            ProgressLedger ledger = target.createLedger("seeder-ledger");
            progress(String.format("seeder vs raw SendMessageBatch, %,d messages each, in a JVM of its own...",
                    seederSegments));
            SeederBench.Result result = SeederBench.measure(target, ledger.table(), source.table(), seederSegments,
                    target.name("seeder-"), err);
            report.seeder(result);
            progress(String.format("rawSend %,.0f msg/s, seeder %,.0f msg/s", report.rate("rawSend"),
                    report.rate("seeder")));
            target.deleteTable(ledger.table());
        }
    }

    private TableShape fill(String suffix, int count) throws InterruptedException {
        TableShape table = target.createTable(suffix);
        long start = System.nanoTime();
        DemoData.fill(target.dynamoDb(), table, count, itemBytes, Math.max(4, workers));
        progress(String.format("filled %s with %,d items in %.1f s", table.table(), count,
                (System.nanoTime() - start) / 1e9));
        return table;
    }

    /** Scan + write with plain SDK calls into a fresh table; no queue, no ledger. */
    private BenchReport.Figure rawCopy(String name, TableShape source, int expected, int totalSegments,
                                       RawCeilings.Write write) throws InterruptedException {
        TableShape destination = target.createTable(name + "-" + write.name().toLowerCase() + "-dst");
        lastTimer = new CallTimer();
        DynamoDbClient dynamoDb = lastTimer.wrap(target.dynamoDb());
        System.gc();
        long start = System.nanoTime();
        long copied = RawCeilings.copy(dynamoDb, source.table(), destination.table(), totalSegments, workers,
                JobConfig.DEFAULT_PAGE_SIZE, true, write);
        long end = System.nanoTime();
        target.deleteTable(destination.table());
        if (copied != expected) {
            throw new IllegalStateException(name + " copied " + copied + " items of " + expected);
        }
        String lastCall = write == RawCeilings.Write.BATCH ? "DynamoDB.batchWriteItem" : "DynamoDB.putItem";
        return timed(name, expected, start, end, lastCall);
    }

    /**
     * The whole pipeline (seeder, queue, fleet, ledger) as {@code run} does it, into a fresh table with a fresh
     * ledger and queue pair; timed from the seeder's start to the moment the last segment was marked done.
     *
     * @param heap when not null, receives the heap used while it ran
     */
    private BenchReport.Figure pipeline(String name, TableShape source, int expected, int totalSegments,
                                        WriteMode mode, HeapProbe.Usage[] heap) throws InterruptedException {
        String label = name + "-" + mode.name().toLowerCase();
        TableShape destination = target.createTable(label + "-dst");
        ProgressLedger created = target.createLedger(label + "-ledger");
        QueuePair queues = target.createQueuePair(label + "-q");
        lastTimer = new CallTimer();
        DynamoDbClient dynamoDb = lastTimer.wrap(target.dynamoDb());
        SqsClient sqs = lastTimer.wrap(target.sqs());
        ProgressLedger ledger = new ProgressLedger(dynamoDb, created.table(), clock);
        JobConfig job = JobConfig.builder().sourceTable(source.table()).destinationTable(destination.table())
                .totalSegments(totalSegments).parallelWorkers(workers).writeMode(mode).build();
        Duration budget = Duration.ofMinutes(15);
        var options = new LocalRun.FleetOptions(workers, budget, LocalRun.FleetOptions.marginFor(budget),
                Duration.ofSeconds(1), false, false);
        LocalRun run = new LocalRun(dynamoDb, sqs, ledger, queues, clock, new Random());
        RunSummary summary;
        long start;
        try (HeapProbe probe = heap != null ? HeapProbe.start() : null) {
            if (probe == null) {
                System.gc();
            }
            start = System.nanoTime();
            summary = run.execute(UUID.randomUUID().toString(), job, options, false, err);
            if (probe != null) {
                heap[0] = probe.usage();
            }
        }
        // The last segment is done when its completing transaction returns; LocalRun's own elapsed time also
        // holds the fleet's shutdown (a long poll of up to a second), which is not the pipeline's work.
        String segmentDone = "DynamoDB.transactWriteItems";
        long end = lastTimer.lastEndNanos(segmentDone);
        target.deleteTable(destination.table());
        target.deleteTable(created.table());
        target.deleteQueues(queues.queueUrl(), queues.dlqUrl());
        if (summary.exitCode() != ExitCodes.OK || summary.counts().scanned() != expected
                || summary.counts().written() != expected) {
            throw new IllegalStateException(name + " did not copy every item once: " + summary.counts()
                    + ", " + summary.segmentsCompleted() + "/" + summary.totalSegments() + " segments, DLQ "
                    + summary.dlqMessages());
        }
        return timed(name, expected, start, end, segmentDone);
    }

    /**
     * The figure of a copy that ran from {@code start} to {@code end}, with where its threads waited: until
     * the first scan, and at the end, after their own last {@code lastCall} (nothing left for them to take).
     */
    private BenchReport.Figure timed(String name, long items, long start, long end, String lastCall) {
        double seconds = (end - start) / 1e9;
        double startSeconds = (lastTimer.firstStartNanos("DynamoDB.scan") - start) / 1e9;
        var lastEnds = lastTimer.lastEndsByThread(lastCall);
        double idle = (workers - lastEnds.size()) * seconds;
        for (long threadEnd : lastEnds) {
            idle += (end - threadEnd) / 1e9;
        }
        return new BenchReport.Figure(name, items, "items", seconds, workers, startSeconds, idle / workers);
    }

    private BenchReport.Figure announce(BenchReport.Figure figure) {
        progress(String.format("%-20s %,9d %s in %6.2f s = %,9.1f %s/s", figure.name(), figure.count(),
                figure.unit(), figure.seconds(), figure.rate(), figure.unit()));
        return figure;
    }

    private void progress(String line) {
        err.println("bench: " + line);
        err.flush();
    }

    private static String describe(AwsMixin aws) {
        return "DynamoDB " + (aws.endpointUrl == null ? "(AWS)" : aws.endpointUrl) + ", SQS "
                + (aws.sqsEndpointUrl != null ? aws.sqsEndpointUrl : aws.endpointUrl == null ? "(AWS)" : aws.endpointUrl)
                + (aws.region == null ? "" : ", region " + aws.region);
    }
}
