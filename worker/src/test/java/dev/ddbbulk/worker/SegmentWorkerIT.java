package dev.ddbbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.ItemProcessors;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunProgress;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.ledger.SegmentStatus;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.testing.MutableClock;
import dev.ddbbulk.core.testing.RecordingSleeper;
import dev.ddbbulk.core.testing.TestProcessors;
import dev.ddbbulk.core.testing.TestRuns;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.worker.scan.SegmentScanner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

@ExtendWith(EmbeddedServicesExtension.class)
class SegmentWorkerIT {
    private static final Duration SAFETY_MARGIN = Duration.ofSeconds(60);
    private static final Duration TEST_TIMEOUT = Duration.ofSeconds(60);

    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static EmbeddedEnvironment environment;

    private String source;
    private String destination;
    private String queueUrl;
    private ProgressLedger ledger;
    private SegmentWorker worker;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, SqsClient sharedSqs,
                                  EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        sqs = sharedSqs;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void newTablesAndQueue() {
        source = environment.unique("work-src");
        destination = environment.unique("work-dst");
        TestTables.createCompositeTable(dynamoDb, source);
        TestTables.createCompositeTable(dynamoDb, destination);
        queueUrl = TestTables.createQueue(sqs, environment.unique("work-q"));
        ledger = new ProgressLedger(dynamoDb, environment.unique("work-ledger"), Clock.systemUTC());
        ledger.createTableIfMissing();
        worker = new SegmentWorker(dynamoDb, sqs, queueUrl, ledger, SAFETY_MARGIN, Clock.systemUTC(), new Random(5),
                Sleeper.SYSTEM);
    }

