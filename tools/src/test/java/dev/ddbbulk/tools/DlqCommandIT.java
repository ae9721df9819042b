package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.ledger.SegmentStatus;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.testing.TestProcessors;
import dev.ddbbulk.core.testing.TestRuns;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.tools.dlq.DlqRedriver;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.ExitCodes;
import dev.ddbbulk.worker.BatchResult;
import dev.ddbbulk.worker.Deadline;
import dev.ddbbulk.worker.QueuedMessage;
import dev.ddbbulk.worker.SegmentOutcome;
import dev.ddbbulk.worker.SegmentWorker;
import dev.ddbbulk.worker.scan.SegmentScanner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.StartMessageMoveTaskRequest;
import software.amazon.awssdk.services.sqs.model.StartMessageMoveTaskResponse;
import software.amazon.awssdk.services.sqs.model.UnsupportedOperationException;

@ExtendWith(EmbeddedServicesExtension.class)
class DlqCommandIT {
    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static EmbeddedEnvironment environment;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, SqsClient sharedSqs,
                                  EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        sqs = sharedSqs;
        environment = sharedEnvironment;
    }

    private static ProgressLedger ledger(String table) {
        ProgressLedger ledger = new ProgressLedger(dynamoDb, table, Clock.systemUTC());
        ledger.createTableIfMissing();
        return ledger;
    }

    /** A run of {@code total} segments whose segments {@code 0, 2, 4, …} (n of them) failed into the DLQ. */
    private static List<Integer> deadLetterEvenSegments(LedgerRuns runs, QueuePair queues, String runId, int n, int total) {
        runs.seed(runId, LedgerRuns.job("dlq-src", total));
        List<Integer> segments = IntStream.range(0, n).map(i -> 2 * i).boxed().toList();
        for (int segment : segments) {
            runs.fail(runId, segment, "IllegalStateException: poison in segment " + segment);
            runs.deadLetter(sqs, queues.dlqUrl(), runId, segment, total,
                    "IllegalStateException: poison in segment " + segment);
        }
        return segments;
    }

    private static long visible(String queueUrl) {
        return Long.parseLong(sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    /** Receives (and hides) every message of the queue: the segments they carry, in order received. */
    private static List<Integer> drainSegments(String queueUrl, int expected) {
        Map<String, Integer> byMessageId = new HashMap<>();
        Instant deadline = Instant.now().plusSeconds(20);
        int quiet = 0;
        while (Instant.now().isBefore(deadline) && (byMessageId.size() < expected || quiet < 1)) {
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .visibilityTimeout(120).waitTimeSeconds(1)).messages();
            quiet = messages.isEmpty() ? quiet + 1 : 0;
            messages.forEach(m -> byMessageId.put(m.messageId(), SegmentMessageCodec.fromJson(m.body()).segment()));
        }
        return new ArrayList<>(byMessageId.values());
    }

    @Test
    void inspect_whenDlqHoldsSegments_listsEachWithItsLastErrorAndConsumesNone() {
        String table = environment.unique("dlq-ledger");
        LedgerRuns runs = new LedgerRuns(ledger(table));
        QueuePair queues = QueuePair.create(sqs, environment.unique("inspect"), 2, Duration.ofSeconds(60));
        String runId = environment.unique("run");
        List<Integer> segments = deadLetterEvenSegments(runs, queues, runId, 23, 50);

        Cli first = Cli.run(Cli.onEmbedded(environment, "dlq", "inspect", "--queue-url", queues.dlqUrl(),
                "--ledger-table", table, "--json"));

        assertThat(first.exitCode()).as(first.err()).isZero();
        JsonNode listing = first.json();
        assertThat(listing.get("count").asInt()).isEqualTo(23);
        assertThat(listing.get("truncated").asBoolean()).isFalse();
        List<Integer> listed = new ArrayList<>();
        for (JsonNode m : listing.get("messages")) {
            int segment = m.get("segment").asInt();
            listed.add(segment);
            assertThat(m.get("runId").asText()).isEqualTo(runId);
            assertThat(m.get("totalSegments").asInt()).isEqualTo(50);
            assertThat(m.get("receiveCount").asLong()).isPositive();
            assertThat(m.get("segmentStatus").asText()).isEqualTo("DEAD_LETTERED");
            assertThat(m.get("lastError").asText()).isEqualTo("IllegalStateException: poison in segment " + segment);
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(segments);
        assertThat(visible(queues.dlqUrl())).isEqualTo(23);

        Cli second = Cli.run(Cli.onEmbedded(environment, "dlq", "inspect", "--queue-url", queues.dlqUrl(),
                "--ledger-table", table));

        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out()).startsWith("DLQ " + queues.dlqUrl() + ": 23 message(s), none consumed")
                .contains("IllegalStateException: poison in segment 44");
        assertThat(second.out().lines().filter(line -> line.contains(runId))).hasSize(23);
        assertThat(visible(queues.dlqUrl())).isEqualTo(23);
    }

    @Test
    void inspect_whenMaxIsBelowTheDepth_listsMaxAndSaysSoAndConsumesNone() {
        String table = environment.unique("dlq-ledger");
        LedgerRuns runs = new LedgerRuns(ledger(table));
        QueuePair queues = QueuePair.create(sqs, environment.unique("inspect"), 2, Duration.ofSeconds(60));
        deadLetterEvenSegments(runs, queues, environment.unique("run"), 12, 30);
        sqs.sendMessage(b -> b.queueUrl(queues.dlqUrl()).messageBody("not json"));

        Cli result = Cli.run(Cli.onEmbedded(environment, "dlq", "inspect", "--queue-url", queues.dlqUrl(),
                "--ledger-table", table, "--max", "5", "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.json().get("count").asInt()).isEqualTo(5);
        assertThat(result.json().get("truncated").asBoolean()).isTrue();
        assertThat(visible(queues.dlqUrl())).isEqualTo(13);
    }

    @Test
    void redrive_whenDlqHoldsSegments_movesEachToTheSegmentQueueExactlyOnce() {
        String table = environment.unique("dlq-ledger");
        LedgerRuns runs = new LedgerRuns(ledger(table));
        QueuePair queues = QueuePair.create(sqs, environment.unique("redrive"), 2, Duration.ofSeconds(60));
        List<Integer> segments = deadLetterEvenSegments(runs, queues, environment.unique("run"), 17, 40);

        Cli result = Cli.run(Cli.onEmbedded(environment, "dlq", "redrive", "--queue-url", queues.dlqUrl(),
                "--target-url", queues.queueUrl(), "--poll-interval", "100ms"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().strip()).isEqualTo("Moved 17 message(s) from " + queues.dlqUrl() + " to "
                + queues.queueUrl() + " (SQS message move task)");
        assertThat(QueuePair.depth(sqs, queues.dlqUrl())).isZero();
        assertThat(QueuePair.depth(sqs, queues.queueUrl())).isEqualTo(17);
        assertThat(drainSegments(queues.queueUrl(), 17)).containsExactlyInAnyOrderElementsOf(segments);
    }

    @Test
    void redrive_whenDlqIsEmpty_movesNothingAndExits0() {
        QueuePair queues = QueuePair.create(sqs, environment.unique("redrive"), 2, Duration.ofSeconds(60));

        Cli result = Cli.run(Cli.onEmbedded(environment, "dlq", "redrive", "--queue-url", queues.dlqUrl(),
                "--target-url", queues.queueUrl(), "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.json().get("moved").asLong()).isZero();
        assertThat(QueuePair.depth(sqs, queues.queueUrl())).isZero();
    }

    @Test
    void redrive_whenOnlyTargetIsGiven_exits2WithOneLine() {
        Cli result = Cli.run(Cli.onEmbedded(environment, "dlq", "redrive", "--target-url", "http://localhost/q"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: Give --stack NAME, or --queue-url DLQ_URL with"
                + " --target-url QUEUE_URL; not both");
    }

    @Test
    void redrive_whenEndpointLacksMoveTasks_copiesEachMessageOnceThenDeletesItFromTheDlq() throws Exception {
        String table = environment.unique("dlq-ledger");
        LedgerRuns runs = new LedgerRuns(ledger(table));
        QueuePair queues = QueuePair.create(sqs, environment.unique("copy"), 2, Duration.ofSeconds(60));
        List<Integer> segments = deadLetterEvenSegments(runs, queues, environment.unique("run"), 14, 30);
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(queues.dlqUrl())
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queues.queueUrl())
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);

        DlqRedriver.Result result = new DlqRedriver(new WithoutMoveTasks(sqs), Clock.systemUTC(), Duration.ofMillis(100))
                .redrive(new DlqRedriver.Queue(queues.dlqUrl(), dlqArn),
                        new DlqRedriver.Queue(queues.queueUrl(), queueArn), Duration.ofMinutes(1));

        assertThat(result.method()).isEqualTo(DlqRedriver.Method.COPY);
        assertThat(result.moved()).isEqualTo(14);
        assertThat(result.refused()).isZero();
        assertThat(QueuePair.depth(sqs, queues.dlqUrl())).isZero();
        assertThat(drainSegments(queues.queueUrl(), 14)).containsExactlyInAnyOrderElementsOf(segments);
    }

    @Test
    void redrive_whenSegmentFailedIntoTheDlq_letsAWorkerCompleteItFromWhereItStopped() throws Exception {
        String source = environment.unique("dlq-src");
        String destination = environment.unique("dlq-dst");
        TestTables.createAndFill(dynamoDb, source, 300);
        TestTables.createCompositeTable(dynamoDb, destination);
        ProgressLedger ledger = ledger(environment.unique("dlq-ledger"));
        // The redrive policy moves a message to the DLQ at its second receive.
        QueuePair queues = QueuePair.create(sqs, environment.unique("resume"), 1, Duration.ofSeconds(60));
        String runId = environment.unique("run");
        // One segment in pages of 20, checkpointed after every page; the counting processor counts per item.
        JobConfig job = JobConfig.builder().sourceTable(source).destinationTable(destination).totalSegments(1)
                .pageSize(20).checkpointIntervalSeconds(0).processor(TestProcessors.Counting.class.getName()).build();
        TestRuns.seed(ledger, sqs, queues.queueUrl(), runId, job);
        List<List<String>> pages = new ArrayList<>();
        new SegmentScanner(dynamoDb).forEachPage(source, 0, 1, 20, job.consistentRead(),
                page -> pages.add(page.items().stream().map(TestTables::keyString).toList()));
        assertThat(pages.subList(0, 4)).allSatisfy(page -> assertThat(page).hasSize(20));
        Message seed = receiveOne(queues.queueUrl());
        Clock clock = Clock.systemUTC();

        // Pages 1-3 are written and checkpointed; the 4th page's BatchWriteItem fails.
        BatchResult failed = worker(FaultyDynamoDb.failingBatchWrite(dynamoDb, 4), ledger, queues)
                .process(List.of(new QueuedMessage(seed.messageId(), seed.body())), Deadline.after(Duration.ofMinutes(2), clock));
        sqs.changeMessageVisibility(b -> b.queueUrl(queues.queueUrl()).receiptHandle(seed.receiptHandle())
                .visibilityTimeout(0));
        awaitDlqDepth(queues, 1);

        assertThat(failed.failedMessageIds()).containsExactly(seed.messageId());
        SegmentRecord checkpointed = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(checkpointed.status()).isEqualTo(SegmentStatus.FAILED);
        assertThat(checkpointed.lastError()).contains("injected: BatchWriteItem failed");
        assertThat(checkpointed.pages()).isEqualTo(3);
        assertThat(checkpointed.counts()).isEqualTo(new Counts(60, 60, 0, 0, 0));
        assertThat(TestTables.keyString(checkpointed.checkpoint())).isEqualTo(pages.get(2).get(19));
        assertThat(TestTables.scanAll(dynamoDb, destination)).hasSize(60);

        Cli result = Cli.run(Cli.onEmbedded(environment, "dlq", "redrive", "--queue-url", queues.dlqUrl(),
                "--target-url", queues.queueUrl(), "--poll-interval", "100ms"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        Message redriven = receiveOne(queues.queueUrl());
        BatchResult resumed = worker(dynamoDb, ledger, queues).process(
                List.of(new QueuedMessage(redriven.messageId(), redriven.body())), Deadline.after(Duration.ofMinutes(2), clock));
        assertThat(resumed.outcomes().values()).containsExactly(SegmentOutcome.COMPLETED);
        // It resumed at the checkpoint: the pages after it, nothing before it.
        assertThat(resumed.counts()).isEqualTo(new Counts(240, 240, 0, 0, 0));
        Map<String, Integer> expectedTimes = new HashMap<>();
        for (int page = 0; page < pages.size(); page++) {
            // The 4th page was processed before its write failed, and again after the redrive.
            int times = page == 3 ? 2 : 1;
            pages.get(page).forEach(key -> expectedTimes.put(key, times));
        }
        assertThat(TestProcessors.Counting.timesProcessed(source)).isEqualTo(expectedTimes);
        assertThat(ledger.findSegment(runId, 0)).hasValueSatisfying(segment -> {
            assertThat(segment.status()).isEqualTo(SegmentStatus.DONE);
            assertThat(segment.attempts()).isEqualTo(2);
            assertThat(segment.pages()).isEqualTo(pages.size());
            assertThat(segment.counts()).isEqualTo(new Counts(300, 300, 0, 0, 0));
        });
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(300, 300, 0, 0, 0));
        assertThat(TestTables.byKey(TestTables.scanAll(dynamoDb, destination)))
                .isEqualTo(TestTables.byKey(TestTables.scanAll(dynamoDb, source)));
        assertThat(QueuePair.depth(sqs, queues.dlqUrl())).isZero();
    }

    private static SegmentWorker worker(DynamoDbClient client, ProgressLedger ledger, QueuePair queues) {
        return new SegmentWorker(client, sqs, queues.queueUrl(), ledger, Duration.ofSeconds(5), Clock.systemUTC(),
                new Random(1), Sleeper.SYSTEM);
    }

    /** Receives the queue's one message (hidden for 2 minutes), trying for up to 20 s. */
    private static Message receiveOne(String queueUrl) {
        List<Message> received = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(20);
        while (received.isEmpty() && Instant.now().isBefore(deadline)) {
            received.addAll(sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1)
                    .visibilityTimeout(120).waitTimeSeconds(1)).messages());
        }
        assertThat(received).as("a message in " + queueUrl).hasSize(1);
        return received.get(0);
    }

    /**
     * Receives from the segment queue, as the next delivery attempt would, until its redrive policy has moved
     * {@code expected} messages to the DLQ or 20 s have passed.
     */
    private static void awaitDlqDepth(QueuePair queues, long expected) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (QueuePair.depth(sqs, queues.dlqUrl()) < expected && Instant.now().isBefore(deadline)) {
            List<Message> received = sqs.receiveMessage(b -> b.queueUrl(queues.queueUrl()).maxNumberOfMessages(10)
                    .waitTimeSeconds(1)).messages();
            assertThat(received).as("messages delivered instead of dead-lettered").isEmpty();
        }
        assertThat(QueuePair.depth(sqs, queues.dlqUrl())).isEqualTo(expected);
    }

    /** The embedded SQS as an endpoint without message move tasks, like older SQS-compatible servers. */
    private static final class WithoutMoveTasks implements SqsClient {
        private final SqsClient sqs;

        WithoutMoveTasks(SqsClient sqs) {
            this.sqs = sqs;
        }

        @Override
        public StartMessageMoveTaskResponse startMessageMoveTask(StartMessageMoveTaskRequest request) {
            throw UnsupportedOperationException.builder().message("StartMessageMoveTask is not supported").build();
        }

        @Override
        public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request) {
            return sqs.receiveMessage(request);
        }

        @Override
        public SendMessageBatchResponse sendMessageBatch(SendMessageBatchRequest request) {
            return sqs.sendMessageBatch(request);
        }

        @Override
        public DeleteMessageBatchResponse deleteMessageBatch(DeleteMessageBatchRequest request) {
            return sqs.deleteMessageBatch(request);
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
        }
    }
}
