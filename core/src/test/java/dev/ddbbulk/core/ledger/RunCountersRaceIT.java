package dev.ddbbulk.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Retrier;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * A fleet completing many tiny segments of one run at once, as hundreds of short-lived workers do: every segment
 * must be counted into the run exactly once, and no completion may fail for contention on the run's counters.
 * DynamoDB's transaction conflicts are emulated ({@link TransactionConflicts}), since DynamoDB Local raises none.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class RunCountersRaceIT {
    private static final int WORKERS = 64;
    private static final int SEGMENTS = 10_000;
    /** The worker's SQS batch size (template.yaml): it completes a batch's segments in one transaction. */
    private static final int BATCH = 10;

    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
    }

    @Test
    void complete_when64WorkersCompleteTenThousandTinySegments_countsEachOnceAndFailsNone() throws Exception {
        String table = environment.unique("counters-ledger");
        new ProgressLedger(dynamoDb, table, Clock.systemUTC()).createTableIfMissing();
        TransactionConflicts conflicting = new TransactionConflicts(dynamoDb);
        ProgressLedger ledger = new ProgressLedger(conflicting, table, Clock.systemUTC());
        String runId = environment.unique("run");
        ledger.startRun(runId, JobConfig.builder().sourceTable("source-table").totalSegments(SEGMENTS).build());
        // As the worker's Completions: a transaction cancelled for a conflict is sent again after a jittered wait.
        Retrier retrier = new Retrier(Backoff.DEFAULT, new Random(17), Sleeper.SYSTEM);
        Instant leaseUntil = Instant.now().plus(Duration.ofMinutes(30));
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<Exception> failed = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<ProgressLedger.Completion> lost = new ConcurrentLinkedQueue<>();

        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                String owner = "worker-" + w;
                running.add(workers.submit(() -> {
                    for (int first = next.getAndAdd(BATCH); first < SEGMENTS; first = next.getAndAdd(BATCH)) {
                        List<ProgressLedger.Completion> batch = new ArrayList<>();
                        for (int segment = first; segment < Math.min(first + BATCH, SEGMENTS); segment++) {
                            var claim = (ProgressLedger.Claim.Granted) ledger.claim(runId, segment,
                                    "message-" + segment, owner, leaseUntil);
                            Counts counts = counts(segment);
                            batch.add(new ProgressLedger.Completion(claim.lease(),
                                    new ProgressLedger.Pages(1, counts, null), counts, continuations(segment)));
                        }
                        try {
                            lost.addAll(retrier.call(() -> ledger.complete(batch),
                                    e -> e instanceof TransactionCanceledException cancelled
                                            && ProgressLedger.isTransactionConflict(cancelled)));
                        } catch (RuntimeException e) {
                            failed.add(e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : running) {
                worker.get(5, TimeUnit.MINUTES);
            }
        } finally {
            workers.shutdownNow();
        }

        assertThat(failed).as("completions that failed; %d of %d transactions were cancelled for a conflict",
                conflicting.conflicts(), conflicting.transactions()).isEmpty();
        assertThat(lost).as("completions whose lease was lost").isEmpty();
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.segmentsCompleted()).isEqualTo(SEGMENTS);
        assertThat(run.complete()).isTrue();
        assertThat(run.completedCounts()).isEqualTo(IntStream.range(0, SEGMENTS).mapToObj(RunCountersRaceIT::counts)
                .reduce(Counts.ZERO, Counts::plus));
        assertThat(run.continuations()).isEqualTo(IntStream.range(0, SEGMENTS).mapToLong(RunCountersRaceIT::continuations).sum());
        assertThat(ledger.lastCompletedAt(runId)).isPresent();
        assertThat(ledger.completedSegments(runId).cardinality()).isEqualTo(SEGMENTS);
    }

    /** A tiny segment's counts, different from segment to segment so that a lost or doubled one shows. */
    private static Counts counts(int segment) {
        long scanned = 1 + segment % 5;
        long skipped = segment % 3 == 0 ? 1 : 0;
        return new Counts(scanned, scanned - skipped, 0, skipped, segment % 7 == 0 ? 1 : 0, segment % 11 == 0 ? 1 : 0);
    }

    private static long continuations(int segment) {
        return segment % 13 == 0 ? 1 : 0;
    }
}
