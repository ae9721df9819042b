package dev.ddbbulk.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Deliveries racing to claim one segment at once, as SQS's at-least-once delivery and a fleet of workers make
 * them: the ledger's conditional claim must leave exactly one delivery holding the segment.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class SegmentClaimRaceIT {
    private static final int RACERS = 8;
    private static final int SEGMENT = 3;

    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;

    private ProgressLedger ledger;
    private String runId;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void newLedgerAndRun() {
        ledger = new ProgressLedger(dynamoDb, environment.unique("race-ledger"), Clock.systemUTC());
        ledger.createTableIfMissing();
        runId = environment.unique("run");
        ledger.startRun(runId, JobConfig.builder().sourceTable("source-table").totalSegments(8).build());
    }

    @Test
    void claim_whenDeliveriesOfDifferentMessagesRaceForANewSegment_grantsExactlyOneAndTheOthersFindItLeased()
            throws Exception {
        List<ProgressLedger.Claim> claims = race(i -> "message-" + i);

        List<ProgressLedger.Claim.Granted> granted = granted(claims);
        assertThat(granted).as("granted of %s", kinds(claims)).hasSize(1);
        assertThat(claims).filteredOn(ProgressLedger.Claim.Leased.class::isInstance).hasSize(RACERS - 1);
        assertThat(ledger.findSegment(runId, SEGMENT).orElseThrow().attempts()).isEqualTo(1);
        assertOnlyHolder(granted.get(0).lease(), granted);
    }

    @Test
    void claim_whenDeliveriesOfTheSameMessageRaceForASegment_grantsEachInTurnAndOnlyTheLastHoldsIt() throws Exception {
        List<ProgressLedger.Claim> claims = race(i -> "the-same-message");

        // A later delivery of the same message takes the lease over: every claim is granted, one after another.
        List<ProgressLedger.Claim.Granted> granted = granted(claims);
        assertThat(granted).as("granted of %s", kinds(claims)).hasSize(RACERS);
        assertThat(granted).extracting(g -> g.segment().attempts())
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, RACERS).boxed().toList());
        assertThat(ledger.findSegment(runId, SEGMENT).orElseThrow().attempts()).isEqualTo(RACERS);
        ProgressLedger.Lease last = granted.stream().filter(g -> g.segment().attempts() == RACERS)
                .findFirst().orElseThrow().lease();
        assertOnlyHolder(last, granted);
    }

    /**
     * {@value #RACERS} threads claim segment {@value #SEGMENT} at once, released together by a start gate, the
     * {@code i}th for message {@code messageIds.apply(i)} and an owner of its own.
     */
    private List<ProgressLedger.Claim> race(IntFunction<String> messageIds) throws Exception {
        CountDownLatch ready = new CountDownLatch(RACERS);
        CountDownLatch start = new CountDownLatch(1);
        Instant leaseUntil = Instant.now().plus(Duration.ofMinutes(5));
        ExecutorService threads = Executors.newFixedThreadPool(RACERS);
        try {
            List<Future<ProgressLedger.Claim>> futures = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                String messageId = messageIds.apply(i);
                String owner = "owner-" + i;
                Callable<ProgressLedger.Claim> claim = () -> {
                    ready.countDown();
                    if (!start.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the start gate never opened");
                    }
                    return ledger.claim(runId, SEGMENT, messageId, owner, leaseUntil);
                };
                futures.add(threads.submit(claim));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).as("all %d threads at the start gate", RACERS).isTrue();
            start.countDown();
            List<ProgressLedger.Claim> claims = new ArrayList<>();
            for (Future<ProgressLedger.Claim> future : futures) {
                claims.add(future.get(60, TimeUnit.SECONDS));
            }
            return claims;
        } finally {
            threads.shutdownNow();
        }
    }

    private static List<ProgressLedger.Claim.Granted> granted(List<ProgressLedger.Claim> claims) {
        return claims.stream().filter(ProgressLedger.Claim.Granted.class::isInstance)
                .map(ProgressLedger.Claim.Granted.class::cast).toList();
    }

    /** What each claim came to, for a failure message that fits on a line. */
    private static List<String> kinds(List<ProgressLedger.Claim> claims) {
        return claims.stream().map(c -> c.getClass().getSimpleName()).toList();
    }

    /**
     * Only {@code holder} of the {@code granted} leases may write the segment: every other one's checkpoint is
     * refused as a lost lease, and the holder's is saved.
     */
    private void assertOnlyHolder(ProgressLedger.Lease holder, List<ProgressLedger.Claim.Granted> granted) {
        ProgressLedger.Pages page = new ProgressLedger.Pages(1, new Counts(10, 10, 0, 0, 0),
                Map.of("pk", AttributeValue.fromS("p1"), "sk", AttributeValue.fromN("10")));
        for (ProgressLedger.Claim.Granted other : granted) {
            if (!other.lease().equals(holder)) {
                assertThatThrownBy(() -> ledger.checkpoint(other.lease(), page)).as(other.lease().owner())
                        .isInstanceOf(ProgressLedger.LeaseLostException.class);
            }
        }
        ledger.checkpoint(holder, page);
        SegmentRecord segment = ledger.findSegment(runId, SEGMENT).orElseThrow();
        assertThat(segment.pages()).isEqualTo(1);
        assertThat(segment.counts()).isEqualTo(new Counts(10, 10, 0, 0, 0));
    }
}