    @Test
    void process_whenWholeSeedWorkedWithTime_copiesEveryItemExactly() throws Exception {
        TestTables.fill(dynamoDb, source, 1_500);
        String runId = seed(copyJob().totalSegments(200).pageSize(50).build());

        Map<String, SegmentOutcome> outcomes = drain(runId, generous());

        assertThat(outcomes).hasSize(200).allSatisfy((id, outcome) -> assertThat(outcome).isEqualTo(SegmentOutcome.COMPLETED));
        assertDestinationEqualsSource();
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.segmentsCompleted()).isEqualTo(200);
        assertThat(run.complete()).isTrue();
        assertThat(run.completedCounts()).isEqualTo(new Counts(1_500, 1_500, 0, 0, 0));
        assertThat(run.continuations()).isZero();
        assertThat(ledger.progress(runId).counts().scanned()).isEqualTo(1_500);
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).isZero();
    }

    @Test
    void process_whenEveryInvocationHasOnlyAPageOfTime_continuesUntilTheSegmentIsDone() throws Exception {
        TestTables.fill(dynamoDb, source, 500);
        String runId = seed(copyJob().processor(TestProcessors.Counting.class.getName()).totalSegments(1).pageSize(20)
                .build());
        // The segment's pages as a scan of 20 items a page returns them (a last one may be empty).
        List<Integer> pageSizes = new ArrayList<>();
        new SegmentScanner(dynamoDb).forEachPage(source, 0, 1, 20, true, page -> pageSizes.add(page.items().size()));
        List<SegmentOutcome> outcomes = new ArrayList<>();
        List<SegmentMessage> delivered = new ArrayList<>();
        List<Integer> scannedPerInvocation = new ArrayList<>();
        Instant timeout = Instant.now().plus(TEST_TIMEOUT);

        while (!outcomes.contains(SegmentOutcome.COMPLETED) && Instant.now().isBefore(timeout)) {
            for (Message message : TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(5))) {
                delivered.add(SegmentMessageCodec.fromJson(message.body()));
                // The deadline is already inside the safety margin: one page, then hand on.
                BatchResult result = worker.process(List.of(queued(message)), Deadline.after(Duration.ZERO, Clock.systemUTC()));
                outcomes.addAll(result.outcomes().values());
                scannedPerInvocation.add((int) result.counts().scanned());
                acknowledge(List.of(message), result);
            }
        }

        // One page an invocation: as many invocations as pages, each scanning its page.
        assertThat(pageSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(500);
        assertThat(scannedPerInvocation).isEqualTo(pageSizes);
        assertThat(outcomes).hasSize(pageSizes.size()).last().isEqualTo(SegmentOutcome.COMPLETED);
        assertThat(outcomes.subList(0, outcomes.size() - 1)).containsOnly(SegmentOutcome.CONTINUED);
        for (int i = 0; i < delivered.size(); i++) {
            assertThat(delivered.get(i).continuation()).isEqualTo(i);
            assertThat(delivered.get(i).exclusiveStartKey() != null).isEqualTo(i > 0);
        }
        assertThat(TestProcessors.Counting.timesProcessed(source)).hasSize(500)
                .allSatisfy((key, times) -> assertThat(times).as(key).isEqualTo(1));
        assertDestinationEqualsSource();
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.completedCounts()).isEqualTo(new Counts(500, 500, 0, 0, 0));
        assertThat(run.continuations()).isEqualTo(outcomes.size() - 1).isPositive();
        SegmentRecord segment = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(segment.status()).isEqualTo(SegmentStatus.DONE);
        assertThat(segment.pages()).isEqualTo(outcomes.size());
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).isZero();
    }

    @Test
    void process_whenProcessorThrowsOnOneItem_failsOnlyThatSegmentsMessage() throws Exception {
        TestTables.fill(dynamoDb, source, 300);
        Map<String, AttributeValue> poisoned = new LinkedHashMap<>(TestTables.item(source, 100_000));
        poisoned.put(TestProcessors.Poison.ATTRIBUTE, AttributeValue.fromBool(true));
        TestTables.putAll(dynamoDb, source, List.of(poisoned));
        int totalSegments = 10;
        int poisonSegment = segmentOf(poisoned, totalSegments);
        int pageSize = 100;
        String runId = seed(copyJob().processor(TestProcessors.Poison.class.getName()).totalSegments(totalSegments)
                .pageSize(pageSize).build());
        // The poisoned segment is one page, so none of it is written.
        assertThat(keysOfSegment(poisonSegment, totalSegments)).hasSizeLessThanOrEqualTo(pageSize);
        List<Message> messages = TestTables.receive(sqs, queueUrl, totalSegments, Duration.ofSeconds(20));
        assertThat(messages).hasSize(totalSegments);
        String poisonMessageId = messages.stream()
                .filter(m -> SegmentMessageCodec.fromJson(m.body()).segment() == poisonSegment)
                .findFirst().orElseThrow().messageId();

        BatchResult result = worker.process(messages.stream().map(SegmentWorkerIT::queued).toList(), generous());

        assertThat(result.failedMessageIds()).containsExactly(poisonMessageId);
        assertThat(result.outcomes()).containsEntry(poisonMessageId, SegmentOutcome.FAILED);
        assertThat(result.count(SegmentOutcome.COMPLETED)).isEqualTo(totalSegments - 1);
        SegmentRecord failed = ledger.findSegment(runId, poisonSegment).orElseThrow();
        assertThat(failed.status()).isEqualTo(SegmentStatus.FAILED);
        assertThat(failed.lastError()).startsWith("IllegalStateException: poisoned item " + TestTables.keyString(poisoned));
        RunProgress progress = ledger.progress(runId);
        assertThat(progress.failedSegments()).extracting(SegmentRecord::segment).containsExactly(poisonSegment);
        assertThat(progress.segmentsCompleted()).isEqualTo(totalSegments - 1);
        Set<String> copied = keys(TestTables.scanAll(dynamoDb, destination));
        Set<String> expected = new HashSet<>();
        for (int segment = 0; segment < totalSegments; segment++) {
            if (segment != poisonSegment) {
                expected.addAll(keysOfSegment(segment, totalSegments));
            }
        }
        assertThat(copied).isEqualTo(expected).doesNotContain(TestTables.keyString(poisoned));
    }

    @Test
    void process_whenSeedMessageDeliveredAgainAfterCompletion_isAlreadyDoneAndCountsNothing() throws Exception {
        TestTables.fill(dynamoDb, source, 120);
        String runId = seed(copyJob().processor(TestProcessors.Counting.class.getName()).totalSegments(4).build());
        List<Message> messages = TestTables.receive(sqs, queueUrl, 4, Duration.ofSeconds(20));
        assertThat(worker.process(messages.stream().map(SegmentWorkerIT::queued).toList(), generous())
                .count(SegmentOutcome.COMPLETED)).isEqualTo(4);
        RunRecord before = ledger.findRun(runId).orElseThrow();

        List<QueuedMessage> redelivered = messages.stream()
                .map(m -> new QueuedMessage(m.messageId() + "-again", m.body())).toList();
        BatchResult again = worker.process(redelivered, generous());
        BatchResult fromAnotherWorker = new SegmentWorker(dynamoDb, sqs, queueUrl, ledger, SAFETY_MARGIN,
                Clock.systemUTC(), new Random(6), Sleeper.SYSTEM).process(redelivered.subList(0, 1), generous());

        assertThat(again.failedMessageIds()).isEmpty();
        assertThat(again.outcomes().values()).hasSize(4).containsOnly(SegmentOutcome.ALREADY_DONE);
        assertThat(again.counts()).isEqualTo(Counts.ZERO);
        assertThat(fromAnotherWorker.outcomes().values()).containsExactly(SegmentOutcome.ALREADY_DONE);
        RunRecord after = ledger.findRun(runId).orElseThrow();
        assertThat(after.segmentsCompleted()).isEqualTo(4).isEqualTo(before.segmentsCompleted());
        assertThat(after.completedCounts()).isEqualTo(before.completedCounts()).isEqualTo(new Counts(120, 120, 0, 0, 0));
        assertThat(TestProcessors.Counting.timesProcessed(source)).hasSize(120)
                .allSatisfy((key, times) -> assertThat(times).as(key).isEqualTo(1));
    }

    @Test
    void process_whenEveryMessageIsDeliveredTwiceToTwoWorkersAtOnce_processesEachItemOnce() throws Exception {
        TestTables.fill(dynamoDb, source, 600);
        String runId = seed(copyJob().processor(TestProcessors.Counting.class.getName()).totalSegments(20).pageSize(10)
                .build());
        List<Message> originals = TestTables.receive(sqs, queueUrl, 20, Duration.ofSeconds(20));
        assertThat(originals).hasSize(20);
        for (Message original : originals) {
            sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(
                    SendMessageBatchRequestEntry.builder().id("a").messageBody(original.body()).build(),
                    SendMessageBatchRequestEntry.builder().id("b").messageBody(original.body()).build()));
        }
        acknowledge(originals, new BatchResult(List.of()));
        ExecutorService fleet = Executors.newFixedThreadPool(2);
        List<Future<Map<String, SegmentOutcome>>> workers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                SegmentWorker own = new SegmentWorker(dynamoDb, sqs, queueUrl, ledger, SAFETY_MARGIN, Clock.systemUTC(),
                        new Random(i), Sleeper.SYSTEM);
                workers.add(fleet.submit(() -> drain(own, runId, generous())));
            }
            List<SegmentOutcome> outcomes = new ArrayList<>();
            for (Future<Map<String, SegmentOutcome>> w : workers) {
                outcomes.addAll(w.get(TEST_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS).values());
            }

            assertThat(outcomes.stream().filter(SegmentOutcome.COMPLETED::equals)).hasSize(20);
        } finally {
            fleet.shutdownNow();
        }
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.segmentsCompleted()).isEqualTo(20);
        assertThat(run.completedCounts()).isEqualTo(new Counts(600, 600, 0, 0, 0));
        assertThat(TestProcessors.Counting.timesProcessed(source)).hasSize(600)
                .allSatisfy((key, times) -> assertThat(times).as(key).isEqualTo(1));
        assertDestinationEqualsSource();
    }

    @Test
    void process_whenAnotherDeliveryHoldsTheLease_acknowledgesAsDuplicateWithoutWork() throws Exception {
        TestTables.fill(dynamoDb, source, 30);
        String runId = seed(copyJob().totalSegments(1).build());
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(20)).get(0);
        ledger.claim(runId, 0, "another-message", "other-worker", Instant.now().plus(Duration.ofMinutes(5)));

        BatchResult result = worker.process(List.of(queued(message)), generous());

        assertThat(result.failedMessageIds()).isEmpty();
        assertThat(result.outcomes().values()).containsExactly(SegmentOutcome.DUPLICATE_IN_FLIGHT);
        assertThat(TestTables.scanAll(dynamoDb, destination)).isEmpty();
        assertThat(ledger.findSegment(runId, 0).orElseThrow().attempts()).isEqualTo(1);
    }

    @Test
    void process_whenCheckpointIntervalPasses_checkpointsAtTheFirstPageBoundaryAfterIt() throws Exception {
        TestTables.fill(dynamoDb, source, 190);
        String runId = seed(copyJob().processor(TestProcessors.Ticking.class.getName()).totalSegments(1).pageSize(20)
                .checkpointIntervalSeconds(10).build());
        AtomicInteger checkpoints = new AtomicInteger();
        SegmentWorker ticking = workerWithLedgerOn(countingCheckpoints(dynamoDb, checkpoints),
                TestProcessors.Ticking.CLOCK, Sleeper.SYSTEM);
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(20)).get(0);

        BatchResult result = ticking.process(List.of(queued(message)), generous());

        // 10 pages (the last of 10 items) of 4 s each: 12 s after the start the 3rd page passes the 10 s mark, then the 6th and 9th;
        // the 10th and last is saved by the completing transaction.
        assertThat(result.outcomes().values()).containsExactly(SegmentOutcome.COMPLETED);
        assertThat(checkpoints).hasValue(3);
        SegmentRecord segment = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(segment.pages()).isEqualTo(10);
        assertThat(segment.counts()).isEqualTo(new Counts(190, 190, 0, 0, 0));
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(190, 190, 0, 0, 0));
        assertDestinationEqualsSource();
    }

    @Test
    void process_whenCheckpointIntervalIsZero_checkpointsAfterEveryPageButTheLast() throws Exception {
        TestTables.fill(dynamoDb, source, 190);
        String runId = seed(copyJob().totalSegments(1).pageSize(20).checkpointIntervalSeconds(0).build());
        AtomicInteger checkpoints = new AtomicInteger();
        SegmentWorker eager = workerWithLedgerOn(countingCheckpoints(dynamoDb, checkpoints),
                MutableClock.atEpochSecond(1_700_000_000), Sleeper.SYSTEM);
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(20)).get(0);

        eager.process(List.of(queued(message)), generous());

        assertThat(checkpoints).hasValue(9);
        assertThat(ledger.findSegment(runId, 0).orElseThrow().pages()).isEqualTo(10);
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(190, 190, 0, 0, 0));
    }

    @Test
    void process_whenABatchEndsItsSegmentsWithinTheCheckpointInterval_marksThemDoneInOneTransaction() throws Exception {
        TestTables.fill(dynamoDb, source, 300);
        String runId = seed(copyJob().totalSegments(10).pageSize(50).build());
        List<TransactWriteItemsRequest> transactions = new java.util.concurrent.CopyOnWriteArrayList<>();
        SegmentWorker batching = workerWithLedgerOn(recordingTransactions(dynamoDb, transactions),
                MutableClock.atEpochSecond(1_700_000_000), Sleeper.SYSTEM);
        List<Message> messages = TestTables.receive(sqs, queueUrl, 10, Duration.ofSeconds(20));

        BatchResult result = batching.process(messages.stream().map(SegmentWorkerIT::queued).toList(), generous());

        assertThat(result.outcomes()).hasSize(10).allSatisfy((id, outcome) ->
                assertThat(outcome).isEqualTo(SegmentOutcome.COMPLETED));
        // ten segment updates and one of the run record
        assertThat(transactions).singleElement().satisfies(t -> assertThat(t.transactItems()).hasSize(11));
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.complete()).isTrue();
        assertThat(run.completedCounts()).isEqualTo(new Counts(300, 300, 0, 0, 0));
        assertDestinationEqualsSource();
    }

    @Test
    void process_whenCheckpointIntervalIsZero_marksEachSegmentDoneAsItEnds() throws Exception {
        TestTables.fill(dynamoDb, source, 100);
        String runId = seed(copyJob().totalSegments(4).pageSize(50).checkpointIntervalSeconds(0).build());
        List<TransactWriteItemsRequest> transactions = new java.util.concurrent.CopyOnWriteArrayList<>();
        SegmentWorker eager = workerWithLedgerOn(recordingTransactions(dynamoDb, transactions),
                MutableClock.atEpochSecond(1_700_000_000), Sleeper.SYSTEM);
        List<Message> messages = TestTables.receive(sqs, queueUrl, 4, Duration.ofSeconds(20));

        BatchResult result = eager.process(messages.stream().map(SegmentWorkerIT::queued).toList(), generous());

        assertThat(result.outcomes().values()).containsOnly(SegmentOutcome.COMPLETED).hasSize(4);
        assertThat(transactions).hasSize(4);
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(100, 100, 0, 0, 0));
    }

    @Test
    void process_whenASegmentsLastPageIsWritten_hasAlreadyClaimedTheNextMessagesSegment() throws Exception {
        TestTables.fill(dynamoDb, source, 200);
        String runId = seed(copyJob().totalSegments(2).pageSize(500).build());
        List<Message> messages = TestTables.receive(sqs, queueUrl, 2, Duration.ofSeconds(20));
        int second = SegmentMessageCodec.fromJson(messages.get(1).body()).segment();
        AtomicInteger writes = new AtomicInteger();
        AtomicBoolean claimedBeforeFirstWrite = new AtomicBoolean();
        // The first BatchWriteItem is of the first segment's only page: it waits (up to 10 s) for the claim.
        DynamoDbClient waitingForTheClaim = intercepting(dynamoDb, request -> {
            if (request instanceof BatchWriteItemRequest
                    && writes.incrementAndGet() == 1) {
                long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < giveUp && !claimedBeforeFirstWrite.get()) {
                    claimedBeforeFirstWrite.set(ledger.findSegment(runId, second).isPresent());
                }
            }
        });
        SegmentWorker lookingAhead = new SegmentWorker(waitingForTheClaim, sqs, queueUrl, ledger, SAFETY_MARGIN,
                Clock.systemUTC(), new Random(5), Sleeper.SYSTEM);

        BatchResult result = lookingAhead.process(messages.stream().map(SegmentWorkerIT::queued).toList(), generous());

        assertThat(claimedBeforeFirstWrite).isTrue();
        assertThat(result.outcomes().values()).containsOnly(SegmentOutcome.COMPLETED).hasSize(2);
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(200, 200, 0, 0, 0));
        assertDestinationEqualsSource();
    }

    @Test
    void process_whenTheCompletingTransactionFails_failsTheMessageAndTheRetryCountsEachItemOnce() throws Exception {
        TestTables.fill(dynamoDb, source, 130);
        String runId = seed(copyJob().totalSegments(1).pageSize(20).checkpointIntervalSeconds(0).build());
        AtomicInteger transactions = new AtomicInteger();
        DynamoDbClient failingOnce = intercepting(dynamoDb, request -> {
            if (request instanceof TransactWriteItemsRequest && transactions.incrementAndGet() == 1) {
                throw DynamoDbException.builder().statusCode(500).message("injected: transaction failed").build();
            }
        });
        SegmentWorker flaky = workerWithLedgerOn(failingOnce, Clock.systemUTC(), Sleeper.SYSTEM);
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(20)).get(0);

        BatchResult first = flaky.process(List.of(queued(message)), generous());
        SegmentRecord afterFailure = ledger.findSegment(runId, 0).orElseThrow();
        BatchResult second = flaky.process(List.of(queued(message)), generous());

        assertThat(first.failedMessageIds()).containsExactly(message.messageId());
        assertThat(afterFailure.status()).isEqualTo(SegmentStatus.FAILED);
        assertThat(afterFailure.lastError()).contains("injected: transaction failed");
        // 7 pages; the 6 full ones were checkpointed, the last one is written again by the retry
        assertThat(afterFailure.counts().scanned()).isEqualTo(120);
        assertThat(second.outcomes().values()).containsExactly(SegmentOutcome.COMPLETED);
        assertThat(second.counts().scanned()).isEqualTo(10);
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(130, 130, 0, 0, 0));
        assertDestinationEqualsSource();
    }

    @Test
    void process_whenTheCompletingTransactionConflicts_sendsItAgainAndCompletes() throws Exception {
        TestTables.fill(dynamoDb, source, 50);
        String runId = seed(copyJob().totalSegments(1).pageSize(20).build());
        AtomicInteger transactions = new AtomicInteger();
        DynamoDbClient conflictingTwice = intercepting(dynamoDb, request -> {
            if (request instanceof TransactWriteItemsRequest && transactions.incrementAndGet() <= 2) {
                throw TransactionCanceledException.builder().message("injected conflict")
                        .cancellationReasons(CancellationReason.builder().code("None").build(),
                                CancellationReason.builder().code("TransactionConflict").build())
                        .build();
            }
        });
        RecordingSleeper sleeper = RecordingSleeper.withoutClock();
        SegmentWorker conflicted = workerWithLedgerOn(conflictingTwice, Clock.systemUTC(), sleeper);
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(20)).get(0);

        BatchResult result = conflicted.process(List.of(queued(message)), generous());

        assertThat(result.outcomes().values()).containsExactly(SegmentOutcome.COMPLETED);
        assertThat(transactions).hasValue(3);
        assertThat(sleeper.sleeps()).hasSize(2);
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(50, 50, 0, 0, 0));
        assertThat(ledger.findSegment(runId, 0).orElseThrow().attempts()).isEqualTo(1);
    }

    @Test
    void process_whenRedeliveredAfterAFailure_resumesFromTheCheckpointAndCountsEachItemOnce() throws Exception {
        String runId = seedOneSegmentWithAFlakyItem();
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(20)).get(0);

        BatchResult first = worker.process(List.of(queued(message)), generous());
        SegmentRecord afterFailure = ledger.findSegment(runId, 0).orElseThrow();
        BatchResult second = worker.process(List.of(queued(message)), generous());

        assertThat(first.failedMessageIds()).containsExactly(message.messageId());
        assertThat(afterFailure.status()).isEqualTo(SegmentStatus.FAILED);
        assertThat(afterFailure.pages()).isEqualTo(5);
        assertThat(afterFailure.counts().scanned()).isEqualTo(100);
        assertThat(afterFailure.lastError()).contains("transient failure");
        assertThat(second.outcomes().values()).containsExactly(SegmentOutcome.COMPLETED);
        assertThat(second.counts().scanned()).isEqualTo(100);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.completedCounts()).isEqualTo(new Counts(200, 200, 0, 0, 0));
        assertThat(ledger.findSegment(runId, 0).orElseThrow().attempts()).isEqualTo(2);
        assertDestinationEqualsSource();
    }

    @Test
    void process_whenAFailedDeliveryCouldNotReleaseItsLease_theSameMessageRedeliveredTakesTheSegmentOver()
            throws Exception {
        String runId = seedOneSegmentWithAFlakyItem();
        // The ledger refuses the failure record, which would have released the lease.
        SegmentWorker unlucky = workerWithLedgerOn(intercepting(dynamoDb, request -> {
            if (request instanceof UpdateItemRequest update && update.updateExpression().contains(":failed")) {
                throw DynamoDbException.builder().statusCode(500).message("injected: ledger unavailable").build();
            }
        }), Clock.systemUTC(), Sleeper.SYSTEM);
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(20)).get(0);

        BatchResult first = unlucky.process(List.of(queued(message)), generous());
        SegmentRecord afterFailure = ledger.findSegment(runId, 0).orElseThrow();
        BatchResult second = worker.process(List.of(queued(message)), generous());

        assertThat(first.failedMessageIds()).containsExactly(message.messageId());
        assertThat(afterFailure.status()).isEqualTo(SegmentStatus.IN_PROGRESS);
        assertThat(second.outcomes().values()).containsExactly(SegmentOutcome.COMPLETED);
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(200, 200, 0, 0, 0));
        assertThat(ledger.findSegment(runId, 0).orElseThrow().attempts()).isEqualTo(2);
        assertDestinationEqualsSource();
    }

    @Test
    void process_whenBatchHoldsBadMessages_failsOnlyThoseAndWorksTheRest() throws Exception {
        TestTables.fill(dynamoDb, source, 40);
        String runId = seed(copyJob().totalSegments(2).build());
        List<Message> good = TestTables.receive(sqs, queueUrl, 2, Duration.ofSeconds(20));
        List<QueuedMessage> batch = new ArrayList<>();
        batch.add(new QueuedMessage("garbage", "{\"hello\":\"world\"}"));
        batch.add(queued(good.get(0)));
        batch.add(new QueuedMessage("unknown-run", SegmentMessageCodec.toJson(SegmentMessage.seed("no-such-run", 0, 2))));
        batch.add(new QueuedMessage("wrong-total", SegmentMessageCodec.toJson(SegmentMessage.seed(runId, 0, 3))));
        batch.add(new QueuedMessage("corrupt-segment",
                "{\"runId\":\"" + runId + "\",\"segment\":\"one\",\"totalSegments\":2}"));
        batch.add(queued(good.get(1)));

        BatchResult result = worker.process(batch, generous());

        assertThat(result.failedMessageIds()).containsExactly("garbage", "unknown-run", "wrong-total", "corrupt-segment");
        assertThat(result.outcomes()).containsEntry(good.get(0).messageId(), SegmentOutcome.COMPLETED)
                .containsEntry(good.get(1).messageId(), SegmentOutcome.COMPLETED);
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts().scanned()).isEqualTo(40);
        assertDestinationEqualsSource();
    }

    @Test
    void process_whenJobUpdatesInPlace_stampsEveryItemOnce() throws Exception {
        TestTables.fill(dynamoDb, source, 150);
        String runId = seed(JobConfig.builder().sourceTable(source).processor(ItemProcessors.STAMP).totalSegments(3)
                .pageSize(25).build());

        drain(runId, generous());

        List<Map<String, AttributeValue>> items = TestTables.scanAll(dynamoDb, source);
        assertThat(items).hasSize(150).allSatisfy(item -> {
            assertThat(item).containsEntry(ItemProcessors.StampProcessor.ATTRIBUTE, AttributeValue.fromBool(true));
            assertThat(item.get("payload")).isEqualTo(TestTables.item(source, Integer.parseInt(item.get("sk").n())).get("payload"));
        });
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(150, 150, 0, 0, 0));
    }

    @Test
    void process_whenDryRun_countsButWritesNothing() throws Exception {
        TestTables.fill(dynamoDb, source, 60);
        String runId = seed(copyJob().dryRun(true).totalSegments(3).build());

        drain(runId, generous());

        assertThat(TestTables.scanAll(dynamoDb, destination)).isEmpty();
        // A dry run counts what a real run would write.
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(60, 60, 0, 0, 0));
    }

    @Test
    void process_whenTheRateLimitWouldWaitPastTheDeadline_continuesBeforeThePageNotAfterIt() throws Exception {
        TestTables.fill(dynamoDb, source, 100);
        String runId = seed(copyJob().totalSegments(1).pageSize(20).rateLimit(1).checkpointIntervalSeconds(0).build());
        MutableClock clock = MutableClock.atEpochSecond(1_700_000_000);
        RecordingSleeper sleeper = new RecordingSleeper(clock);
        SegmentWorker limited = new SegmentWorker(dynamoDb, sqs, queueUrl, ledger, SAFETY_MARGIN, clock, new Random(5),
                sleeper);
        Message message = TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(10)).get(0);
        // One item a second: a page of 20 waits 20 s. With 30 s beyond the margin the first page fits, and the
        // second, which would end 10 s inside the margin, is left to the continuation.
        Deadline deadline = new Deadline(clock.instant().plus(SAFETY_MARGIN).plusSeconds(30), clock);

        BatchResult result = limited.process(List.of(queued(message)), deadline);

        assertThat(result.outcomes()).containsExactly(Map.entry(message.messageId(), SegmentOutcome.CONTINUED));
        assertThat(sleeper.total()).isEqualTo(Duration.ofSeconds(20));
        assertThat(deadline.remaining()).isGreaterThanOrEqualTo(SAFETY_MARGIN);
        SegmentRecord segment = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(segment.pages()).isEqualTo(1);
        assertThat(segment.counts().scanned()).isEqualTo(20);
        assertThat(segment.continuations()).isEqualTo(1);
        assertThat(TestTables.receive(sqs, queueUrl, 1, Duration.ofSeconds(10))).hasSize(1);
    }

    private JobConfig.Builder copyJob() {
        return JobConfig.builder().sourceTable(source).destinationTable(destination);
    }

    private String seed(JobConfig job) {
        return TestRuns.seed(ledger, sqs, queueUrl, environment.unique("run"), job);
    }

    /**
     * Seeds a one-segment copy of 200 items, pages of 20, with the {@link TestProcessors.FlakyOnce} processor,
     * which fails once on the 111th item (on the 6th page).
     */
    private String seedOneSegmentWithAFlakyItem() throws InterruptedException {
        TestTables.fill(dynamoDb, source, 200);
        List<Map<String, AttributeValue>> scanOrder = new ArrayList<>();
        new SegmentScanner(dynamoDb).forEachPage(source, 0, 1, 20, true, page -> scanOrder.addAll(page.items()));
        Map<String, AttributeValue> flaky = new LinkedHashMap<>(scanOrder.get(110));
        flaky.put(TestProcessors.FlakyOnce.ATTRIBUTE, AttributeValue.fromBool(true));
        TestTables.putAll(dynamoDb, source, List.of(flaky));
        return seed(copyJob().processor(TestProcessors.FlakyOnce.class.getName()).totalSegments(1).pageSize(20)
                .build());
    }

    /**
     * Works the queue as the Lambda event source mapping would: batches of up to 10, deleting what the worker
     * did not report as failed, until the run is complete or the test's time is up.
     */
    private Map<String, SegmentOutcome> drain(String runId, Deadline deadline) {
        return drain(worker, runId, deadline);
    }

    private Map<String, SegmentOutcome> drain(SegmentWorker worker, String runId, Deadline deadline) {
        Map<String, SegmentOutcome> outcomes = new LinkedHashMap<>();
        Instant timeout = Instant.now().plus(TEST_TIMEOUT);
        while (!ledger.findRun(runId).orElseThrow().complete() && Instant.now().isBefore(timeout)) {
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(1)).messages();
            if (messages.isEmpty()) {
                continue;
            }
            BatchResult result = worker.process(messages.stream().map(SegmentWorkerIT::queued).toList(), deadline);
            assertThat(result.failedMessageIds()).isEmpty();
            outcomes.putAll(result.outcomes());
            acknowledge(messages, result);
        }
        return outcomes;
    }

    private void acknowledge(List<Message> messages, BatchResult result) {
        List<DeleteMessageBatchRequestEntry> done = messages.stream()
                .filter(m -> !result.failedMessageIds().contains(m.messageId()))
                .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build())
                .toList();
        for (int from = 0; from < done.size(); from += 10) {
            List<DeleteMessageBatchRequestEntry> chunk = done.subList(from, Math.min(done.size(), from + 10));
            sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(chunk));
        }
    }

    private void assertDestinationEqualsSource() {
        var expected = TestTables.byKey(TestTables.scanAll(dynamoDb, source));
        var actual = TestTables.byKey(TestTables.scanAll(dynamoDb, destination));
        assertThat(actual).hasSameSizeAs(expected).isEqualTo(expected);
    }

    private int segmentOf(Map<String, AttributeValue> item, int totalSegments) {
        for (int segment = 0; segment < totalSegments; segment++) {
            if (keysOfSegment(segment, totalSegments).contains(TestTables.keyString(item))) {
                return segment;
            }
        }
        throw new AssertionError("item " + TestTables.keyString(item) + " is in no segment");
    }

    private Set<String> keysOfSegment(int segment, int totalSegments) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        new SegmentScanner(dynamoDb).forEachPage(source, segment, totalSegments, 100, true, page -> items.addAll(page.items()));
        return keys(items);
    }

    private static Set<String> keys(List<Map<String, AttributeValue>> items) {
        return items.stream().map(TestTables::keyString).collect(Collectors.toSet());
    }

    /** A worker on this test's tables and queue whose ledger calls go through {@code ledgerClient}. */
    private SegmentWorker workerWithLedgerOn(DynamoDbClient ledgerClient, Clock clock, Sleeper sleeper) {
        return new SegmentWorker(dynamoDb, sqs, queueUrl, new ProgressLedger(ledgerClient, ledger.table(),
                Clock.systemUTC()), SAFETY_MARGIN, clock, new Random(5), sleeper);
    }

    /** {@code dynamoDb}, counting the ledger's checkpoint writes. */
    private static DynamoDbClient countingCheckpoints(DynamoDbClient dynamoDb, AtomicInteger checkpoints) {
        return intercepting(dynamoDb, request -> {
            if (request instanceof UpdateItemRequest update && update.updateExpression().startsWith("SET updatedAt = :now, checkpoint = :ck")) {
                checkpoints.incrementAndGet();
            }
        });
    }

    /** {@code dynamoDb}, adding the ledger's completing transactions to {@code transactions}. */
    private static DynamoDbClient recordingTransactions(DynamoDbClient dynamoDb,
                                                        List<TransactWriteItemsRequest> transactions) {
        return intercepting(dynamoDb, request -> {
            if (request instanceof TransactWriteItemsRequest transaction) {
                transactions.add(transaction);
            }
        });
    }

    /** {@code dynamoDb}, showing {@code inspector} every request first (which may throw instead). */
    private static DynamoDbClient intercepting(DynamoDbClient dynamoDb, java.util.function.Consumer<Object> inspector) {
        return (DynamoDbClient) java.lang.reflect.Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
                new Class<?>[] {DynamoDbClient.class}, (proxy, method, args) -> {
                    if (args != null && args.length == 1 && args[0] instanceof java.util.function.Consumer) {
                        // updateItem(Consumer) and the like build the request and call the proxy with it
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    if (args != null && args.length == 1) {
                        inspector.accept(args[0]);
                    }
                    try {
                        return method.invoke(dynamoDb, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static Deadline generous() {
        return Deadline.after(Duration.ofMinutes(10), Clock.systemUTC());
    }

    private static QueuedMessage queued(Message message) {
        return new QueuedMessage(message.messageId(), message.body());
    }
}
