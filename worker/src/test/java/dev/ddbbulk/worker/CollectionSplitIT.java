package dev.ddbbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.ledger.SegmentStatus;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.message.SortKeyRange;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;

/** A segment whose scan keeps reading one partition key splits that item collection into ranges. */
@ExtendWith(EmbeddedServicesExtension.class)
class CollectionSplitIT {
    private static final Duration SAFETY_MARGIN = Duration.ofSeconds(60);
    private static final Duration TEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int HOT_ITEMS = 600;
    private static final int OTHER_ITEMS = 200;

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

    /** 600 items under one key, 200 over 40 others: with pages of 20, the hot key holds a scan for 30 pages. */
    @BeforeEach
    void skewedTable() {
        source = environment.unique("split-src");
        destination = environment.unique("split-dst");
        TestTables.createCompositeTable(dynamoDb, source);
        TestTables.createCompositeTable(dynamoDb, destination);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int i = 0; i < HOT_ITEMS; i++) {
            items.add(item("hot", i));
        }
        for (int i = 0; i < OTHER_ITEMS; i++) {
            items.add(item("p" + (i % 40), i));
        }
        TestTables.putAll(dynamoDb, source, items);
        queueUrl = TestTables.createQueue(sqs, environment.unique("split-q"));
        ledger = new ProgressLedger(dynamoDb, environment.unique("split-ledger"), Clock.systemUTC());
        ledger.createTableIfMissing();
    }

    private Map<String, AttributeValue> item(String partition, int sort) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(TestTables.PK, AttributeValue.fromS(partition));
        item.put(TestTables.SK, AttributeValue.fromN(Integer.toString(sort)));
        item.put("payload", AttributeValue.fromS("value-" + sort));
        item.put(TestTables.SOURCE_ATTRIBUTE, AttributeValue.fromS(source));
        return item;
    }

    @Test
    void process_whenOneKeyHoldsTheScanForManyPages_splitsItsCollectionAndProcessesEachItemOnce() {
        String runId = seed(job(3).build());

        Outcomes outcomes = drain(worker(sqs), runId, generous());

        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.complete()).isTrue();
        assertThat(run.rangesCreated()).isEqualTo(4).isEqualTo(run.rangesCompleted());
        assertThat(run.completedCounts()).isEqualTo(new Counts(HOT_ITEMS + OTHER_ITEMS, HOT_ITEMS + OTHER_ITEMS, 0, 0, 0));
        assertThat(ledger.progress(runId).segmentsCompleted()).isEqualTo(2);
        List<SegmentRecord> ranges = ranges(runId);
        assertThat(ranges).hasSize(4).allSatisfy(range -> {
            assertThat(range.status()).isEqualTo(SegmentStatus.DONE);
            assertThat(range.startedAt()).isNotNull();
            assertThat(range.endedAt()).isAfterOrEqualTo(range.startedAt());
        });
        // The split comes after the third page of the key: what its ranges read is what was left of it.
        assertThat(ranges.stream().mapToLong(r -> r.counts().scanned()).sum()).isBetween(HOT_ITEMS - 3 * 20L,
                (long) HOT_ITEMS);
        assertThat(outcomes.failed).isZero();
        assertEachItemProcessedOnceAndCopied();
    }

    @Test
    void process_whenSplittingIsOff_oneSegmentReadsTheWholeCollection() {
        String runId = seed(job(0).build());

        drain(worker(sqs), runId, generous());

        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.complete()).isTrue();
        assertThat(run.rangesCreated()).isZero();
        assertThat(ranges(runId)).isEmpty();
        assertEachItemProcessedOnceAndCopied();
    }

    @Test
    void process_whenTheRangesMessagesCannotBeSent_theSegmentsNextDeliverySendsThem() {
        String runId = seed(job(3).build());
        AtomicInteger refused = new AtomicInteger();
        SqsClient failingOnce = refusingFirstRangeBatch(refused);

        Outcomes outcomes = drain(worker(failingOnce), runId, generous());

        assertThat(refused).hasValue(1);
        assertThat(outcomes.failed).as("the delivery that could not send its ranges").isEqualTo(1);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.complete()).isTrue();
        assertThat(run.rangesCreated()).isEqualTo(4).isEqualTo(run.rangesCompleted());
        assertThat(run.completedCounts().scanned()).isEqualTo(HOT_ITEMS + OTHER_ITEMS);
        assertEachItemProcessedOnceAndCopied();
    }

    @Test
    void process_whenEveryInvocationHasTimeForFivePages_rangesContinueLikeSegmentsAndCountEachItemOnce() {
        // Each page moves the worker's clock on by 4 s: margin + 17 s leave time for five pages, then a hand-on.
        String runId = seed(job(3).processor(TestProcessors.Ticking.class.getName()).build());
        SegmentWorker worker = new SegmentWorker(dynamoDb, sqs, queueUrl, ledger, SAFETY_MARGIN,
                TestProcessors.Ticking.CLOCK, new Random(7), Sleeper.SYSTEM);

        Outcomes outcomes = drain(worker, runId,
                () -> Deadline.after(SAFETY_MARGIN.plusSeconds(17), TestProcessors.Ticking.CLOCK));

        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.complete()).isTrue();
        assertThat(run.rangesCreated()).isEqualTo(4).isEqualTo(run.rangesCompleted());
        assertThat(ranges(runId)).anySatisfy(range -> assertThat(range.continuations()).isPositive());
        assertThat(run.completedCounts()).isEqualTo(new Counts(HOT_ITEMS + OTHER_ITEMS, HOT_ITEMS + OTHER_ITEMS, 0, 0, 0));
        assertThat(outcomes.continued).isPositive();
        assertThat(TestTables.byKey(TestTables.scanAll(dynamoDb, destination)))
                .isEqualTo(TestTables.byKey(TestTables.scanAll(dynamoDb, source)));
    }

    @Test
    void process_whenARangesSortKeysBunchUp_splitsThatRangeAgainAndProcessesEachItemOnce() {
        // A hundred keys spread far apart, then five hundred in a bunch at the end: the split's last range holds most.
        TestProcessors.Counting.forget(source);
        dynamoDb.deleteTable(b -> b.tableName(source));
        dynamoDb.waiter().waitUntilTableNotExists(b -> b.tableName(source));
        TestTables.createCompositeTable(dynamoDb, source);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int i = 0; i < HOT_ITEMS; i++) {
            items.add(item("hot", i < 100 ? i * 10_000 : 1_000_000 + i));
        }
        for (int i = 0; i < OTHER_ITEMS; i++) {
            items.add(item("p" + (i % 40), i));
        }
        TestTables.putAll(dynamoDb, source, items);
        String runId = seed(job(3).build());

        drain(worker(sqs), runId, generous());

        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.complete()).isTrue();
        assertThat(run.rangesCreated()).as("the segment's four and those split off its bunched range")
                .isGreaterThan(4).isEqualTo(run.rangesCompleted());
        List<SegmentRecord> ranges = ranges(runId);
        assertThat(ranges).anySatisfy(range -> assertThat(range.ranges()).isPositive());
        assertThat(ranges).extracting(SegmentRecord::range).doesNotHaveDuplicates();
        assertThat(run.completedCounts().scanned()).isEqualTo(HOT_ITEMS + OTHER_ITEMS);
        assertEachItemProcessedOnceAndCopied();
    }

    @Test
    void process_whenARangesMessageWasSentBeforeTheRangeShrank_readsOnlyWhatTheLedgerNowGivesIt() {
        String runId = environment.unique("run");
        ledger.startRun(runId, job(3).totalSegments(1).build());
        java.time.Instant until = Instant.now().plus(Duration.ofMinutes(5));
        var segment = (ProgressLedger.Claim.Granted) ledger.claim(runId, 0, 0, "seed", "owner-0", until, null);
        int first = ledger.allocateRanges(runId, 0, 2);
        SortKeyRange lower = new SortKeyRange(first, TestTables.PK, hot(-1), hot(299));
        ledger.split(segment.lease(), ProgressLedger.Pages.NONE, hot(HOT_ITEMS - 1),
                List.of(lower, new SortKeyRange(first + 1, TestTables.PK, hot(299), hot(HOT_ITEMS - 1))));
        // Range 1 splits again at its start: it keeps (-1, 149], and (149, 299] becomes a range of its own.
        var range = (ProgressLedger.Claim.Granted) ledger.claim(runId, 0, first, "range", "owner-1", until, null);
        int third = ledger.allocateRanges(runId, 0, 1);
        ledger.splitRange(range.lease(), ProgressLedger.Pages.NONE, hot(-1),
                new SortKeyRange(first, TestTables.PK, hot(-1), hot(149)),
                List.of(new SortKeyRange(third, TestTables.PK, hot(149), hot(299))));
        ledger.recordFailure(range.lease(), "the delivery that split it stopped", ProgressLedger.Pages.NONE);
        String stale = SegmentMessageCodec.toJson(SegmentMessage.range(runId, 0, 1, lower));

        BatchResult result = worker(sqs).process(List.of(new QueuedMessage("stale-range", stale)), generous());

        assertThat(result.outcomes()).containsValue(SegmentOutcome.COMPLETED);
        SegmentRecord row = ledger.findSegment(runId, 0, first).orElseThrow();
        assertThat(row.status()).isEqualTo(SegmentStatus.DONE);
        assertThat(row.counts().scanned()).as("sort keys 0..149 only").isEqualTo(150);
    }

    private static Map<String, AttributeValue> hot(int sort) {
        return Map.of(TestTables.PK, AttributeValue.fromS("hot"), TestTables.SK, AttributeValue.fromN(Integer.toString(sort)));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"S", "B"})
    void process_whenTheSortKeyIsAStringOrBinary_cutsItsRangesBetweenKeysAndProcessesEachItemOnce(String type) {
        source = environment.unique("split-" + type.toLowerCase() + "-src");
        destination = environment.unique("split-" + type.toLowerCase() + "-dst");
        ScalarAttributeType sortType = ScalarAttributeType.fromValue(type);
        TestTables.createTable(dynamoDb, source, TestTables.PK, ScalarAttributeType.S, TestTables.SK, sortType);
        TestTables.createTable(dynamoDb, destination, TestTables.PK, ScalarAttributeType.S, TestTables.SK, sortType);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int i = 0; i < HOT_ITEMS + OTHER_ITEMS; i++) {
            String sort = String.format("ORDER#%06d", i * 37);
            Map<String, AttributeValue> item = new LinkedHashMap<>();
            item.put(TestTables.PK, AttributeValue.fromS(i < HOT_ITEMS ? "hot" : "p" + (i % 40)));
            item.put(TestTables.SK, type.equals("S") ? AttributeValue.fromS(sort)
                    : AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromUtf8String(sort)));
            item.put(TestTables.SOURCE_ATTRIBUTE, AttributeValue.fromS(source));
            items.add(item);
        }
        TestTables.putAll(dynamoDb, source, items);
        String runId = seed(job(3).build());

        drain(worker(sqs), runId, generous());

        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.complete()).isTrue();
        assertThat(run.rangesCreated()).isEqualTo(4).isEqualTo(run.rangesCompleted());
        assertThat(ranges(runId)).allSatisfy(range -> assertThat(range.counts().scanned()).isPositive());
        assertThat(run.completedCounts().scanned()).isEqualTo(HOT_ITEMS + OTHER_ITEMS);
        assertEachItemProcessedOnceAndCopied();
    }

    private JobConfig.Builder job(int splitAfterPages) {
        return JobConfig.builder().sourceTable(source).destinationTable(destination)
                .processor(TestProcessors.Counting.class.getName()).totalSegments(2).parallelWorkers(2).pageSize(20)
                .splitAfterPages(splitAfterPages);
    }

    private String seed(JobConfig job) {
        TestProcessors.Counting.forget(source);
        return TestRuns.seed(ledger, sqs, queueUrl, environment.unique("run"), job);
    }

    private SegmentWorker worker(SqsClient workerSqs) {
        return new SegmentWorker(dynamoDb, workerSqs, queueUrl, ledger, SAFETY_MARGIN, Clock.systemUTC(),
                new Random(7), Sleeper.SYSTEM);
    }

    private List<SegmentRecord> ranges(String runId) {
        List<SegmentRecord> ranges = new ArrayList<>();
        ledger.forEachSegment(runId, row -> {
            if (row.isRange()) {
                ranges.add(row);
            }
        });
        return ranges;
    }

    private void assertEachItemProcessedOnceAndCopied() {
        assertThat(TestProcessors.Counting.timesProcessed(source)).hasSize(HOT_ITEMS + OTHER_ITEMS)
                .allSatisfy((key, times) -> assertThat(times).as(key).isEqualTo(1));
        assertThat(TestTables.byKey(TestTables.scanAll(dynamoDb, destination)))
                .isEqualTo(TestTables.byKey(TestTables.scanAll(dynamoDb, source)));
    }

    private static final class Outcomes {
        int failed;
        int continued;
    }

    /**
     * Works the queue as the Lambda event source mapping would, one message at a time so that a split's ranges
     * wait in the queue behind the rest: deleting what the worker did not report as failed and making a failed
     * message visible again at once, until the run is complete or the test's time is up.
     */
    private Outcomes drain(SegmentWorker worker, String runId, Deadline deadline) {
        return drain(worker, runId, () -> deadline);
    }

    private Outcomes drain(SegmentWorker worker, String runId, java.util.function.Supplier<Deadline> deadline) {
        Outcomes outcomes = new Outcomes();
        Instant timeout = Instant.now().plus(TEST_TIMEOUT);
        while (!ledger.findRun(runId).orElseThrow().complete() && Instant.now().isBefore(timeout)) {
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1)
                    .waitTimeSeconds(1)).messages();
            for (Message message : messages) {
                BatchResult result = worker.process(List.of(new QueuedMessage(message.messageId(), message.body())),
                        deadline.get());
                outcomes.continued += (int) result.outcomes().values().stream()
                        .filter(SegmentOutcome.CONTINUED::equals).count();
                if (result.failedMessageIds().contains(message.messageId())) {
                    outcomes.failed++;
                    sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
                            .visibilityTimeout(0));
                } else {
                    sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(DeleteMessageBatchRequestEntry.builder()
                            .id("0").receiptHandle(message.receiptHandle()).build()));
                }
            }
        }
        return outcomes;
    }

    /** {@code sqs}, refusing the first SendMessageBatch of range messages as an outage would. */
    private static SqsClient refusingFirstRangeBatch(AtomicInteger refused) {
        return (SqsClient) java.lang.reflect.Proxy.newProxyInstance(SqsClient.class.getClassLoader(),
                new Class<?>[] {SqsClient.class}, (proxy, method, args) -> {
                    if (args != null && args.length == 1 && args[0] instanceof java.util.function.Consumer) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    if (args != null && args.length == 1 && args[0] instanceof SendMessageBatchRequest send
                            && SegmentMessageCodec.fromJson(send.entries().get(0).messageBody()).range() != null
                            && refused.compareAndSet(0, 1)) {
                        throw software.amazon.awssdk.services.sqs.model.SqsException.builder()
                                .message("Service unavailable").statusCode(503).build();
                    }
                    try {
                        return method.invoke(sqs, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static Deadline generous() {
        return Deadline.after(Duration.ofMinutes(10), Clock.systemUTC());
    }
}
