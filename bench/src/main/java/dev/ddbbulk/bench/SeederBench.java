package dev.ddbbulk.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.aws.AwsClients;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.embedded.EmbeddedServices;
import dev.ddbbulk.seeder.SegmentSeeder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Measures the seeder next to raw SendMessageBatch in a JVM of its own. On the embedded default ElasticMQ
 * lives in the bench's JVM and keeps every queued message on its heap (a million of them weigh far more
 * than the seeder), so a heap figure taken there would measure the queue, not the seeder. The child JVM
 * holds only what a seeder Lambda holds: the SDK clients and the seeder. Its heap is capped at
 * {@link #HEAP_MB} MB, the target, so a seeder that needed more would fail or slow down visibly; both
 * senders run in that same JVM, one after the other, after a warm-up of each, so their rates compare.
 */
final class SeederBench {
    /** The child JVM's heap cap, the seeder's heap target. */
    static final int HEAP_MB = 256;
    /** Concurrent SendMessageBatch calls: the seeder Lambda's default (SEND_CONCURRENCY) and rawSend's. */
    static final int IN_FLIGHT = 32;
    /** Raw messages sent before measuring (at most the count), in chunks of {@link #WARM_UP_CHUNK}. */
    private static final int WARM_UP_MESSAGES = 500_000;
    private static final int WARM_UP_CHUNK = 50_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SeederBench() {
    }

    /** What the child measured. Heap figures in MB, see {@link HeapProbe}. */
    record Result(long rawSendMessages, long rawSendMs, long rawSendFirstHalfMs, long rawSendSecondHalfMs,
                  long seederMessages, long seederMs, double seederPeakHeapMb, double seederLiveHeapMb,
                  double rawSendPeakHeapMb, double rawSendLiveHeapMb, long childMaxHeapMb) {
    }

    /**
     * Runs the measurement in a child JVM against the target's endpoints; the ledger and source table must
     * exist. The child creates its queues under {@code queuePrefix} and deletes each once measured; whatever
     * a failed child leaves is deleted here.
     */
    static Result measure(BenchTarget target, String ledgerTable, String sourceTable, int count,
                          String queuePrefix, PrintWriter err) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + HEAP_MB + "m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SeederBench.class.getName());
        Map<String, String> args = new LinkedHashMap<>();
        args.put("embedded", Boolean.toString(target.isEmbedded()));
        args.put("dynamoDbEndpoint", target.dynamoDbEndpoint() == null ? "" : target.dynamoDbEndpoint().toString());
        args.put("sqsEndpoint", target.sqsEndpoint() == null ? "" : target.sqsEndpoint().toString());
        args.put("region", target.region() == null ? "" : target.region().id());
        args.put("ledgerTable", ledgerTable);
        args.put("sourceTable", sourceTable);
        args.put("count", Integer.toString(count));
        args.put("queuePrefix", queuePrefix);
        args.forEach((k, v) -> command.add(k + "=" + v));
        Process child = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        child.getOutputStream().close();
        Thread forward = new Thread(() -> forward(child, err), "ddb-bulk-bench-seeder-stderr");
        forward.setDaemon(true);
        forward.start();
        try {
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int code = child.waitFor();
            forward.join(5_000);
            if (code != 0) {
                throw new IllegalStateException("The seeder bench JVM exited with " + code + " (see its lines above)");
            }
            String[] lines = out.split("\\R");
            JsonNode json = JSON.readTree(lines[lines.length - 1]);
            return new Result(json.get("rawSendMessages").asLong(), json.get("rawSendMs").asLong(),
                    json.get("rawSendFirstHalfMs").asLong(), json.get("rawSendSecondHalfMs").asLong(),
                    json.get("seederMessages").asLong(), json.get("seederMs").asLong(),
                    json.get("seederPeakHeapMb").asDouble(), json.get("seederLiveHeapMb").asDouble(),
                    json.get("rawSendPeakHeapMb").asDouble(), json.get("rawSendLiveHeapMb").asDouble(),
                    json.get("maxHeapMb").asLong());
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            deleteQueues(target.sqs(), queuePrefix);
        }
    }

    private static void forward(Process child, PrintWriter err) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                synchronized (err) {
                    err.println("  [seeder JVM] " + line);
                    err.flush();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQueues(SqsClient sqs, String prefix) {
        for (String url : sqs.listQueues(b -> b.queueNamePrefix(prefix)).queueUrls()) {
            try {
                sqs.deleteQueue(b -> b.queueUrl(url));
            } catch (QueueDoesNotExistException e) {
                // deleted by the child meanwhile
            }
        }
    }

    /** The child: {@code key=value} arguments as {@link #measure} passes them; one JSON line on stdout. */
    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            args.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        boolean embedded = Boolean.parseBoolean(args.get("embedded"));
        Region region = args.get("region").isEmpty() ? null : Region.of(args.get("region"));
        var credentials = embedded ? EmbeddedServices.CREDENTIALS : null;
        int count = Integer.parseInt(args.get("count"));
        String prefix = args.get("queuePrefix");
        int connections = IN_FLIGHT + 8;
        try (DynamoDbClient dynamoDb = new AwsClients(uri(args.get("dynamoDbEndpoint")), region, credentials,
                connections).dynamoDb();
             SqsClient sqs = new AwsClients(uri(args.get("sqsEndpoint")), region, credentials, connections).sqs()) {
            Clock clock = Clock.systemUTC();
            ProgressLedger ledger = new ProgressLedger(dynamoDb, args.get("ledgerTable"), clock);
            Child child = new Child(dynamoDb, sqs, ledger, args.get("sourceTable"), prefix, clock);
            int warmUp = child.warmUp(count);
            System.err.printf("warmed up with %d raw messages and %d seeded segments%n", warmUp,
                    Math.min(count, WARM_UP_CHUNK));

            // Raw, seeder, raw: the raw rate is taken over both halves, before and after the seeder, so a drift
            // in the endpoint's speed (a server still compiling its hot paths, other work on the machine)
            // weighs on both sides alike.
            long[] rawBefore = child.rawSend("raw-1", count / 2);
            HeapProbe.Usage rawHeap = child.lastHeap;
            System.err.printf("rawSend, first half: %d messages in %.1f s%n", rawBefore[0], rawBefore[1] / 1000.0);
            long[] seeded = child.seed("seed", count);
            HeapProbe.Usage seederHeap = child.lastHeap;
            long[] rawAfter = child.rawSend("raw-2", count - count / 2);
            System.err.printf("rawSend, second half: %d messages in %.1f s%n", rawAfter[0], rawAfter[1] / 1000.0);
            long[] raw = {rawBefore[0] + rawAfter[0], rawBefore[1] + rawAfter[1]};
            System.err.printf("seeder: %d messages in %.1f s, heap peak %.0f MB, live %.0f MB%n", seeded[0],
                    seeded[1] / 1000.0, seederHeap.peakMb(), seederHeap.liveMb());

            ObjectNode out = JSON.createObjectNode();
            out.put("rawSendMessages", raw[0]);
            out.put("rawSendMs", raw[1]);
            out.put("seederMessages", seeded[0]);
            out.put("seederMs", seeded[1]);
            out.put("seederPeakHeapMb", seederHeap.peakMb());
            out.put("seederLiveHeapMb", seederHeap.liveMb());
            out.put("rawSendPeakHeapMb", rawHeap.peakMb());
            out.put("rawSendLiveHeapMb", rawHeap.liveMb());
            out.put("rawSendFirstHalfMs", rawBefore[1]);
            out.put("rawSendSecondHalfMs", rawAfter[1]);
            out.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
            System.out.println(JSON.writeValueAsString(out));
        }
    }

    private static URI uri(String value) {
        return value.isEmpty() ? null : URI.create(value);
    }

    /** The child's two senders; each sends into a fresh queue and deletes it once measured. */
    private static final class Child {
        private final DynamoDbClient dynamoDb;
        private final SqsClient sqs;
        private final ProgressLedger ledger;
        private final String sourceTable;
        private final String prefix;
        private final Clock clock;
        HeapProbe.Usage lastHeap;

        Child(DynamoDbClient dynamoDb, SqsClient sqs, ProgressLedger ledger, String sourceTable, String prefix,
              Clock clock) {
            this.dynamoDb = dynamoDb;
            this.sqs = sqs;
            this.ledger = ledger;
            this.sourceTable = sourceTable;
            this.prefix = prefix;
            this.clock = clock;
        }

        /**
         * Warms both JVMs up before anything is measured: on a busy 2-core machine ElasticMQ (in the bench's JVM)
         * and the SDK client here compile their hot paths only after several hundred thousand messages, and a
         * measurement that began before then would compare a cold path with a warm one. Raw messages go in
         * chunks, each into a queue of its own deleted after it, with the rate of each chunk printed; then one
         * seeding warms the seeder's own code.
         *
         * @return the raw messages sent
         */
        int warmUp(int count) throws InterruptedException {
            int total = Math.min(count, WARM_UP_MESSAGES);
            int chunk = Math.min(total, WARM_UP_CHUNK);
            int sent = 0;
            for (int round = 1; sent < total; round++) {
                long[] r = rawSend("warm-raw-" + round, Math.min(chunk, total - sent));
                sent += (int) r[0];
                System.err.printf("warm-up %d: %,.0f messages/s%n", round, r[0] * 1000.0 / Math.max(1, r[1]));
            }
            seed("warm-seed", Math.min(count, WARM_UP_CHUNK));
            return sent;
        }

        /** @return messages sent and milliseconds */
        long[] rawSend(String suffix, int count) throws InterruptedException {
            String queueUrl = createQueue(suffix);
            String runId = UUID.randomUUID().toString();
            try (HeapProbe heap = HeapProbe.start()) {
                long start = System.nanoTime();
                // The seeder's message body, byte for byte, built by concatenation: no codec, no validation.
                long sent = RawCeilings.send(sqs, queueUrl, count, IN_FLIGHT, i -> "{\"runId\":\"" + runId
                        + "\",\"segment\":" + i + ",\"totalSegments\":" + count + ",\"continuation\":0}");
                long ms = (System.nanoTime() - start) / 1_000_000;
                lastHeap = heap.usage();
                return new long[] {sent, ms};
            } finally {
                sqs.deleteQueue(b -> b.queueUrl(queueUrl));
            }
        }

        /** @return messages sent and milliseconds */
        long[] seed(String suffix, int count) throws InterruptedException {
            String queueUrl = createQueue(suffix);
            try {
                SegmentSeeder seeder = new SegmentSeeder(new TableValidator(dynamoDb), ledger, sqs, queueUrl,
                        new Random(), IN_FLIGHT, Backoff.DEFAULT, Sleeper.SYSTEM, clock);
                // The seeder validates the job against the source table, as it does before every run.
                JobConfig job = JobConfig.builder().sourceTable(sourceTable).totalSegments(count).build();
                try (HeapProbe heap = HeapProbe.start()) {
                    long start = System.nanoTime();
                    long sent = seeder.seed(UUID.randomUUID().toString(), job).messagesSent();
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    lastHeap = heap.usage();
                    return new long[] {sent, ms};
                }
            } finally {
                sqs.deleteQueue(b -> b.queueUrl(queueUrl));
            }
        }

        private String createQueue(String suffix) {
            return sqs.createQueue(b -> b.queueName(prefix + suffix)
                    .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "3600"))).queueUrl();
        }
    }
}
