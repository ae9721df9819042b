package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.Backoff;
import dev.ddbbulk.core.Counts;
import dev.ddbbulk.core.JobConfig;
import dev.ddbbulk.core.ProgressLedger;
import dev.ddbbulk.core.RunRecord;
import dev.ddbbulk.core.SegmentSeeder;
import dev.ddbbulk.core.SegmentWorker;
import dev.ddbbulk.core.Sleeper;
import dev.ddbbulk.core.TableValidator;
import dev.ddbbulk.embedded.EmbeddedServices;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class LocalFleetIT {
    private static EmbeddedServices services;
    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;

    @BeforeAll
    static void start() {
        services = EmbeddedServices.start();
        dynamoDb = services.dynamoDbClient(8);
        sqs = services.sqsClient(8);
    }

    @AfterAll
    static void stop() {
        dynamoDb.close();
        sqs.close();
        services.close();
    }

    @Test
    void runUntil_whenOneWorkerIsHeldOnItsFirstSegment_theOtherWorksTheMessagesReceivedWithIt() throws Exception {
        // All ten messages are in the queue before the fleet starts: the first receive takes them all.
        Seeded seeded = seed("held", 100, 2);
        ProgressLedger ledger = seeded.ledger();
        LocalFleet fleet = seeded.fleet();
        long[] completedWhileHeld = {-1};
        long giveUp = System.nanoTime() + Duration.ofSeconds(90).toNanos();

        fleet.runUntil(() -> {
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("the run did not complete in 90 s");
            }
            long completed = ledger.findRun("held").orElseThrow().segmentsCompleted();
            if (completed >= 9 && completedWhileHeld[0] < 0) {
                completedWhileHeld[0] = completed;
                HoldingProcessor.release();
            }
            return completed >= 10;
        }, Duration.ofMillis(50));

        assertThat(completedWhileHeld[0]).isEqualTo(9);
        RunRecord run = ledger.findRun("held").orElseThrow();
        assertThat(run.completedCounts()).isEqualTo(new Counts(100, 100, 0, 0, 0));
        assertThat(fleet.failures()).isZero();
        assertThat(fleet.segmentsCompleted()).isEqualTo(10);
    }

    @Test
    void runUntil_whenStoppedWithMessagesReceivedButNotStarted_makesThemVisibleAgain() throws Exception {
        Seeded seeded = seed("stopped", 50, 1);
        ProgressLedger ledger = seeded.ledger();
        LocalFleet fleet = seeded.fleet();
        long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();

        // The one worker holds its first message while the other nine wait in the buffer; then the fleet stops.
        fleet.runUntil(() -> {
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("the worker did not start in 60 s");
            }
            if (!fleet.busy()) {
                return false;
            }
            HoldingProcessor.release();
            return true;
        }, Duration.ofMillis(50));

        var attributes = sqs.getQueueAttributes(b -> b.queueUrl(seeded.queues().queueUrl()).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        long visible = Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
        assertThat(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).isEqualTo("0");
        assertThat(fleet.segmentsCompleted()).isPositive();
        assertThat(visible + fleet.segmentsCompleted()).isEqualTo(10);
        assertThat(visible + ledger.findRun("stopped").orElseThrow().segmentsCompleted()).isEqualTo(10);
    }

    /** A fleet of {@code workers} on a queue holding the ten segment messages of run {@code runId}. */
    private record Seeded(ProgressLedger ledger, QueuePair queues, LocalFleet fleet) {
    }

    /**
     * Copies a table of {@code items} in ten segments with the {@link HoldingProcessor}: tables, ledger and
     * queue named after {@code runId}, every message seeded before the fleet starts.
     */
    private static Seeded seed(String runId, int items, int workers) throws InterruptedException {
        DemoData.createTable(dynamoDb, runId + "-src");
        DemoData.createTable(dynamoDb, runId + "-dst");
        DemoData.fill(dynamoDb, new TableValidator(dynamoDb).describe(runId + "-src", "table", "--table"), items, 150, 2);
        ProgressLedger ledger = new ProgressLedger(dynamoDb, runId + "-ledger", Clock.systemUTC());
        ledger.createTableIfMissing();
        QueuePair queues = QueuePair.create(sqs, runId + "-q", 3, Duration.ofSeconds(60));
        JobConfig job = JobConfig.builder().sourceTable(runId + "-src").destinationTable(runId + "-dst")
                .totalSegments(10).parallelWorkers(workers).pageSize(20).processor(HoldingProcessor.class.getName())
                .build();
        HoldingProcessor.reset();
        new SegmentSeeder(new TableValidator(dynamoDb), ledger, sqs, queues.queueUrl(), new Random(1), 4,
                Backoff.DEFAULT, Sleeper.SYSTEM, Clock.systemUTC()).seed(runId, job);
        List<SegmentWorker> fleet = new java.util.ArrayList<>();
        for (int i = 0; i < workers; i++) {
            fleet.add(worker(ledger, queues));
        }
        return new Seeded(ledger, queues, new LocalFleet(sqs, queues.queueUrl(), fleet, Duration.ofMinutes(5),
                Duration.ofSeconds(10), Duration.ofSeconds(1), Clock.systemUTC()));
    }

    private static SegmentWorker worker(ProgressLedger ledger, QueuePair queues) {
        return new SegmentWorker(dynamoDb, sqs, queues.queueUrl(), ledger, Duration.ofSeconds(10), Clock.systemUTC(),
                new Random(3), Sleeper.SYSTEM);
    }
}
