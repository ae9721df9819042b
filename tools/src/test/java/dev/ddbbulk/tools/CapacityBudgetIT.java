package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.job.WriteMode;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.tools.local.DemoData;
import dev.ddbbulk.worker.write.ItemWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A write budget is a promise to the table's other users, so it is tested on real writes: at least 20 s
 * of them, whose rate must stay within 10% of the budget.
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

    @Test
    void demo_whenWriteBudgetIsSet_neverWritesFasterThanTheBudget() {
        Cli result = Cli.run("demo", "--items", "1200", "--item-bytes", "500", "--segments", "16", "--workers", "3",
                "--max-write-units", Integer.toString(BUDGET), "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = result.json();
        assertThat(summary.get("itemsWritten").asLong()).isEqualTo(1200);
        double seconds = summary.get("elapsedMs").asLong() / 1000.0;
        assertThat(1200 / seconds).isLessThanOrEqualTo(BUDGET * 1.1);
    }
}
