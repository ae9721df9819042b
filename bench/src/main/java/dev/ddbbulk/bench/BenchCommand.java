package dev.ddbbulk.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.tools.AwsMixin;
import dev.ddbbulk.tools.local.DemoData;
import dev.ddbbulk.tools.local.LocalRun;
import dev.ddbbulk.tools.output.ExitCodes;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Measures the pipeline against the raw ceilings of the same endpoints, in one run, at the same concurrency
 * and page size, after a warm-up of every path: copy with BatchWriteItem (raw scan + write vs the whole
 * pipeline), per-item writes (raw PutItem vs conditional mode), the seeder vs raw SendMessageBatch, the cost
 * of an empty segment, and the workers' heap at two table sizes. {@link BenchPlan} runs them in its order and
 * {@link BenchReport} holds what they measured.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the pipeline against the raw ceilings of DynamoDB and SQS (embedded by default, or"
                + " --endpoint-url); creates and deletes its own uniquely named tables and queues.")
final class BenchCommand implements Callable<Integer> {
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
            description = "Pipeline workers, and threads of the raw paths (rawConditionalPutInFlight: this times"
                    + " --writes-in-flight, the pipeline's writes in flight). Default: ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--segments", defaultValue = "200", description = "TotalSegments of the copies. Default: ${DEFAULT-VALUE}.")
    int segments;

    @Option(names = "--seeder-segments", defaultValue = "1000000",
            description = "Segments the seeder (and raw SendMessageBatch) enqueue. Default: ${DEFAULT-VALUE}.")
    int seederSegments;

    @Option(names = "--empty-segments", defaultValue = "2000",
            description = "Segments of a " + EMPTY_SEGMENT_ITEMS + "-item table, to time empty segments. Default: ${DEFAULT-VALUE}.")
    int emptySegments;

    @Option(names = "--rounds", defaultValue = "5",
            description = "Rounds of the copy measurements, raw and pipeline in alternating order; the best of"
                    + " each is reported, which is the machine's steady state: on a shared machine a round can"
                    + " run up to 50%% slower than another for reasons outside the work. They follow a warm-up"
                    + " (--skip warmUp leaves it out) that ends with an unrecorded full-size round of the batch"
                    + " copies, rawPut and the conditional pipeline (twice). Each round's own pair ratio, their median,"
                    + " their geometric mean with its 95%% interval, and each round's SQLite CPU per item (the"
                    + " machine's speed) are reported too; more rounds narrow the interval. 1..20."
                    + " Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--skip", split = ",", paramLabel = "NAME",
            description = "Measurements to leave out, comma-separated: warmUp, rawBatch, pipelineBatch, rawPut,"
                    + " rawConditionalPut, rawConditionalPutInFlight, pipelineConditional, latencyBatch,"
                    + " latencyConditional, singleWorker, workerHeap, emptySegments, seeder (with rawSend).")
    Set<String> skip = new LinkedHashSet<>();

    @Option(names = "--latency", converter = LatencyConverter.class, defaultValue = "0",
            description = "Adds this latency (e.g. 5ms) to every DynamoDB call of the latency measurements, through a"
                    + " proxy in front of the embedded DynamoDB Local, as a network to AWS would: the pipeline at that"
                    + " latency over the raw ceilings at none, and one conditional worker with writes in flight over"
                    + " one write at a time. 0 = none. For just these, add"
                    + " --skip warmUp,pipelineBatch,rawPut,rawConditionalPutInFlight,pipelineConditional,workerHeap,"
                    + "emptySegments,seeder."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration latency;

    @Option(names = "--writes-in-flight", defaultValue = "16",
            description = "WritesInFlight of every pipeline worker (the single-worker comparison sets its own)."
                    + " Default: ${DEFAULT-VALUE}.")
    int writesInFlight;

    @Option(names = "--json", description = "Print exactly one JSON object with every figure on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BenchProgress progress = new BenchProgress(err);
        boolean embedded = aws.endpointUrl() == null && aws.sqsEndpointUrl() == null && aws.region() == null;
        BenchReport.Settings settings = new BenchReport.Settings(items, itemBytes, workers, segments,
                JobConfig.DEFAULT_PAGE_SIZE, seederSegments, emptySegments, Math.min(items, EMPTY_SEGMENT_ITEMS), rounds,
                embedded ? "embedded DynamoDB Local + ElasticMQ" : describe(aws), latency, writesInFlight);
        BenchReport report = new BenchReport(settings);
        long start = System.nanoTime();
        progress.say(embedded ? "starting DynamoDB Local and ElasticMQ inside this JVM..." : "using " + describe(aws));
        // Pools as large as the pipeline's calls in flight; the raw paths use one connection a thread of them.
        int connections = LocalRun.dynamoDbConnections(workers, writesInFlight);
        try (BenchTarget target = embedded ? BenchTarget.embedded(connections, err)
                : BenchTarget.endpoints(aws, connections, err)) {
            new BenchPlan(settings, skip, target, progress).measure(report);
        }
        report.elapsed((System.nanoTime() - start) / 1e9);
        if (json) {
            new BenchReportText(report).print(err);
            out.println(new ObjectMapper().writeValueAsString(new BenchReportJson(report).toJson(new ObjectMapper())));
            out.flush();
        } else {
            new BenchReportText(report).print(out);
        }
        return ExitCodes.OK;
    }

    private void validate() {
        for (String name : skip) {
            if (!BenchPlan.MEASUREMENTS.contains(name) && !name.equals("rawSend")) {
                throw new InvalidJobException("--skip: unknown measurement '" + name + "'; use any of "
                        + BenchPlan.MEASUREMENTS);
            }
        }
        if (latency.isNegative() || latency.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new InvalidJobException("--latency must be between 0 and 1s, got " + latency.toMillis() + " ms");
        }
        boolean embedded = aws.endpointUrl() == null && aws.sqsEndpointUrl() == null && aws.region() == null;
        if (!latency.isZero() && !embedded) {
            throw new InvalidJobException("--latency adds latency in front of the embedded DynamoDB Local; drop it,"
                    + " or drop --endpoint-url/--region: a real endpoint has latency of its own");
        }
        JobConfig.builder().sourceTable("bench").writesInFlight(writesInFlight).build();
        if (items < 1) {
            throw new InvalidJobException("--items must be at least 1, got " + items);
        }
        DemoData.requireItemBytes(itemBytes);
        if (rounds < 1 || rounds > 20) {
            throw new InvalidJobException("--rounds must be between 1 and 20, got " + rounds);
        }
        // JobConfig checks the limits of workers and all segment counts with the template's messages.
        for (int n : new int[] {segments, seederSegments, emptySegments}) {
            JobConfig.builder().sourceTable("bench").totalSegments(n).parallelWorkers(workers).build();
        }
    }

    private static String describe(AwsMixin aws) {
        return "DynamoDB " + (aws.endpointUrl() == null ? "(AWS)" : aws.endpointUrl()) + ", SQS "
                + (aws.sqsEndpointUrl() != null ? aws.sqsEndpointUrl()
                        : aws.endpointUrl() == null ? "(AWS)" : aws.endpointUrl())
                + (aws.region() == null ? "" : ", region " + aws.region());
    }
}
