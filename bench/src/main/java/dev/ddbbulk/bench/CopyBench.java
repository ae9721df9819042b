package dev.ddbbulk.bench;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.WriteMode;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.tools.local.LocalRun;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.ExitCodes;
import dev.ddbbulk.tools.output.RunSummary;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Measures one copy of a table into a fresh one with {@code workers} threads, by plain SDK calls (a raw ceiling)
 * or by the whole pipeline: its time, the calls it made, the CPU it took, and where its threads waited.
 */
final class CopyBench {
    private final BenchTarget target;
    private final int workers;
    private final int writesInFlight;
    private final PrintWriter err;
    private final Clock clock = Clock.systemUTC();

    /** @param err where the pipeline's runs write their own messages */
    CopyBench(BenchTarget target, int workers, int writesInFlight, PrintWriter err) {
        this.target = target;
        this.workers = workers;
        this.writesInFlight = writesInFlight;
        this.err = err;
    }
    /** Scan + write with plain SDK calls into a fresh table, one thread a worker; no queue, no ledger. */
    BenchReport.Run rawCopy(String name, TableShape source, int expected, int totalSegments,
                            RawCeilings.Write write) throws InterruptedException {
        return rawCopy(name, source, expected, totalSegments, write, workers);
    }

    /**
     * As {@link #rawCopy(String, TableShape, int, int, RawCeilings.Write)}, with one thread a write the workers
     * keep in flight: the same calls in flight as the pipeline, to tell what they cost the server.
     */
    BenchReport.Run rawCopyInFlight(String name, TableShape source, int expected, int totalSegments,
                                    RawCeilings.Write write) throws InterruptedException {
        return rawCopy(name, source, expected, totalSegments, write, workers * writesInFlight);
    }

    private BenchReport.Run rawCopy(String name, TableShape source, int expected, int totalSegments,
                                    RawCeilings.Write write, int threads) throws InterruptedException {
        TableShape destination = target.createTable(name + "-" + write.name().toLowerCase() + "-dst");
        CallTimer calls = new CallTimer();
        DynamoDbClient dynamoDb = calls.wrap(target.dynamoDb());
        System.gc();
        long copied;
        long start;
        long end;
        CpuProfile.Usage cpu;
        try (CpuProfile profile = CpuProfile.start()) {
            start = System.nanoTime();
            copied = RawCeilings.copy(dynamoDb, source.table(), destination, totalSegments, threads,
                    JobConfig.DEFAULT_PAGE_SIZE, true, write);
            end = System.nanoTime();
            cpu = profile.stop((end - start) / 1e9);
        }
        target.deleteTable(destination.table());
        if (copied != expected) {
            throw new IllegalStateException(name + " copied " + copied + " items of " + expected);
        }
        String lastCall = write == RawCeilings.Write.BATCH ? "DynamoDB.batchWriteItem" : "DynamoDB.putItem";
        return timed(name, expected, start, end, calls, lastCall, cpu, threads);
    }

    /**
     * The whole pipeline (seeder, queue, fleet, ledger) as {@code run} does it, into a fresh table with a fresh
     * ledger and queue pair; timed from the seeder's start to the moment the last segment was marked done.
     *
     * @param heap when not null, receives the heap used while it ran
     */
    BenchReport.Run pipeline(String name, TableShape source, int expected, int totalSegments,
                             WriteMode mode, HeapProbe.Usage[] heap) throws InterruptedException {
        return pipeline(name, source, expected, totalSegments, mode, heap,
                new Network(Duration.ZERO, workers, writesInFlight));
    }

    /**
     * How the pipeline meets DynamoDB: every call (data path and ledger alike) delayed by {@code latency} as a
     * network round trip to AWS would be, by {@code workers} workers with {@code writesInFlight} writes each.
     */
    record Network(Duration latency, int workers, int writesInFlight) {
    }

    /** As {@link #pipeline(String, TableShape, int, int, WriteMode, HeapProbe.Usage[])}, over {@code network}. */
    BenchReport.Run pipeline(String name, TableShape source, int expected, int totalSegments, WriteMode mode,
                             HeapProbe.Usage[] heap, Network network) throws InterruptedException {
        if (network.latency().isZero()) {
            return pipelineOver(target.dynamoDb(), name, source, expected, totalSegments, mode, heap, network);
        }
        URI upstream = target.dynamoDbEndpoint();
        try (LatencyProxy proxy = LatencyProxy.start(new InetSocketAddress(upstream.getHost(), upstream.getPort()),
                network.latency());
             DynamoDbClient slow = target.dynamoDbVia(proxy.endpoint(),
                     LocalRun.dynamoDbConnections(network.workers(), network.writesInFlight()))) {
            return pipelineOver(slow, name, source, expected, totalSegments, mode, heap, network);
        }
    }

