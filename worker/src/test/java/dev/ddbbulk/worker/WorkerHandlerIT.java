package dev.ddbbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.ledger.SegmentStatus;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.testing.TestProcessors;
import dev.ddbbulk.core.testing.TestRuns;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.embedded.testing.SdkSystemProperties;
import dev.ddbbulk.worker.report.BatchReporter;
import dev.ddbbulk.worker.report.OutcomeLog;
import dev.ddbbulk.worker.report.WorkerMetric;
import dev.ddbbulk.worker.scan.SegmentScanner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The worker Lambda's entry point as Lambda calls it: an {@link SQSEvent} as the SQS event source mapping
 * builds it (or as the Lambda Java runtime reads it from the event's JSON), a {@link TestContext} whose
 * remaining time is the invocation's, and the batch item failures of the {@link SQSBatchResponse} acknowledged
 * as the event source mapping does.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class WorkerHandlerIT {
    private static final Duration SAFETY_MARGIN = Duration.ofSeconds(60);
    /** Lambda's longest timeout: far more than any of these batches needs. */
    private static final Duration PLENTY_OF_TIME = Duration.ofMinutes(15);
    private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static EmbeddedEnvironment environment;

    private String source;
    private String destination;
    private String queueUrl;
    private ProgressLedger ledger;
    private WorkerHandler handler;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, SqsClient sharedSqs,
                                  EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        sqs = sharedSqs;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void newTablesQueueAndHandler() {
        source = environment.unique("handler-src");
        destination = environment.unique("handler-dst");
        TestTables.createCompositeTable(dynamoDb, source);
        TestTables.createCompositeTable(dynamoDb, destination);
        queueUrl = TestTables.createQueue(sqs, environment.unique("handler-q"));
        ledger = new ProgressLedger(dynamoDb, environment.unique("handler-ledger"), Clock.systemUTC());
        ledger.createTableIfMissing();
        handler = new WorkerHandler(newWorker(), Clock.systemUTC(), result -> { });
    }

    private SegmentWorker newWorker() {
        return new SegmentWorker(dynamoDb, sqs, queueUrl, ledger, SAFETY_MARGIN, Clock.systemUTC(), new Random(11),
                Sleeper.SYSTEM);
    }

    @Test
    void handleRequest_whenABatchIsWorked_reportsOneOutcomeLinePerSegmentWithItsExactCountsAndTheMetricsOnce() {
        TestTables.fill(dynamoDb, source, 90);
        int totalSegments = 3;
        String runId = seed(copyJob().totalSegments(totalSegments).pageSize(10).build());
        List<Message> messages = receive(totalSegments);
        assertThat(messages).hasSize(totalSegments);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Map<WorkerMetric, Long>> published = new ArrayList<>();
        WorkerHandler reporting = new WorkerHandler(newWorker(), Clock.systemUTC(), new BatchReporter(
                new OutcomeLog(new PrintStream(out, true, StandardCharsets.UTF_8), Clock.systemUTC()),
                (totals, runIds) -> published.add(totals)));

        SQSBatchResponse response = reporting.handleRequest(eventOf(messages), TestContext.withRemaining(PLENTY_OF_TIME));
        acknowledge(messages, response);

        assertThat(failedIds(response)).isEmpty();
        List<JsonNode> lines = jsonLines(out);
        assertThat(lines).hasSize(totalSegments);
        assertThat(lines).extracting(line -> line.get("segment").asInt()).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(lines).allSatisfy(line -> {
            int items = itemsInSegment(line.get("segment").asInt(), totalSegments);
            assertThat(line.get("outcome").asText()).isEqualTo("completed");
            assertThat(line.get("runId").asText()).isEqualTo(runId);
            assertThat(line.get("receiveCount").asInt()).isEqualTo(1);
            assertThat(line.get("itemsScanned").asLong()).as(line.toString()).isEqualTo(items);
            assertThat(line.get("itemsWritten").asLong()).as(line.toString()).isEqualTo(items);
            assertThat(line.get("throttles").asLong()).isZero();
            assertThat(line.get("durationMs").asLong()).isNotNegative();
            assertThat(line.get("error").isNull()).isTrue();
        });
        assertThat(published).singleElement().satisfies(totals -> {
            assertThat(totals).containsEntry(WorkerMetric.ITEMS_SCANNED, 90L).containsEntry(WorkerMetric.ITEMS_WRITTEN, 90L)
                    .containsEntry(WorkerMetric.SEGMENTS_COMPLETED, 3L).containsEntry(WorkerMetric.SEGMENTS_FAILED, 0L)
                    .containsEntry(WorkerMetric.SEGMENTS_CONTINUED, 0L).containsEntry(WorkerMetric.THROTTLES, 0L);
        });
    }

    @Test
    void handleRequest_whenASegmentFailsOnTheQueuesLastReceive_reportsItDeadLetteredWithItsError() {
        String runId = seedPoisonedRun(2);
        List<Message> messages = receive(2);
        assertThat(messages).hasSize(2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Map<WorkerMetric, Long>> published = new ArrayList<>();
        // A redrive policy of one receive: the first delivery is the last.
        WorkerHandler reporting = new WorkerHandler(new SegmentWorker(dynamoDb, sqs, queueUrl, ledger, SAFETY_MARGIN,
                Clock.systemUTC(), new Random(11), Sleeper.SYSTEM, Budgets.PER_WORKER_SHARE,
                new Redelivery(Duration.ofSeconds(1), Duration.ofSeconds(4), 1)), Clock.systemUTC(),
                new BatchReporter(new OutcomeLog(new PrintStream(out, true, StandardCharsets.UTF_8), Clock.systemUTC()),
                        (totals, runIds) -> published.add(totals)));

        SQSBatchResponse response = reporting.handleRequest(eventOf(messages), TestContext.withRemaining(PLENTY_OF_TIME));
        acknowledge(messages, response);

        assertThat(failedIds(response)).hasSize(1);
        List<JsonNode> lines = jsonLines(out);
        assertThat(lines).extracting(line -> line.get("outcome").asText())
                .containsExactlyInAnyOrder("completed", "dead-lettered");
        JsonNode completed = lines.stream().filter(line -> line.get("outcome").asText().equals("completed"))
                .findFirst().orElseThrow();
        JsonNode deadLettered = lines.stream().filter(line -> line.get("outcome").asText().equals("dead-lettered"))
                .findFirst().orElseThrow();
        assertThat(deadLettered.get("runId").asText()).isEqualTo(runId);
        assertThat(deadLettered.get("level").asText()).isEqualTo("ERROR");
        assertThat(deadLettered.get("error").asText()).contains("poisoned item");
        assertThat(deadLettered.get("messageId").asText()).isEqualTo(failedIds(response).get(0));
        // The line says what the ledger records: the segment is dead-lettered.
        assertThat(ledger.deadLettered(runId)).extracting(SegmentRecord::segment)
                .containsExactly(deadLettered.get("segment").asInt());
        long goodItems = itemsInSegment(completed.get("segment").asInt(), 2);
        assertThat(completed.get("itemsScanned").asLong()).isEqualTo(goodItems);
        assertThat(published).singleElement().satisfies(totals -> assertThat(totals)
                .containsEntry(WorkerMetric.SEGMENTS_COMPLETED, 1L).containsEntry(WorkerMetric.SEGMENTS_FAILED, 1L)
                .containsEntry(WorkerMetric.SEGMENTS_DEAD_LETTERED, 1L)
                .containsEntry(WorkerMetric.ITEMS_SCANNED, goodItems + deadLettered.get("itemsScanned").asLong()));
    }

    @Test
    void handleRequest_whenTheBatchHoldsAMessageOfARunThatDoesNotExist_reportsOnlyThatMessageAsAFailure() {
        TestTables.fill(dynamoDb, source, 90);
        String runId = seed(copyJob().totalSegments(3).build());
        String neverSeeded = environment.unique("no-such-run");
        sqs.sendMessage(b -> b.queueUrl(queueUrl)
                .messageBody(SegmentMessageCodec.toJson(SegmentMessage.seed(neverSeeded, 0, 3))));
        List<Message> messages = receive(4);
        assertThat(messages).hasSize(4);
        String unknownRunMessageId = messages.stream()
                .filter(m -> SegmentMessageCodec.fromJson(m.body()).runId().equals(neverSeeded))
                .findFirst().orElseThrow().messageId();

        SQSBatchResponse response = handler.handleRequest(eventOf(messages), TestContext.withRemaining(PLENTY_OF_TIME));
        acknowledge(messages, response);

        assertThat(failedIds(response)).containsExactly(unknownRunMessageId);
        // The event source mapping deleted the three that succeeded; the failed one waits for its redelivery.
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).isEqualTo(1);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.complete()).isTrue();
        assertThat(run.completedCounts()).isEqualTo(new Counts(90, 90, 0, 0, 0));
        assertDestinationEqualsSource();
    }

    @Test
    void handleRequest_whenOneSegmentHoldsAPoisonItem_reportsOnlyThatSegmentsMessageAsAFailure() {
        TestTables.fill(dynamoDb, source, 120);
        Map<String, AttributeValue> poisoned = new LinkedHashMap<>(TestTables.item(source, 100_000));
        poisoned.put(TestProcessors.Poison.ATTRIBUTE, AttributeValue.fromBool(true));
        TestTables.putAll(dynamoDb, source, List.of(poisoned));
        int totalSegments = 4;
        int poisonSegment = segmentOf(poisoned, totalSegments);
        String runId = seed(copyJob().processor(TestProcessors.Poison.class.getName()).totalSegments(totalSegments)
                .build());
        List<Message> messages = receive(totalSegments);
        assertThat(messages).hasSize(totalSegments);
        String poisonMessageId = messages.stream()
                .filter(m -> SegmentMessageCodec.fromJson(m.body()).segment() == poisonSegment)
                .findFirst().orElseThrow().messageId();

        SQSBatchResponse response = handler.handleRequest(eventOf(messages), TestContext.withRemaining(PLENTY_OF_TIME));

        assertThat(failedIds(response)).containsExactly(poisonMessageId);
        SegmentRecord failed = ledger.findSegment(runId, poisonSegment).orElseThrow();
        assertThat(failed.status()).isEqualTo(SegmentStatus.FAILED);
        assertThat(failed.lastError()).contains("poisoned item " + TestTables.keyString(poisoned));
        assertThat(ledger.findRun(runId).orElseThrow().segmentsCompleted()).isEqualTo(totalSegments - 1);
    }

    @Test
    void handleRequest_whenTheEventIsARecordedSqsEventReadAsTheLambdaRuntimeReadsIt_worksItsSegmentsAndReportsTheFailedRecord()
            throws IOException {
        TestTables.fill(dynamoDb, source, 60);
        String runId = seed(copyJob().totalSegments(2).build());
        List<Message> seeded = receive(2);
        assertThat(seeded).hasSize(2);
        Map<String, String> bodies = new LinkedHashMap<>();
        for (Message message : seeded) {
            bodies.put("segment-" + SegmentMessageCodec.fromJson(message.body()).segment(), message.body());
        }

        SQSEvent event = LambdaEventSerializers.serializerFor(SQSEvent.class, SQSEvent.class.getClassLoader())
                .fromJson(recordedEvent("sqs-event.json", bodies));

        // The runtime's serializer maps the event's JSON names (Records, eventSourceARN) onto SQSEvent.
        assertThat(event.getRecords()).hasSize(3).allSatisfy(record -> {
            assertThat(record.getEventSource()).isEqualTo("aws:sqs");
            assertThat(record.getEventSourceArn()).isEqualTo("arn:aws:sqs:us-east-2:123456789012:my-queue");
            assertThat(record.getAwsRegion()).isEqualTo("us-east-2");
            assertThat(record.getAttributes()).containsKey("ApproximateReceiveCount");
        });
        assertThat(event.getRecords().get(1).getMessageAttributes().get("req-id").getStringValue())
                .isEqualTo("24479a02-58bb-4a32-92a5-49a8bc630acb");
        assertThat(event.getRecords()).extracting(SQSEvent.SQSMessage::getBody)
                .startsWith(bodies.get("segment-0"), bodies.get("segment-1"));

        SQSBatchResponse response = handler.handleRequest(event, TestContext.withRemaining(PLENTY_OF_TIME));

        // The third record is a segment of a run that was never seeded into this ledger.
        assertThat(failedIds(response)).containsExactly("7d1a5ab8-bd72-4a3c-9f0e-6c1e3a1d2b4f");
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.complete()).isTrue();
        assertThat(run.completedCounts()).isEqualTo(new Counts(60, 60, 0, 0, 0));
        assertDestinationEqualsSource();
    }

    @Test
    void handleRequest_whenTheContextHasLessTimeLeftThanTheSafetyMargin_sendsAContinuationInsteadOfWorkingPastIt() {
        TestTables.fill(dynamoDb, source, 100);
        String runId = seed(copyJob().processor(TestProcessors.Counting.class.getName()).totalSegments(1).pageSize(20)
                .build());
        List<Message> seeded = receive(1);
        assertThat(seeded).hasSize(1);

        // 30 s left, 60 s of margin: the first page runs (every invocation makes progress), then the segment is handed on.
        SQSBatchResponse first = handler.handleRequest(eventOf(seeded),
                TestContext.withRemaining(SAFETY_MARGIN.minusSeconds(30)));
        acknowledge(seeded, first);

        assertThat(failedIds(first)).isEmpty();
        SegmentRecord handedOn = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(handedOn.status()).isEqualTo(SegmentStatus.IN_PROGRESS);
        assertThat(handedOn.continuations()).isEqualTo(1);
        assertThat(handedOn.pages()).isEqualTo(1);
        assertThat(handedOn.counts().scanned()).isEqualTo(20);
        assertThat(TestTables.scanAll(dynamoDb, destination)).hasSize(20);
        List<Message> continuation = receive(1);
        assertThat(continuation).hasSize(1);
        SegmentMessage next = SegmentMessageCodec.fromJson(continuation.get(0).body());
        assertThat(next.continuation()).isEqualTo(1);
        assertThat(next.exclusiveStartKey()).isNotNull();
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).isEqualTo(1);

        SQSBatchResponse second = handler.handleRequest(eventOf(continuation), TestContext.withRemaining(PLENTY_OF_TIME));
        acknowledge(continuation, second);

        assertThat(failedIds(second)).isEmpty();
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.complete()).isTrue();
        assertThat(run.continuations()).isEqualTo(1);
        assertThat(run.completedCounts()).isEqualTo(new Counts(100, 100, 0, 0, 0));
        assertThat(TestProcessors.Counting.timesProcessed(source)).hasSize(100)
                .allSatisfy((key, times) -> assertThat(times).as(key).isEqualTo(1));
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).isZero();
        assertDestinationEqualsSource();
    }

    @Test
    void handleRequest_whenTheHandlerIsBuiltFromTheTemplatesEnvironment_worksWithTheLedgerQueueAndMarginItNames() {
        TestTables.fill(dynamoDb, source, 100);
        String runId = seed(copyJob().totalSegments(1).pageSize(20).build());
        List<Message> seeded = receive(1);
        assertThat(seeded).hasSize(1);
        // As template.yaml sets them, but with a margin of 120 s: 90 s left is then too little, where the
        // default margin of 60 s would let the whole segment run.
        // Lambda sets AWS_LAMBDA_FUNCTION_NAME itself.
        Map<String, String> env = Map.of(WorkerEnv.LEDGER_TABLE, ledger.table(), WorkerEnv.SEGMENT_QUEUE_URL, queueUrl,
                WorkerEnv.SAFETY_MARGIN_SECONDS, "120", WorkerEnv.MAX_RECEIVE_COUNT, "3",
                WorkerEnv.AWS_LAMBDA_FUNCTION_NAME, "stack-WorkerFunction-Ab12");

        SQSBatchResponse response;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream original = System.out;
        // Lambda sends what the function writes to stdout to CloudWatch Logs: the outcome lines and the metrics.
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try (SdkSystemProperties ignored = SdkSystemProperties.pointingAt(environment)) {
            WorkerHandler fromEnvironment = new WorkerHandler(env);
            response = fromEnvironment.handleRequest(eventOf(seeded), TestContext.withRemaining(Duration.ofSeconds(90)));
        } finally {
            System.setOut(original);
        }

        assertThat(failedIds(response)).isEmpty();
        SegmentRecord handedOn = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(handedOn.continuations()).isEqualTo(1);
        assertThat(handedOn.counts().scanned()).isEqualTo(20);
        List<Message> onTheQueue = receive(1);
        assertThat(onTheQueue).extracting(m -> SegmentMessageCodec.fromJson(m.body()).continuation()).containsExactly(1);
        List<JsonNode> written = jsonLines(stdout);
        assertThat(written).filteredOn(line -> line.has("outcome")).singleElement().satisfies(line -> {
            assertThat(line.get("outcome").asText()).isEqualTo("continued");
            assertThat(line.get("itemsScanned").asLong()).isEqualTo(20);
        });
        assertThat(written).filteredOn(line -> line.has("_aws")).singleElement().satisfies(record -> {
            assertThat(record.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo(WorkerMetric.NAMESPACE);
            assertThat(record.get("FunctionName").asText()).isEqualTo("stack-WorkerFunction-Ab12");
            assertThat(record.get("SegmentsContinued").asLong()).isEqualTo(1);
            assertThat(record.get("ItemsScanned").asLong()).isEqualTo(20);
        });
    }

    /** The JSON objects among the lines written to {@code out}. */
    private static List<JsonNode> jsonLines(ByteArrayOutputStream out) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            if (line.startsWith("{")) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new AssertionError("Not a JSON line: " + line, e);
                }
            }
        }
        return lines;
    }

    /** The items of the source table in {@code segment}, as a parallel scan reads it. */
    private int itemsInSegment(int segment, int totalSegments) {
        int[] items = {0};
        new SegmentScanner(dynamoDb).forEachPage(source, segment, totalSegments, 100, true,
                page -> items[0] += page.items().size());
        return items[0];
    }

    @Test
    void handleRequest_whenASegmentFails_itsMessageComesBackAfterTheBackoffNotTheVisibilityTimeout() {
        // Ten minutes of visibility timeout: only the worker's backoff can bring the message back within the test.
        queueUrl = createQueue(environment.unique("backoff-q"), Duration.ofMinutes(10), null, 0);
        WorkerHandler backingOff = handlerWith(new Redelivery(Duration.ofSeconds(1), Duration.ofSeconds(4), 3));
        String runId = seedPoisonedRun(2);
        List<Message> first = receive(2);
        assertThat(first).hasSize(2);

        SQSBatchResponse response = backingOff.handleRequest(eventOf(first), TestContext.withRemaining(PLENTY_OF_TIME));
        acknowledge(first, response);

        assertThat(failedIds(response)).hasSize(1);
        List<Message> again = receive(1);
        assertThat(again).extracting(Message::messageId).containsExactlyElementsOf(failedIds(response));
        assertThat(again.get(0).attributesAsStrings()).containsEntry("ApproximateReceiveCount", "2");
        assertThat(ledger.findSegment(runId, SegmentMessageCodec.fromJson(again.get(0).body()).segment()).orElseThrow()
                .status()).isEqualTo(SegmentStatus.FAILED);
        assertThat(ledger.deadLettered(runId)).isEmpty();
    }

    @Test
    void handleRequest_whenASegmentFailsOnTheQueuesLastReceive_recordsItDeadLetteredAndTheQueueMovesItToTheDlq() {
        String dlqUrl = TestTables.createQueue(sqs, environment.unique("last-receive-dlq"));
        queueUrl = createQueue(environment.unique("last-receive-q"), Duration.ofMinutes(10), dlqUrl, 2);
        WorkerHandler backingOff = handlerWith(new Redelivery(Duration.ofSeconds(1), Duration.ofSeconds(4), 2));
        String runId = seedPoisonedRun(1);

        for (int receive = 1; receive <= 2; receive++) {
            List<Message> messages = receive(1);
            assertThat(messages).as("receive %d", receive).hasSize(1);
            SQSBatchResponse response = backingOff.handleRequest(eventOf(messages),
                    TestContext.withRemaining(PLENTY_OF_TIME));
            assertThat(failedIds(response)).containsExactly(messages.get(0).messageId());
            assertThat(ledger.deadLettered(runId)).as("dead-lettered after receive %d", receive)
                    .hasSize(receive == 2 ? 1 : 0);
        }

        SegmentRecord dead = ledger.deadLettered(runId).get(0);
        assertThat(dead.segment()).isZero();
        assertThat(dead.status()).isEqualTo(SegmentStatus.DEAD_LETTERED);
        assertThat(dead.lastError()).contains("poisoned item");
        assertThat(ledger.progress(runId).deadLetteredSegments()).extracting(SegmentRecord::segment).containsExactly(0);
        // The last failure made the message visible at once: the next receive moves it to the DLQ.
        assertThat(receive(1)).isEmpty();
        assertThat(TestTables.messagesInQueue(sqs, dlqUrl)).isEqualTo(1);
    }

    private WorkerHandler handlerWith(Redelivery redelivery) {
        return new WorkerHandler(new SegmentWorker(dynamoDb, sqs, queueUrl, ledger, SAFETY_MARGIN, Clock.systemUTC(),
                new Random(11), Sleeper.SYSTEM, Budgets.PER_WORKER_SHARE, redelivery), Clock.systemUTC(), result -> { });
    }

    /** A run of {@code totalSegments} of which one holds a poisoned item, seeded onto {@link #queueUrl}. */
    private String seedPoisonedRun(int totalSegments) {
        TestTables.fill(dynamoDb, source, 20);
        Map<String, AttributeValue> poisoned = new LinkedHashMap<>(TestTables.item(source, 100_000));
        poisoned.put(TestProcessors.Poison.ATTRIBUTE, AttributeValue.fromBool(true));
        TestTables.putAll(dynamoDb, source, List.of(poisoned));
        return seed(copyJob().processor(TestProcessors.Poison.class.getName()).totalSegments(totalSegments).build());
    }

    /** A queue with {@code visibility}, and a redrive policy to {@code dlqUrl} after {@code maxReceives} if given. */
    private String createQueue(String name, Duration visibility, String dlqUrl, int maxReceives) {
        Map<QueueAttributeName, String> attributes = new LinkedHashMap<>();
        attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibility.toSeconds()));
        if (dlqUrl != null) {
            String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            attributes.put(QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceives + "\"}");
        }
        return sqs.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
    }

    private JobConfig.Builder copyJob() {
        return JobConfig.builder().sourceTable(source).destinationTable(destination);
    }

    private String seed(JobConfig job) {
        return TestRuns.seed(ledger, sqs, queueUrl, environment.unique("run"), job);
    }

    /**
     * Receives until {@code expected} distinct messages have arrived or the time is up, with the system attributes
     * that the event source mapping passes on; returns what arrived, for the caller's assertion on the count.
     */
    private List<Message> receive(int expected) {
        Instant deadline = Instant.now().plus(RECEIVE_TIMEOUT);
        Map<String, Message> received = new LinkedHashMap<>();
        while (received.size() < expected && Instant.now().isBefore(deadline)) {
            sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                            .messageSystemAttributeNames(MessageSystemAttributeName.ALL))
                    .messages().forEach(m -> received.putIfAbsent(m.messageId(), m));
        }
        return new ArrayList<>(received.values());
    }

    /** The event Lambda's SQS event source mapping delivers for {@code messages}. */
    private SQSEvent eventOf(List<Message> messages) {
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        SQSEvent event = new SQSEvent();
        event.setRecords(messages.stream().map(message -> {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(message.messageId());
            record.setReceiptHandle(message.receiptHandle());
            record.setBody(message.body());
            record.setMd5OfBody(message.md5OfBody());
            record.setAttributes(message.attributesAsStrings());
            record.setMessageAttributes(Map.of());
            record.setEventSource("aws:sqs");
            record.setEventSourceArn(queueArn);
            record.setAwsRegion(environment.region().id());
            return record;
        }).toList());
        assertThat(event.getRecords()).allSatisfy(record ->
                assertThat(record.getAttributes()).containsKey("ApproximateReceiveCount"));
        return event;
    }

    /**
     * The recorded event {@code resource}, shaped like the AWS documentation's sample SQS event for Lambda, with
     * each {@code "{{name}}"} body replaced by {@code bodies}' JSON-escaped string of that name.
     */
    private static InputStream recordedEvent(String resource, Map<String, String> bodies) throws IOException {
        String json;
        try (InputStream in = WorkerHandlerIT.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            String placeholder = "\"{{" + body.getKey() + "}}\"";
            assertThat(json).as(resource).contains(placeholder);
            json = json.replace(placeholder, JSON.writeValueAsString(body.getValue()));
        }
        assertThat(json).as(resource).doesNotContain("{{");
        return new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> failedIds(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    /** Deletes what the response did not report as failed, as the event source mapping does. */
    private void acknowledge(List<Message> messages, SQSBatchResponse response) {
        List<String> failed = failedIds(response);
        List<DeleteMessageBatchRequestEntry> done = messages.stream()
                .filter(m -> !failed.contains(m.messageId()))
                .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build())
                .toList();
        if (!done.isEmpty()) {
            assertThat(sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(done)).failed()).isEmpty();
        }
    }

    private void assertDestinationEqualsSource() {
        var expected = TestTables.byKey(TestTables.scanAll(dynamoDb, source));
        var actual = TestTables.byKey(TestTables.scanAll(dynamoDb, destination));
        assertThat(actual).hasSameSizeAs(expected).isEqualTo(expected);
    }

    private int segmentOf(Map<String, AttributeValue> item, int totalSegments) {
        String key = TestTables.keyString(item);
        for (int segment = 0; segment < totalSegments; segment++) {
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            new SegmentScanner(dynamoDb).forEachPage(source, segment, totalSegments, 100, true,
                    page -> items.addAll(page.items()));
            if (items.stream().map(TestTables::keyString).anyMatch(key::equals)) {
                return segment;
            }
        }
        throw new AssertionError("item " + key + " is in no segment");
    }
}
