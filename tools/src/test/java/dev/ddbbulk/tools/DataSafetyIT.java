package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.job.WriteMode;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunProgress;
import dev.ddbbulk.core.ledger.SegmentStatus;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.testing.TestProcessors;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.seeder.SegmentSeeder;
import dev.ddbbulk.tools.local.DemoData;
import dev.ddbbulk.tools.local.LocalFleet;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.ExitCodes;
import dev.ddbbulk.worker.BatchResult;
import dev.ddbbulk.worker.Budgets;
import dev.ddbbulk.worker.Deadline;
import dev.ddbbulk.worker.QueuedMessage;
import dev.ddbbulk.worker.Redelivery;
import dev.ddbbulk.worker.SegmentOutcome;
import dev.ddbbulk.worker.SegmentWorker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * Nothing is lost or clobbered: killed workers, duplicate delivery, throttling, concurrent writers, resume;
 * and the local fleet neither keeps received messages from idle workers nor leaves them invisible.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class DataSafetyIT {
    private static final int ITEM_BYTES = 150;
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

    /** A source table of {@code items} demo items, an empty destination, a ledger and a queue pair. */
    private static final class Fixture {
        final String source = environment.unique("src");
        final String destination = environment.unique("dst");
        final ProgressLedger ledger = new ProgressLedger(dynamoDb, environment.unique("ledger"), Clock.systemUTC());
        final QueuePair queues = QueuePair.create(sqs, environment.unique("q"), 3, Duration.ofSeconds(60));
        final int items;

        Fixture(int items) throws InterruptedException {
            this.items = items;
            DemoData.createTable(dynamoDb, source);
            DemoData.createTable(dynamoDb, destination);
            DemoData.fill(dynamoDb, shape(source), items, ITEM_BYTES, 2);
            ledger.createTableIfMissing();
        }

        JobConfig.Builder job(int segments) {
            return JobConfig.builder().sourceTable(source).destinationTable(destination).totalSegments(segments)
                    .parallelWorkers(3).pageSize(20);
        }

        SegmentSeeder seeder() {
            return new SegmentSeeder(new TableValidator(dynamoDb), ledger, sqs, queues.queueUrl(), new Random(1), 4,
                    Backoff.DEFAULT, Sleeper.SYSTEM, Clock.systemUTC());
        }

        SegmentWorker worker(DynamoDbClient client, Clock clock) {
            return new SegmentWorker(client, sqs, queues.queueUrl(), new ProgressLedger(dynamoDb, ledger.table(), clock),
                    Duration.ofMillis(10), clock, new Random(7), Sleeper.SYSTEM, Budgets.PER_WORKER_SHARE,
                    Redelivery.startingAt(Duration.ofSeconds(1), queues.maxReceiveCount()));
        }

        /** Runs a fleet of {@code workers} on the queue until the ledger says the run is complete. */
        void work(DynamoDbClient client, int workers, Duration budget, String runId, int total)
                throws InterruptedException {
            List<SegmentWorker> fleet = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                fleet.add(worker(client, Clock.systemUTC()));
            }
            runUntil(fleet(fleet, budget), "run " + runId + " completes",
                    () -> ledger.findRun(runId).orElseThrow().segmentsCompleted() >= total);
        }

        LocalFleet fleet(List<SegmentWorker> workers, Duration budget) {
            return new LocalFleet(sqs, queues.queueUrl(), workers, budget, Duration.ofMillis(10), Clock.systemUTC());
        }

        /** Runs {@code fleet} until {@code done}, failing the test when that takes over 90 s. */
        void runUntil(LocalFleet fleet, String what, java.util.function.BooleanSupplier done)
                throws InterruptedException {
            long giveUp = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            fleet.runUntil(() -> {
                if (System.nanoTime() > giveUp) {
                    throw new AssertionError("not within 90 s: " + what);
                }
                return done.getAsBoolean();
            }, Duration.ofMillis(100));
        }

        /**
         * A fleet of {@code workers} (5-minute budget) on run {@code runId}, seeded before it starts: ten
         * segments copied with the {@link TestProcessors.Holding} processor, which holds the first item until
         * released. The fleet receives through {@code fleetSqs}.
         */
        LocalFleet heldFleet(String runId, int workers, SqsClient fleetSqs) throws InterruptedException {
            TestProcessors.Holding.reset();
            seeder().seed(runId, job(10).parallelWorkers(workers).processor(TestProcessors.Holding.class.getName())
                    .build());
            List<SegmentWorker> fleet = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                fleet.add(worker(dynamoDb, Clock.systemUTC()));
            }
            return new LocalFleet(fleetSqs, queues.queueUrl(), fleet, Duration.ofMinutes(5), Duration.ofMillis(10),
                    Clock.systemUTC());
        }

        void assertDestinationIsCopyOfSource() throws InterruptedException {
            assertThat(DemoData.verify(dynamoDb, shape(destination), ItemAction::put, items, ITEM_BYTES, false))
                    .isNull();
        }

        void assertExactCounts(String runId, int segments) {
            RunProgress progress = ledger.progress(runId);
            assertThat(progress.segmentsCompleted()).isEqualTo(segments);
            assertThat(progress.run().completedCounts().scanned()).isEqualTo(items);
            assertThat(progress.run().completedCounts().written()).isEqualTo(items);
            assertThat(progress.counts().scanned()).isEqualTo(items);
            assertThat(progress.counts().written()).isEqualTo(items);
            assertThat(progress.failedSegments()).isEmpty();
        }
    }

    private static TableShape shape(String table) {
        return new TableValidator(dynamoDb).describe(table, "table", "--table");
    }

    private List<Message> receiveAll(String queueUrl, int expected) {
        List<Message> all = new ArrayList<>();
        long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (all.size() < expected && System.nanoTime() < giveUp) {
            all.addAll(sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .visibilityTimeout(120)).messages());
        }
        return all;
    }

    @Test
    void worker_whenKilledMidSegment_redeliveryFinishesItWithExactCounts() throws Exception {
        Fixture f = new Fixture(400);
        String runId = "killed";
        // Two BatchWriteItem calls a page; it dies on its 6th: pages 1-2 checkpointed (one checkpoint a
        // page), page 3 half written, nothing acknowledged.
        Message message = seedAndKillOnSixthWrite(f, runId, f.job(1).pageSize(50).checkpointIntervalSeconds(0).build());
        assertThat(f.ledger.findSegment(runId, 0).orElseThrow().counts().scanned()).isEqualTo(100);

        BatchResult result = redeliverAfterTheLeaseExpired(f, message);

        assertThat(result.outcomes().values()).containsExactly(SegmentOutcome.COMPLETED);
        assertThat(result.counts().scanned()).isEqualTo(300);
        f.assertExactCounts(runId, 1);
        f.assertDestinationIsCopyOfSource();
    }

    @Test
    void worker_whenKilledBeforeItsFirstCheckpoint_redeliveryRedoesTheSegmentWithExactCounts() throws Exception {
        Fixture f = new Fixture(400);
        String runId = "killed-early";
        // The default interval (10 s) has not passed when it dies on page 3: nothing saved.
        Message message = seedAndKillOnSixthWrite(f, runId, f.job(1).pageSize(50).build());
        assertThat(f.ledger.findSegment(runId, 0).orElseThrow().pages()).isZero();

        BatchResult result = redeliverAfterTheLeaseExpired(f, message);

        assertThat(result.outcomes().values()).containsExactly(SegmentOutcome.COMPLETED);
        assertThat(result.counts().scanned()).isEqualTo(400);
        f.assertExactCounts(runId, 1);
        f.assertDestinationIsCopyOfSource();
    }

    /** {@code ddb-bulk run --resume RUN_ID} on the embedded services and the fixture's ledger. */
    private static Cli runResume(Fixture f, String runId, String... options) {
        List<String> args = new ArrayList<>(List.of("run", "--resume", runId, "--ledger-table", f.ledger.table()));
        args.addAll(List.of(options));
        return Cli.run(Cli.onEmbedded(environment, args.toArray(String[]::new)));
    }

    /**
     * Seeds {@code job} (one segment) as {@code runId}, receives its message and works it with a worker that
     * dies on its 6th write call (BatchWriteItem, or PutItem in conditional mode); returns the message,
     * received and not acknowledged.
     */
    private Message seedAndKillOnSixthWrite(Fixture f, String runId, JobConfig job) throws Exception {
        f.seeder().seed(runId, job);
        Message message = receiveAll(f.queues.queueUrl(), 1).get(0);
        FaultyDynamoDb dying = new FaultyDynamoDb(dynamoDb, 1, 0, 0, 5);
        SegmentWorker doomed = f.worker(dying, Clock.systemUTC());
        assertThatThrownBy(() -> doomed.process(List.of(new QueuedMessage(message.messageId(), message.body())),
                Deadline.after(Duration.ofMinutes(1), Clock.systemUTC())))
                .isInstanceOf(FaultyDynamoDb.Killed.class);
        return message;
    }

    /**
     * SQS redelivers {@code message} after its visibility timeout, by when the dead worker's lease has expired;
     * a healthy worker takes it.
     */
    private BatchResult redeliverAfterTheLeaseExpired(Fixture f, Message message) throws Exception {
        sqs.changeMessageVisibility(b -> b.queueUrl(f.queues.queueUrl()).receiptHandle(message.receiptHandle())
                .visibilityTimeout(0));
        Message again = receiveAll(f.queues.queueUrl(), 1).get(0);
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5));
        return f.worker(dynamoDb, later).process(
                List.of(new QueuedMessage(again.messageId(), again.body())), Deadline.after(Duration.ofMinutes(1), later));
    }

    @Test
    void fleet_whenEveryMessageIsDeliveredTwice_consumesEveryDuplicateWithoutWorkAndProcessesEachItemOnce()
            throws Exception {
        Fixture f = new Fixture(600);
        String runId = "twice";
        int segments = 12;
        f.seeder().seed(runId, f.job(segments).processor(TestProcessors.Counting.class.getName()).build());
        List<Message> seeded = receiveAll(f.queues.queueUrl(), segments);
        assertThat(seeded).hasSize(segments);
        for (Message m : seeded) {
            sqs.sendMessage(b -> b.queueUrl(f.queues.queueUrl()).messageBody(m.body()));
            sqs.sendMessage(b -> b.queueUrl(f.queues.queueUrl()).messageBody(m.body()));
            sqs.deleteMessage(b -> b.queueUrl(f.queues.queueUrl()).receiptHandle(m.receiptHandle()));
        }
        TestProcessors.Counting.forget(TestProcessors.Counting.NO_SOURCE);
        List<SegmentWorker> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            workers.add(f.worker(dynamoDb, Clock.systemUTC()));
        }
        LocalFleet fleet = f.fleet(workers, Duration.ofMillis(300));

        // Not only until the run is complete: until every duplicate (and continuation) has been consumed too.
        f.runUntil(fleet, "run " + runId + " completes and its queue is empty", () ->
                f.ledger.findRun(runId).orElseThrow().segmentsCompleted() >= segments
                        && QueuePair.depth(sqs, f.queues.queueUrl()) == 0);

        assertThat(QueuePair.depth(sqs, f.queues.queueUrl())).isZero();
        assertThat(QueuePair.depth(sqs, f.queues.dlqUrl())).isZero();
        assertThat(fleet.failures()).isZero();
        assertThat(fleet.segmentsCompleted()).isEqualTo(segments);
        // Each segment had two seed messages and one more per continuation; a continuation carries its chain
        // on, so of each segment's messages exactly one was acknowledged without work.
        assertThat(fleet.outcomes(SegmentOutcome.ALREADY_DONE) + fleet.outcomes(SegmentOutcome.DUPLICATE_IN_FLIGHT))
                .isEqualTo(segments);
        // DemoData's items carry no source attribute: they are counted under NO_SOURCE.
        Map<String, Integer> timesProcessed = TestProcessors.Counting.timesProcessed(TestProcessors.Counting.NO_SOURCE);
        assertThat(timesProcessed).hasSize(600);
        assertThat(timesProcessed.values()).containsOnly(1);
        f.assertExactCounts(runId, segments);
        f.assertDestinationIsCopyOfSource();
    }

    @Test
    void fleet_whenDynamoDbThrottlesAndLeavesItemsUnprocessed_losesNothing() throws Exception {
        Fixture f = new Fixture(800);
        String runId = "throttled";
        int segments = 8;
        f.seeder().seed(runId, f.job(segments).build());
        FaultyDynamoDb faulty = new FaultyDynamoDb(dynamoDb, 42, 0.2, 0.3, 0);

        f.work(faulty, 3, Duration.ofMinutes(1), runId, segments);

        assertThat(faulty.throttled.get()).isPositive();
        assertThat(faulty.leftUnprocessed.get()).isPositive();
        f.assertExactCounts(runId, segments);
        f.assertDestinationIsCopyOfSource();
    }

    /** Deletes the items whose sort key is a multiple of three and marks the others. */
    public static final class DeleteEveryThirdProcessor implements ItemProcessor {
        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            if (Long.parseLong(item.get("sk").n()) % 3 == 0) {
                return ItemAction.delete(item);
            }
            Map<String, AttributeValue> stamped = new HashMap<>(item);
            stamped.put("migrated", AttributeValue.fromBool(true));
            return ItemAction.put(stamped);
        }
    }

    @Test
    void conditionalMode_whenUpdateItemAndDeleteItemAreThrottled_retriesThemAndEndsExact() throws Exception {
        Fixture f = new Fixture(300);
        String runId = "throttled-conditional";
        int segments = 6;
        f.seeder().seed(runId, f.job(segments).destinationTable(f.source).writeMode(WriteMode.CONDITIONAL)
                .processor(DeleteEveryThirdProcessor.class.getName()).build());
        FaultyDynamoDb faulty = FaultyDynamoDb.throttlingConditionalWrites(dynamoDb, f.source, 3);

        f.work(faulty, 3, Duration.ofMinutes(1), runId, segments);

        // In place, a put is written as an update of what the processor changed.
        assertThat(faulty.throttled("UpdateItem")).isPositive();
        assertThat(faulty.throttled("DeleteItem")).isPositive();
        // Sort keys 0..299: 100 multiples of three deleted, 200 items marked; not one refused or counted twice.
        Counts expected = new Counts(300, 200, 100, 0, 0, 0);
        assertThat(f.ledger.progress(runId).counts()).isEqualTo(expected);
        assertThat(f.ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(expected);
        assertThat(DemoData.verify(dynamoDb, shape(f.source), new DeleteEveryThirdProcessor(), f.items, ITEM_BYTES,
                true)).isNull();
    }

    @Test
    void fleet_whenLedgerCallsAreThrottled_retriesThemAndEndsExactWithoutAFailedDelivery() throws Exception {
        Fixture f = new Fixture(400);
        String runId = "throttled-ledger";
        int segments = 8;
        // A checkpoint after every page, and continuations, so that the ledger is written often.
        f.seeder().seed(runId, f.job(segments).checkpointIntervalSeconds(0).build());
        FaultyDynamoDb faultyLedger = FaultyDynamoDb.throttlingLedger(dynamoDb, f.ledger.table(), 3);
        List<SegmentWorker> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            workers.add(new SegmentWorker(dynamoDb, sqs, f.queues.queueUrl(),
                    new ProgressLedger(faultyLedger, f.ledger.table(), Clock.systemUTC()), Duration.ofMillis(10),
                    Clock.systemUTC(), new Random(i), Sleeper.SYSTEM));
        }
        LocalFleet fleet = f.fleet(workers, Duration.ofMillis(300));

        // A delivery that failed would be retried and might still end exact: stop at the first, it is the bug.
        f.runUntil(fleet, "run " + runId + " completes", () -> fleet.failures() > 0
                || f.ledger.findRun(runId).orElseThrow().segmentsCompleted() >= segments);

        assertThat(fleet.failures()).as("deliveries failed").isZero();
        for (String operation : List.of("UpdateItem", "TransactWriteItems", "Query")) {
            assertThat(faultyLedger.throttled(operation)).as(operation + " calls throttled").isPositive();
        }
        f.assertExactCounts(runId, segments);
        f.assertDestinationIsCopyOfSource();
        assertThat(QueuePair.depth(sqs, f.queues.queueUrl())).isZero();
        assertThat(QueuePair.depth(sqs, f.queues.dlqUrl())).isZero();
    }

    /** Changes two items of the page it is given, as another writer would between our scan and our write. */
    public static final class ConcurrentWriterProcessor implements ItemProcessor {
        static volatile String table;
        static volatile Map<String, AttributeValue> updatedKey;
        static volatile Map<String, AttributeValue> deletedKey;

        @Override
        public ItemAction process(Map<String, AttributeValue> item) {
            Map<String, AttributeValue> stamped = new java.util.HashMap<>(item);
            stamped.put("migrated", AttributeValue.fromBool(true));
            stamped.put("version", AttributeValue.fromN("1"));
            return ItemAction.put(stamped);
        }

        @Override
        public List<ItemAction> processPage(List<Map<String, AttributeValue>> items) {
            if (updatedKey == null) {
                updatedKey = Map.of("pk", items.get(0).get("pk"), "sk", items.get(0).get("sk"));
                deletedKey = Map.of("pk", items.get(1).get("pk"), "sk", items.get(1).get("sk"));
                dynamoDb.updateItem(b -> b.tableName(table).key(updatedKey)
                        .updateExpression("SET #v = :two, note = :n")
                        .expressionAttributeNames(Map.of("#v", "version"))
                        .expressionAttributeValues(Map.of(":two", AttributeValue.fromN("2"),
                                ":n", AttributeValue.fromS("changed by someone else"))));
                dynamoDb.deleteItem(b -> b.tableName(table).key(deletedKey));
            }
            return ItemProcessor.super.processPage(items);
        }
    }

    @Test
    void conditionalMode_whenAnotherWriterUpdatesAndDeletesDuringTheRun_keepsBothChangesAndCountsThem()
            throws Exception {
        Fixture f = new Fixture(100);
        String runId = "concurrent";
        ConcurrentWriterProcessor.table = f.source;
        ConcurrentWriterProcessor.updatedKey = null;
        f.seeder().seed(runId, f.job(1).destinationTable(f.source).pageSize(100)
                .processor(ConcurrentWriterProcessor.class.getName()).writeMode(WriteMode.CONDITIONAL)
                .versionAttribute("version").build());

        f.work(dynamoDb, 1, Duration.ofMinutes(1), runId, 1);

        Map<String, AttributeValue> updated = dynamoDb.getItem(b -> b.tableName(f.source)
                .key(ConcurrentWriterProcessor.updatedKey).consistentRead(true)).item();
        assertThat(updated.get("note").s()).isEqualTo("changed by someone else");
        assertThat(updated).doesNotContainKey("migrated");
        assertThat(dynamoDb.getItem(b -> b.tableName(f.source).key(ConcurrentWriterProcessor.deletedKey)
                .consistentRead(true)).hasItem()).isFalse();
        RunProgress progress = f.ledger.progress(runId);
        assertThat(progress.counts().conditionalFailures()).isEqualTo(2);
        assertThat(progress.counts().alreadyApplied()).isZero();
        assertThat(progress.counts().written()).isEqualTo(98);
        assertThat(progress.counts().scanned()).isEqualTo(100);
        assertThat(dynamoDb.scan(b -> b.tableName(f.source).filterExpression("migrated = :t")
                .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true)))).count()).isEqualTo(98);
    }

    @Test
    void conditionalMode_whenKilledMidPage_redeliveryCountsWhatTheDeadWorkerWroteAsAlreadyApplied() throws Exception {
        Fixture f = new Fixture(400);
        String runId = "killed-conditional";
        // One PutItem an item: it dies on its 6th, five items of the first page written and nothing saved.
        Message message = seedAndKillOnSixthWrite(f, runId,
                f.job(1).pageSize(50).writeMode(WriteMode.CONDITIONAL).build());
        assertThat(f.ledger.findSegment(runId, 0).orElseThrow().pages()).isZero();

        BatchResult result = redeliverAfterTheLeaseExpired(f, message);

        assertThat(result.outcomes().values()).containsExactly(SegmentOutcome.COMPLETED);
        Counts expected = new Counts(400, 395, 0, 0, 0, 5);
        assertThat(f.ledger.progress(runId).counts()).isEqualTo(expected);
        assertThat(f.ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(expected);
        f.assertDestinationIsCopyOfSource();
    }

    @Test
    void conditionalMode_whenTheDestinationHoldsSomeItems_countsIdenticalOnesAsAlreadyAppliedAndKeepsDifferentOnes()
            throws Exception {
        Fixture f = new Fixture(100);
        String runId = "partly-copied";
        List<Map<String, AttributeValue>> source = dynamoDb.scan(b -> b.tableName(f.source).consistentRead(true))
                .items();
        for (Map<String, AttributeValue> item : source.subList(0, 10)) {
            dynamoDb.putItem(b -> b.tableName(f.destination).item(item));
        }
        Map<String, AttributeValue> theirs = new HashMap<>(source.get(10));
        theirs.put("name", AttributeValue.fromS("written by someone else"));
        dynamoDb.putItem(b -> b.tableName(f.destination).item(theirs));
        f.seeder().seed(runId, f.job(2).writeMode(WriteMode.CONDITIONAL).build());

        f.work(dynamoDb, 2, Duration.ofMinutes(1), runId, 2);

        assertThat(f.ledger.progress(runId).counts()).isEqualTo(new Counts(100, 89, 0, 0, 1, 10));
        TableShape destination = shape(f.destination);
        assertThat(dynamoDb.getItem(b -> b.tableName(f.destination).key(destination.keyOf(theirs))
                .consistentRead(true)).item()).isEqualTo(theirs);
        assertThat(dynamoDb.scan(b -> b.tableName(f.destination).select("COUNT")).count()).isEqualTo(100);
    }

    @Test
    void seeder_whenRetriedAfterCrashingMidwayForTheSameRun_createsNoDuplicateWork() throws Exception {
        Fixture f = new Fixture(500);
        String runId = "retried-seed";
        int segments = 10;
        JobConfig job = f.job(segments).processor(TestProcessors.Counting.class.getName()).build();
        // The first attempt recorded the run and sent half the segments, then died before marking it seeded.
        f.ledger.startRun(runId, job);
        for (int segment = 0; segment < segments / 2; segment++) {
            String body = dev.ddbbulk.core.message.SegmentMessageCodec.toJson(
                    dev.ddbbulk.core.message.SegmentMessage.seed(runId, segment, segments));
            sqs.sendMessage(b -> b.queueUrl(f.queues.queueUrl()).messageBody(body));
        }
        var retry = f.seeder().seed(runId, job);
        var again = f.seeder().seed(runId, job);
        TestProcessors.Counting.forget(TestProcessors.Counting.NO_SOURCE);

        f.work(dynamoDb, 3, Duration.ofMinutes(1), runId, segments);

        assertThat(retry.messagesSent()).isEqualTo(segments);
        assertThat(again.alreadySeeded()).isTrue();
        assertThat(again.messagesSent()).isZero();
        // DemoData's items carry no source attribute: they are counted under NO_SOURCE.
        Map<String, Integer> timesProcessed = TestProcessors.Counting.timesProcessed(TestProcessors.Counting.NO_SOURCE);
        assertThat(timesProcessed).hasSize(500);
        assertThat(timesProcessed.values()).containsOnly(1);
        f.assertExactCounts(runId, segments);
    }

    @Test
    void seeder_whenSameRunIdComesWithAnotherJob_refusesIt() throws Exception {
        Fixture f = new Fixture(10);
        f.seeder().seed("same-id", f.job(2).build());

        assertThatThrownBy(() -> f.seeder().seed("same-id", f.job(3).build()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("Run 'same-id' already exists");
    }

    @Test
    void runResume_whenTheWholeFleetStoppedAndItsQueueIsGone_finishesTheOpenSegments() throws Exception {
        Fixture f = new Fixture(300);
        String runId = "resumed";
        int segments = 6;
        f.seeder().seed(runId, f.job(segments).build());
        List<Message> seeded = receiveAll(f.queues.queueUrl(), segments);
        f.worker(dynamoDb, Clock.systemUTC()).process(List.of(
                new QueuedMessage(seeded.get(0).messageId(), seeded.get(0).body()),
                new QueuedMessage(seeded.get(1).messageId(), seeded.get(1).body())),
                Deadline.after(Duration.ofMinutes(1), Clock.systemUTC()));
        f.queues.delete(sqs);
        assertThat(f.ledger.findRun(runId).orElseThrow().segmentsCompleted()).isEqualTo(2);

        Cli result = runResume(f, runId, "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("runId").asText()).isEqualTo(runId);
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(segments);
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(300);
        assertThat(result.err()).contains("Resumed run " + runId + ": 4 segment messages");
        f.assertExactCounts(runId, segments);
        f.assertDestinationIsCopyOfSource();
    }

    @Test
    void runResume_whenAKilledWorkerStillHoldsALease_takesItOverAtOnceAndFinishesWithExactCounts() throws Exception {
        Fixture f = new Fixture(400);
        String runId = "resumed-after-kill";
        // Its lease runs a minute and 10 s more; the resume must not wait for that.
        seedAndKillOnSixthWrite(f, runId, f.job(1).pageSize(50).checkpointIntervalSeconds(0).build());
        f.queues.delete(sqs);
        assertThat(f.ledger.findSegment(runId, 0).orElseThrow().status()).isEqualTo(SegmentStatus.IN_PROGRESS);

        Cli result = runResume(f, runId, "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("segmentsCompleted").asInt()).isEqualTo(1);
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(400);
        assertThat(f.ledger.findSegment(runId, 0).orElseThrow().attempts()).isEqualTo(2);
        f.assertExactCounts(runId, 1);
        f.assertDestinationIsCopyOfSource();
    }

    @Test
    void runResume_whenRunIsUnknown_exits2() throws Exception {
        Fixture f = new Fixture(0);

        Cli result = runResume(f, "nope");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).contains("Run 'nope' is not in ledger " + f.ledger.table());
    }

    @Test
    void localFleet_whenOneWorkerIsHeldOnItsFirstSegment_theOtherWorksTheMessagesReceivedWithIt() throws Exception {
        Fixture f = new Fixture(100);
        // All ten messages are in the queue before the fleet starts, and its first receive takes them all.
        FirstReceiveTakesAll fleetSqs = new FirstReceiveTakesAll(sqs, 10);
        LocalFleet fleet = f.heldFleet("held", 2, fleetSqs);
        long[] completedWhileHeld = {-1};
        long giveUp = System.nanoTime() + Duration.ofSeconds(90).toNanos();

        fleet.runUntil(() -> {
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("the run did not complete in 90 s");
            }
            long completed = f.ledger.findRun("held").orElseThrow().segmentsCompleted();
            if (completed >= 9 && completedWhileHeld[0] < 0) {
                completedWhileHeld[0] = completed;
                TestProcessors.Holding.release();
            }
            return completed >= 10;
        }, Duration.ofMillis(50));

        assertThat(fleetSqs.firstReceive()).hasSize(10);
        assertThat(completedWhileHeld[0]).isEqualTo(9);
        assertThat(f.ledger.findRun("held").orElseThrow().completedCounts()).isEqualTo(new Counts(100, 100, 0, 0, 0));
        assertThat(fleet.failures()).isZero();
        assertThat(fleet.segmentsCompleted()).isEqualTo(10);
    }

    @Test
    void localFleet_whenStoppedWithMessagesReceivedButNotStarted_makesThemVisibleAgain() throws Exception {
        Fixture f = new Fixture(50);
        FirstReceiveTakesAll fleetSqs = new FirstReceiveTakesAll(sqs, 10);
        LocalFleet fleet = f.heldFleet("stopped", 1, fleetSqs);
        long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();

        // The one worker holds its first message while the other nine wait in the buffer; then the fleet stops.
        fleet.runUntil(() -> {
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("the worker did not start in 60 s");
            }
            if (!fleet.busy()) {
                return false;
            }
            TestProcessors.Holding.release();
            return true;
        }, Duration.ofMillis(50));

        var attributes = sqs.getQueueAttributes(b -> b.queueUrl(f.queues.queueUrl()).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        long visible = Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
        assertThat(fleetSqs.firstReceive()).hasSize(10);
        assertThat(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).isEqualTo("0");
        assertThat(fleet.segmentsCompleted()).isPositive();
        // All ten were received at once: every one the worker did not complete waited in the buffer.
        assertThat(visible).isPositive();
        assertThat(visible + fleet.segmentsCompleted()).isEqualTo(10);
        assertThat(visible + f.ledger.findRun("stopped").orElseThrow().segmentsCompleted()).isEqualTo(10);
    }

    /**
     * The fleet's SQS client: its first receive returns {@code expected} messages, receiving until that many
     * have come or 20 s have passed (SQS may return fewer than are there); later receives pass through. So a
     * test of the fleet's buffer knows what the buffer held.
     */
    private static final class FirstReceiveTakesAll implements SqsClient {
        private final SqsClient sqs;
        private final int expected;
        private final Object firstLock = new Object();
        private volatile List<Message> first;

        FirstReceiveTakesAll(SqsClient sqs, int expected) {
            this.sqs = sqs;
            this.expected = expected;
        }

        /** What the first receive returned (empty before it). */
        List<Message> firstReceive() {
            return first == null ? List.of() : first;
        }

        @Override
        public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request) {
            if (first == null) {
                synchronized (firstLock) {
                    if (first == null) {
                        List<Message> received = new ArrayList<>();
                        long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                        while (received.size() < expected && System.nanoTime() < giveUp) {
                            int missing = Math.min(10, expected - received.size());
                            received.addAll(sqs.receiveMessage(request.toBuilder().maxNumberOfMessages(missing)
                                    .waitTimeSeconds(1).build()).messages());
                        }
                        first = List.copyOf(received);
                        return ReceiveMessageResponse.builder().messages(first).build();
                    }
                }
            }
            return sqs.receiveMessage(request);
        }

        @Override
        public DeleteMessageBatchResponse deleteMessageBatch(DeleteMessageBatchRequest request) {
            return sqs.deleteMessageBatch(request);
        }

        @Override
        public ChangeMessageVisibilityBatchResponse changeMessageVisibilityBatch(
                ChangeMessageVisibilityBatchRequest request) {
            return sqs.changeMessageVisibilityBatch(request);
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
            // the fixture's client
        }
    }
}
