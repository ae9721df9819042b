package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.job.WriteMode;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.tools.local.DemoData;
import dev.ddbbulk.tools.local.LocalRun;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.RunSummary;
import dev.ddbbulk.worker.write.ItemWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A write budget is a promise to the table's other users, so it is tested on real writes: a writer's 20 s
 * of them, whose rate must stay within 10% of the budget, and a local run's, in every window of its copy.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class CapacityBudgetIT {
    private static final int BUDGET = 100;

    @Test
    void itemWriter_whenWorkersShareAWriteBudget_holdItWithinTenPercentOverTwentySeconds(
            DynamoDbClient dynamoDb, EmbeddedEnvironment environment) throws Exception {
        String table = environment.unique("budget");
        DemoData.createTable(dynamoDb, table);
        TableShape shape = new TableValidator(dynamoDb).describe(table, "table", "--table");
        CapacityBudget budget = CapacityBudget.of(BUDGET, Clock.systemUTC(), Sleeper.SYSTEM);
        // Items of ~500 bytes cost one write unit each: 2,200 of them at 100 units/s is 22 s of writing.
        int threads = 2;
        int pagesPerThread = 44;
        int pageSize = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    ItemWriter writer = new ItemWriter(dynamoDb, shape, WriteMode.BATCH, null, false, budget, 1,
                            Backoff.DEFAULT, new Random(thread), Sleeper.SYSTEM);
                    for (int page = 0; page < pagesPerThread; page++) {
                        List<ItemAction> puts = new ArrayList<>();
                        for (int i = 0; i < pageSize; i++) {
                            puts.add(ItemAction.put(DemoData.item((thread * pagesPerThread + page) * pageSize + i, 500)));
                        }
                        writer.write(puts);
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double units = threads * pagesPerThread * pageSize;

        long stored = dynamoDb.scanPaginator(b -> b.tableName(table).select("COUNT")).stream()
                .mapToLong(page -> page.count()).sum();
        assertThat(stored).isEqualTo((long) units);
        assertThat(seconds).isGreaterThanOrEqualTo(20);
        assertThat(units / seconds).isBetween(BUDGET * 0.9, BUDGET * 1.1);
    }

    /**
     * A local run's fleet shares one write budget. What it promises, and so what is checked over every window
     * of the copy's own writes (from the first on: seeding, filling and the ledger are not in it): in any
     * {@code T} seconds at most {@code BUDGET * T} units, plus the burst the budget allows by design, which
     * is the one second of units it banks while idle and one page of writes per worker (each charged only
     * when its call returns, so the workers may start one each while the balance is not yet negative).
     */
    @Test
    void localRun_whenWriteBudgetIsSet_neverWritesFasterThanTheBudgetInAnyWindow(
            DynamoDbClient dynamoDb, SqsClient sqs, EmbeddedEnvironment environment) throws Exception {
        String source = environment.unique("budget-src");
        String destination = environment.unique("budget-dst");
        DemoData.createTable(dynamoDb, source);
        DemoData.createTable(dynamoDb, destination);
        // Items of ~500 bytes cost one write unit each: 1,200 of them at 100 units/s is 12 s of writing.
        int items = 1_200;
        DemoData.fill(dynamoDb, new TableValidator(dynamoDb).describe(source, "table", "--table"), items, 500, 2);
        int workers = 3;
        int pageSize = 10;
        double burst = BUDGET + workers * pageSize;
        ProgressLedger ledger = new ProgressLedger(dynamoDb, environment.unique("budget-ledger"), Clock.systemUTC());
        ledger.createTableIfMissing();
        QueuePair queues = QueuePair.create(sqs, environment.unique("budget-q"), 3, Duration.ofMinutes(2));
        JobConfig job = JobConfig.builder().sourceTable(source).destinationTable(destination).totalSegments(16)
                .parallelWorkers(workers).pageSize(pageSize).maxWriteUnits(BUDGET).build();
        WriteRecorder recorder = new WriteRecorder(dynamoDb, destination);

        RunSummary summary = new LocalRun(recorder, sqs, ledger, queues, Clock.systemUTC(), new Random(1)).execute(
                environment.unique("budget-run"), job, new LocalRun.FleetOptions(workers, Duration.ofMinutes(1),
                        Duration.ofSeconds(15), Duration.ofSeconds(1), false, false), false,
                new PrintWriter(Writer.nullWriter()));

        assertThat(summary.counts().written()).isEqualTo(items);
        List<WriteRecorder.Write> writes = recorder.writes();
        assertThat(writes.stream().mapToDouble(WriteRecorder.Write::units).sum()).isEqualTo(items);
        for (int seconds : new int[] {1, 5}) {
            double limit = BUDGET * seconds + burst;
            assertThat(maxUnitsInAnyWindow(writes, Duration.ofSeconds(seconds)))
                    .as("units written in any %d s window (limit %.0f)", seconds, limit)
                    .isLessThanOrEqualTo(limit);
        }
        // The same promise over the whole copy: all but the last page's units took their time at the budget.
        double copySeconds = (writes.get(writes.size() - 1).startNanos() - writes.get(0).startNanos()) / 1e9;
        assertThat(copySeconds).isGreaterThanOrEqualTo((items - pageSize - burst) / BUDGET);
    }

    /** The most units whose calls started within {@code window} of one another, the window opening at a call. */
    private static double maxUnitsInAnyWindow(List<WriteRecorder.Write> writes, Duration window) {
        double max = 0;
        for (int from = 0; from < writes.size(); from++) {
            double units = 0;
            long end = writes.get(from).startNanos() + window.toNanos();
            for (int i = from; i < writes.size() && writes.get(i).startNanos() < end; i++) {
                units += writes.get(i).units();
            }
            max = Math.max(max, units);
        }
        return max;
    }

    /**
     * The embedded DynamoDB, recording when each BatchWriteItem to one table started and the units it
     * consumed, as DynamoDB reports them (the budget asks for them); the calls a local run's seeder and
     * workers make pass through.
     */
    private static final class WriteRecorder implements DynamoDbClient {
        record Write(long startNanos, double units) {
        }

        private final DynamoDbClient dynamoDb;
        private final String table;
        private final List<Write> writes = new ArrayList<>();

        WriteRecorder(DynamoDbClient dynamoDb, String table) {
            this.dynamoDb = dynamoDb;
            this.table = table;
        }

        /** The writes in the order they started. */
        synchronized List<Write> writes() {
            List<Write> sorted = new ArrayList<>(writes);
            sorted.sort(Comparator.comparingLong(Write::startNanos));
            return sorted;
        }

        @Override
        public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
            long start = System.nanoTime();
            BatchWriteItemResponse response = dynamoDb.batchWriteItem(request);
            if (request.requestItems().containsKey(table)) {
                double units = response.consumedCapacity().stream()
                        .mapToDouble(c -> c.capacityUnits() == null ? 0 : c.capacityUnits()).sum();
                synchronized (this) {
                    writes.add(new Write(start, units));
                }
            }
            return response;
        }

        @Override
        public ScanResponse scan(ScanRequest request) {
            return dynamoDb.scan(request);
        }

        @Override
        public DescribeTableResponse describeTable(DescribeTableRequest request) {
            return dynamoDb.describeTable(request);
        }

        @Override
        public String serviceName() {
            return dynamoDb.serviceName();
        }

        @Override
        public void close() {
            // the fixture's client
        }
    }
}