    private BenchReport.Run pipelineOver(DynamoDbClient client, String name, TableShape source, int expected,
                                         int totalSegments, WriteMode mode, HeapProbe.Usage[] heap, Network network)
            throws InterruptedException {
        String label = name + "-" + mode.name().toLowerCase();
        TableShape destination = target.createTable(label + "-dst");
        ProgressLedger created = target.createLedger(label + "-ledger");
        QueuePair queues = target.createQueuePair(label + "-q");
        CallTimer calls = new CallTimer();
        DynamoDbClient dynamoDb = calls.wrap(client);
        SqsClient sqs = calls.wrap(target.sqs());
        // The ledger's calls are tallied apart (Ledger.updateItem, ...), so the report shows the bookkeeping
        // next to the data path's calls instead of mixed into them.
        ProgressLedger ledger = new ProgressLedger(calls.wrapLedger(client), created.table(), clock);
        JobConfig job = JobConfig.builder().sourceTable(source.table()).destinationTable(destination.table())
                .totalSegments(totalSegments).parallelWorkers(network.workers()).writeMode(mode)
                .writesInFlight(network.writesInFlight()).build();
        Duration budget = Duration.ofMinutes(15);
        var options = new LocalRun.FleetOptions(network.workers(), budget, LocalRun.FleetOptions.marginFor(budget),
                Duration.ofSeconds(1), false, false);
        LocalRun run = new LocalRun(dynamoDb, sqs, ledger, queues, clock, new Random());
        // The last segment is done when its completing transaction returns; LocalRun's own elapsed time also
        // holds the fleet's shutdown (a long poll of up to a second), which is not the pipeline's work.
        String segmentDone = "Ledger.transactWriteItems";
        RunSummary summary;
        long start;
        CpuProfile.Usage cpu;
        try (HeapProbe probe = heap != null ? HeapProbe.start() : null) {
            if (probe == null) {
                System.gc();
            }
            try (CpuProfile profile = CpuProfile.start()) {
                start = System.nanoTime();
                summary = run.execute(UUID.randomUUID().toString(), job, options, false, err);
                cpu = profile.stop((calls.lastEndNanos(segmentDone) - start) / 1e9);
            }
            if (probe != null) {
                heap[0] = probe.usage();
            }
        }
        long end = calls.lastEndNanos(segmentDone);
        target.deleteTable(destination.table());
        target.deleteTable(created.table());
        target.deleteQueues(queues.queueUrl(), queues.dlqUrl());
        if (summary.exitCode() != ExitCodes.OK || summary.counts().scanned() != expected
                || summary.counts().written() != expected) {
            throw new IllegalStateException(name + " did not copy every item once: " + summary.counts()
                    + ", " + summary.segmentsCompleted() + "/" + summary.totalSegments() + " segments, DLQ "
                    + summary.dlqMessages());
        }
        // The workers' idle tail is measured on the data path: the completing transactions run on other threads.
        String write = mode == WriteMode.BATCH ? "DynamoDB.batchWriteItem" : "DynamoDB.putItem";
        return timed(name, expected, start, end, calls, write, cpu, network.workers());
    }

    /**
     * A copy that ran from {@code start} to {@code end}, with where its threads waited: until the first scan,
     * and at the end, after their own last {@code lastCall} (nothing left for them to take).
     */
    private static BenchReport.Run timed(String name, long items, long start, long end, CallTimer calls,
                                         String lastCall, CpuProfile.Usage cpu, int workers) {
        double seconds = (end - start) / 1e9;
        double startSeconds = (calls.firstStartNanos("DynamoDB.scan") - start) / 1e9;
        // The last call of the `workers` threads that called last: a call made once elsewhere, on another
        // thread, does not count as a worker.
        List<Long> lastEnds = calls.lastEndsByThread(lastCall).stream().sorted(Comparator.reverseOrder())
                .limit(workers).toList();
        double idle = (workers - lastEnds.size()) * seconds;
        for (long threadEnd : lastEnds) {
            idle += Math.max(0, end - threadEnd) / 1e9;
        }
        return new BenchReport.Run(new BenchReport.Figure(name, items, "items", seconds, workers, startSeconds,
                idle / workers), calls.operations(), cpu);
    }
}
