package dev.ddbbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.ledger.SegmentStatus;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.testing.TestProcessors;
import dev.ddbbulk.core.testing.TestRuns;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
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
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * A worker killed during the ledger's completing transaction, before DynamoDB applies it or after (the
 * response lost), and the redelivery of its messages by SQS to another worker: the segments end done with
 * every item counted exactly once.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class WorkerKilledWhileCompletingIT {
    private static final Duration SAFETY_MARGIN = Duration.ofSeconds(60);
    private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(20);

    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static EmbeddedEnvironment environment;

    private String source;
    private String destination;
    private String queueUrl;
    private ProgressLedger ledger;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, SqsClient sharedSqs,
                                  EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        sqs = sharedSqs;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void newTablesAndQueue() {
        source = environment.unique("killed-src");
        destination = environment.unique("killed-dst");
        TestTables.createCompositeTable(dynamoDb, source);
        TestTables.createCompositeTable(dynamoDb, destination);
        queueUrl = TestTables.createQueue(sqs, environment.unique("killed-q"));
        ledger = new ProgressLedger(dynamoDb, environment.unique("killed-ledger"), Clock.systemUTC());
        ledger.createTableIfMissing();
    }

    @Test
    void process_whenKilledBeforeTheCompletingTransactionIsApplied_theRedeliveryResumesAndCountsEachItemOnce() {
        TestTables.fill(dynamoDb, source, 130);
        // 7 pages; with a checkpoint interval of 0 the 6 full ones are checkpointed as they are written.
        String runId = seed(copyJob().totalSegments(1).pageSize(20).checkpointIntervalSeconds(0).build());
        List<Message> delivered = receive(1);
        assertThat(delivered).hasSize(1);
        DyingDynamoDb dying = new DyingDynamoDb(dynamoDb, DyingDynamoDb.Transaction.NOT_APPLIED);

        // What a killed worker would have answered never reaches the queue: its message is redelivered.
        workerOn(dying).process(queued(delivered), generous());

        assertThat(dying.killed()).isTrue();
        SegmentRecord afterKill = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(afterKill.status()).isEqualTo(SegmentStatus.IN_PROGRESS);
        assertThat(afterKill.pages()).isEqualTo(6);
        assertThat(afterKill.counts()).isEqualTo(new Counts(120, 120, 0, 0, 0));
        assertThat(ledger.findRun(runId).orElseThrow().segmentsCompleted()).isZero();

        List<Message> redelivered = redeliver(delivered);
        BatchResult second = workerOn(dynamoDb).process(queued(redelivered), generous());

        assertThat(second.failedMessageIds()).isEmpty();
        assertThat(second.outcomes().values()).containsExactly(SegmentOutcome.COMPLETED);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.completedCounts()).isEqualTo(new Counts(130, 130, 0, 0, 0));
        assertThat(run.segmentsCompleted()).isEqualTo(1);
        assertThat(run.complete()).isTrue();
        SegmentRecord segment = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(segment.status()).isEqualTo(SegmentStatus.DONE);
        assertThat(segment.pages()).isEqualTo(7);
        assertThat(segment.counts()).isEqualTo(new Counts(130, 130, 0, 0, 0));
        // From the checkpoint: only the last page is scanned again.
        assertThat(second.counts().scanned()).isEqualTo(10);
        assertDestinationEqualsSource();
    }

    @Test
    void process_whenKilledAfterTheCompletingTransactionIsApplied_theRedeliveriesFindTheSegmentsDoneAndCountNothingTwice() {
        TestTables.fill(dynamoDb, source, 150);
        // A checkpoint interval longer than the batch: its three segments are marked done in one transaction.
        String runId = seed(copyJob().processor(TestProcessors.Counting.class.getName()).totalSegments(3).pageSize(20)
                .checkpointIntervalSeconds(JobConfig.MAX_CHECKPOINT_INTERVAL_SECONDS).build());
        List<Message> delivered = receive(3);
        assertThat(delivered).hasSize(3);
        DyingDynamoDb dying = new DyingDynamoDb(dynamoDb, DyingDynamoDb.Transaction.APPLIED);

        workerOn(dying).process(queued(delivered), generous());

        assertThat(dying.killed()).isTrue();
        RunRecord afterKill = ledger.findRun(runId).orElseThrow();
        assertThat(afterKill.segmentsCompleted()).isEqualTo(3);
        assertThat(afterKill.completedCounts()).isEqualTo(new Counts(150, 150, 0, 0, 0));

        List<Message> redelivered = redeliver(delivered);
        BatchResult second = workerOn(dynamoDb).process(queued(redelivered), generous());

        assertThat(second.failedMessageIds()).isEmpty();
        assertThat(second.outcomes().values()).hasSize(3).containsOnly(SegmentOutcome.ALREADY_DONE);
        assertThat(second.counts()).isEqualTo(Counts.ZERO);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.segmentsCompleted()).isEqualTo(3);
        assertThat(run.complete()).isTrue();
        assertThat(run.completedCounts()).isEqualTo(new Counts(150, 150, 0, 0, 0));
        for (int segment = 0; segment < 3; segment++) {
            assertThat(ledger.findSegment(runId, segment).orElseThrow().status()).as("segment %d", segment)
                    .isEqualTo(SegmentStatus.DONE);
        }
        assertThat(TestProcessors.Counting.timesProcessed(source)).hasSize(150)
                .allSatisfy((key, times) -> assertThat(times).as(key).isEqualTo(1));
        assertDestinationEqualsSource();
    }

    private JobConfig.Builder copyJob() {
        return JobConfig.builder().sourceTable(source).destinationTable(destination);
    }

    private String seed(JobConfig job) {
        return TestRuns.seed(ledger, sqs, queueUrl, environment.unique("run"), job);
    }

    /** A worker on this test's queue and ledger whose every DynamoDB call, data and ledger alike, goes to {@code client}. */
    private SegmentWorker workerOn(DynamoDbClient client) {
        return new SegmentWorker(client, sqs, queueUrl, new ProgressLedger(client, ledger.table(), Clock.systemUTC()),
                SAFETY_MARGIN, Clock.systemUTC(), new Random(3), Sleeper.SYSTEM);
    }

    /**
     * The messages SQS delivers again once the visibility timeout of a killed worker's receive has passed: it is
     * ended at once, and the same messages are received again, polling until all are back or the time is up.
     */
    private List<Message> redeliver(List<Message> delivered) {
        delivered.forEach(m -> sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())
                .visibilityTimeout(0)));
        List<Message> again = receive(delivered.size());
        assertThat(again).extracting(Message::messageId)
                .containsExactlyInAnyOrderElementsOf(delivered.stream().map(Message::messageId).toList());
        assertThat(again).allSatisfy(m -> assertThat(m.attributesAsStrings()).containsEntry("ApproximateReceiveCount", "2"));
        return again;
    }

    /** Receives until {@code expected} distinct messages have arrived or the time is up; returns what arrived. */
    private List<Message> receive(int expected) {
        Instant deadline = Instant.now().plus(RECEIVE_TIMEOUT);
        Map<String, Message> received = new LinkedHashMap<>();
        while (received.size() < expected && Instant.now().isBefore(deadline)) {
            sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                    .messages().forEach(m -> received.putIfAbsent(m.messageId(), m));
        }
        return new ArrayList<>(received.values());
    }

    private void assertDestinationEqualsSource() {
        var expected = TestTables.byKey(TestTables.scanAll(dynamoDb, source));
        var actual = TestTables.byKey(TestTables.scanAll(dynamoDb, destination));
        assertThat(actual).hasSameSizeAs(expected).isEqualTo(expected);
    }

    private static List<QueuedMessage> queued(List<Message> messages) {
        return messages.stream().map(m -> new QueuedMessage(m.messageId(), m.body())).toList();
    }

    private static Deadline generous() {
        return Deadline.after(Duration.ofMinutes(10), Clock.systemUTC());
    }
}
