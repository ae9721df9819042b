package dev.ddbbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.WriteMode;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.ledger.SegmentStatus;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.testing.MutableClock;
import dev.ddbbulk.core.testing.TestRuns;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * With many writes in flight, nothing is lost or counted twice: a write failing while others are in flight,
 * throttled writes, a continuation, and a worker killed mid-page all end with exact counts and an exact copy.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class InFlightWritesIT {
    private static final int ITEMS = 400;
    private static final Duration SAFETY_MARGIN = Duration.ofSeconds(60);

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
        source = environment.unique("fly-src");
        destination = environment.unique("fly-dst");
        TestTables.createCompositeTable(dynamoDb, source);
        TestTables.createCompositeTable(dynamoDb, destination);
        TestTables.fill(dynamoDb, source, ITEMS);
        queueUrl = TestTables.createQueue(sqs, environment.unique("fly-q"));
        ledger = new ProgressLedger(dynamoDb, environment.unique("fly-ledger"), Clock.systemUTC());
        ledger.createTableIfMissing();
    }

    @Test
    void process_whenConditionalWritesHaveLatency_keepsManyInFlightAndCopiesExactly() throws Exception {
        InFlightGauge gauge = new InFlightGauge();
        String runId = seed(WriteMode.CONDITIONAL, 16);

        BatchResult result = deliverOnce(worker(intercepted(gauge::putWithLatency, batch -> { })));

        assertThat(result.failedMessageIds()).isEmpty();
        assertThat(gauge.most()).isGreaterThan(1).isLessThanOrEqualTo(16);
        assertExact(runId, new Counts(ITEMS, ITEMS, 0, 0, 0));
    }

    @Test
    void process_whenBatchWritesHaveLatency_sendsAPagesCallsInParallelAndCopiesExactly() throws Exception {
        InFlightGauge gauge = new InFlightGauge();
        String runId = seed(WriteMode.BATCH, 16);

        BatchResult result = deliverOnce(worker(intercepted(put -> { }, gauge::batchWithLatency)));

        assertThat(result.failedMessageIds()).isEmpty();
        // A page of 100 items is four calls of 25: all four in flight at once.
        assertThat(gauge.most()).isEqualTo(4);
        assertExact(runId, new Counts(ITEMS, ITEMS, 0, 0, 0));
    }

    @Test
    void process_whenOneWriteFailsWhileOthersAreInFlight_failsTheDeliveryAndTheRedeliveryEndsExact() throws Exception {
        Set<String> refusedOnce = ConcurrentHashMap.newKeySet();
        InFlightGauge gauge = new InFlightGauge();
        String runId = seed(WriteMode.CONDITIONAL, 16);
        Consumer<PutItemRequest> refuseItem150Once = put -> {
            gauge.putWithLatency(put);
            if (TestTables.keyString(put.item()).endsWith("|150") && refusedOnce.add("150")) {
                throw DynamoDbException.builder().statusCode(400).message("refused once")
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationException")
                                .errorMessage("refused once").build()).build();
            }
        };

        BatchResult first = deliverOnce(worker(intercepted(refuseItem150Once, batch -> { })));
        assertThat(first.failedMessageIds()).hasSize(1);
        assertThat(ledger.findSegment(runId, 0).orElseThrow().status()).isEqualTo(SegmentStatus.FAILED);
        assertThat(ledger.findSegment(runId, 0).orElseThrow().lastError()).contains("refused once");

        BatchResult second = deliverOnce(worker(dynamoDb));

        assertThat(second.failedMessageIds()).isEmpty();
        RunRecord run = ledger.findRun(runId).orElseThrow();
        // The writes that went through beside the refused one are found applied, never counted twice.
        assertThat(run.completedCounts().scanned()).isEqualTo(ITEMS);
        assertThat(run.completedCounts().written() + run.completedCounts().alreadyApplied()).isEqualTo(ITEMS);
        assertThat(run.completedCounts().conditionalFailures()).isZero();
        assertThat(run.segmentsCompleted()).isEqualTo(1);
        assertDestinationEqualsSource();
    }

    @Test
    void process_whenSomeInFlightWritesAreThrottled_retriesThemAndEndsExact() throws Exception {
        Set<String> throttled = ConcurrentHashMap.newKeySet();
        InFlightGauge gauge = new InFlightGauge();
        String runId = seed(WriteMode.CONDITIONAL, 16);
        Consumer<PutItemRequest> throttleEverySeventhOnce = put -> {
            gauge.putWithLatency(put);
            String key = TestTables.keyString(put.item());
            if (Integer.parseInt(key.substring(key.lastIndexOf('|') + 1)) % 7 == 0 && throttled.add(key)) {
                throw ProvisionedThroughputExceededException.builder().statusCode(400).message("slow down")
                        .awsErrorDetails(AwsErrorDetails.builder()
                                .errorCode("ProvisionedThroughputExceededException").build()).build();
            }
        };

        BatchResult result = deliverOnce(worker(intercepted(throttleEverySeventhOnce, batch -> { })));

        assertThat(result.failedMessageIds()).isEmpty();
        assertThat(throttled).hasSize((ITEMS + 6) / 7);
        // The delivery's report counts each throttle once: what the metrics and the outcome line say.
        assertThat(result.segments()).singleElement()
                .satisfies(segment -> assertThat(segment.throttles()).isEqualTo(throttled.size()));
        assertExact(runId, new Counts(ITEMS, ITEMS, 0, 0, 0));
    }

    @Test
    void process_whenTheDeadlineComesWhileWritesAreInFlight_continuesAfterTheLastWrittenPage() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        String runId = seed(WriteMode.CONDITIONAL, 16);
        // Every write takes a (simulated) second: after the first page of 100 the deadline is within the margin.
        SegmentWorker slow = new SegmentWorker(intercepted(put -> clock.advance(Duration.ofSeconds(1)), batch -> { }),
                sqs, queueUrl, ledger, SAFETY_MARGIN, clock, new Random(3), Sleeper.SYSTEM);
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(10)).get(0);

        BatchResult first = slow.process(List.of(queued(message)), new Deadline(clock.instant()
                .plus(SAFETY_MARGIN).plusSeconds(30), clock));
        delete(message);

        assertThat(first.outcomes()).containsValue(SegmentOutcome.CONTINUED);
        var segment = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(segment.pages()).isEqualTo(1);
        assertThat(segment.counts()).isEqualTo(new Counts(100, 100, 0, 0, 0));
        BatchResult rest = deliverOnce(worker(dynamoDb));
        assertThat(rest.outcomes()).containsValue(SegmentOutcome.COMPLETED);
        assertExact(runId, new Counts(ITEMS, ITEMS, 0, 0, 0));
        assertThat(ledger.findRun(runId).orElseThrow().continuations()).isEqualTo(1);
    }

    @Test
    void process_whenTheWorkerIsKilledMidPageWithWritesInFlight_theRedeliveryEndsExact() throws Exception {
        AtomicInteger puts = new AtomicInteger();
        InFlightGauge gauge = new InFlightGauge();
        String runId = seed(WriteMode.CONDITIONAL, 16);
        Consumer<PutItemRequest> dieOnWrite150 = put -> {
            gauge.putWithLatency(put);
            if (puts.incrementAndGet() == 150) {
                throw new Killed();
            }
        };
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(10)).get(0);

        SegmentWorker doomed = worker(intercepted(dieOnWrite150, batch -> { }));
        try {
            doomed.process(List.of(queued(message)), generous());
            throw new AssertionError("the worker was to die on its 150th write");
        } catch (Killed expected) {
            // The invocation died: nothing acknowledged, nothing recorded, the lease still held.
        }
        assertThat(ledger.findSegment(runId, 0).orElseThrow().status()).isEqualTo(SegmentStatus.IN_PROGRESS);

        // SQS delivers the same message again; a later delivery of it takes the dead one's lease over.
        BatchResult redelivered = worker(dynamoDb).process(List.of(queued(message)), generous());
        delete(message);

        assertThat(redelivered.outcomes()).containsValue(SegmentOutcome.COMPLETED);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.completedCounts().scanned()).isEqualTo(ITEMS);
        assertThat(run.completedCounts().written() + run.completedCounts().alreadyApplied()).isEqualTo(ITEMS);
        assertThat(run.completedCounts().conditionalFailures()).isZero();
        assertDestinationEqualsSource();
    }

    /** What a killed worker's thread meets: an error nothing in the worker catches. */
    private static final class Killed extends Error {
        Killed() {
            super("killed");
        }
    }

    /** Adds latency to writes and tracks how many are in flight at once. */
    private static final class InFlightGauge {
        private final AtomicInteger now = new AtomicInteger();
        private final AtomicInteger most = new AtomicInteger();

        void putWithLatency(PutItemRequest put) {
            hold();
        }

        void batchWithLatency(BatchWriteItemRequest batch) {
            hold();
        }

        /** A call of 20 ms, as on a slow network; it is latency, not synchronisation. */
        private void hold() {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } finally {
                now.decrementAndGet();
            }
        }

        int most() {
            return most.get();
        }
    }

    private String seed(WriteMode mode, int writesInFlight) {
        JobConfig job = JobConfig.builder().sourceTable(source).destinationTable(destination).totalSegments(1)
                .pageSize(100).checkpointIntervalSeconds(0).writeMode(mode).writesInFlight(writesInFlight).build();
        return TestRuns.seed(ledger, sqs, queueUrl, environment.unique("run"), job);
    }

    private DynamoDbClient intercepted(Consumer<PutItemRequest> beforePut, Consumer<BatchWriteItemRequest> beforeBatch) {
        return new InterceptingDynamoDb(dynamoDb, beforePut, beforeBatch);
    }

    private SegmentWorker worker(DynamoDbClient client) {
        return new SegmentWorker(client, sqs, queueUrl, ledger, SAFETY_MARGIN, Clock.systemUTC(), new Random(5),
                Sleeper.SYSTEM);
    }

    /** Receives the run's one message, lets {@code worker} work it, and deletes it unless it failed. */
    private BatchResult deliverOnce(SegmentWorker worker) {
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(10)).get(0);
        BatchResult result = worker.process(List.of(queued(message)), generous());
        if (!result.failedMessageIds().contains(message.messageId())) {
            delete(message);
        } else {
            sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
                    .visibilityTimeout(0));
        }
        return result;
    }

    private void delete(Message message) {
        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
    }

    private void assertExact(String runId, Counts expected) {
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.segmentsCompleted()).isEqualTo(1);
        assertThat(run.completedCounts()).isEqualTo(expected);
        assertThat(ledger.progress(runId).counts()).isEqualTo(expected);
        assertDestinationEqualsSource();
    }

    private void assertDestinationEqualsSource() {
        Map<String, Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> expected =
                TestTables.byKey(TestTables.scanAll(dynamoDb, source));
        assertThat(TestTables.byKey(TestTables.scanAll(dynamoDb, destination))).isEqualTo(expected);
    }

    private static Deadline generous() {
        return Deadline.after(Duration.ofMinutes(10), Clock.systemUTC());
    }

    private static QueuedMessage queued(Message message) {
        return new QueuedMessage(message.messageId(), message.body());
    }
}
