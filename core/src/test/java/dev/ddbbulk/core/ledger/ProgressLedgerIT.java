package dev.ddbbulk.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.WriteMode;
import dev.ddbbulk.core.testing.MutableClock;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

@ExtendWith(EmbeddedServicesExtension.class)
class ProgressLedgerIT {
    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;

    private MutableClock clock;
    private ProgressLedger ledger;
    private String runId;
    private JobConfig job;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void newLedger() {
        clock = MutableClock.atEpochSecond(1_700_000_000);
        ledger = new ProgressLedger(dynamoDb, environment.unique("ledger"), clock);
        ledger.createTableIfMissing();
        runId = environment.unique("run");
        job = JobConfig.builder().sourceTable("source-table").destinationTable("destination-table").totalSegments(16)
                .build();
    }

    @Test
    void createTableIfMissing_whenCalledAgain_keepsTableAndRecords() {
        ledger.startRun(runId, job);

        ledger.createTableIfMissing();
        new ProgressLedger(dynamoDb, ledger.table(), clock).createTableIfMissing();

        var description = dynamoDb.describeTable(b -> b.tableName(ledger.table())).table();
        assertThat(description.keySchema()).extracting(k -> k.attributeName() + "/" + k.keyType())
                .containsExactly("pk/" + KeyType.HASH, "sk/" + KeyType.RANGE);
        assertThat(ledger.findRun(runId)).isPresent();
    }

    @Test
    void startRun_whenNew_recordsJobAndZeroProgress() {
        RunRecord run = ledger.startRun(runId, job);

        assertThat(run.runId()).isEqualTo(runId);
        assertThat(run.job()).isEqualTo(job);
        assertThat(run.createdAt()).isEqualTo(clock.instant());
        assertThat(run.seeded()).isFalse();
        assertThat(run.segmentsCompleted()).isZero();
        assertThat(run.completedCounts()).isEqualTo(Counts.ZERO);
        assertThat(run.complete()).isFalse();
    }

    @Test
    void startRun_whenSameJobTwice_returnsTheSameRun() {
        RunRecord first = ledger.startRun(runId, job);
        clock.advance(Duration.ofMinutes(5));

        RunRecord second = ledger.startRun(runId, job);

        assertThat(second).isEqualTo(first);
        assertThat(second.createdAt()).isEqualTo(first.createdAt());
    }

    @Test
    void startRun_whenSameRunIdWithAnotherJob_throwsAndKeepsTheFirstJob() {
        ledger.startRun(runId, job);
        JobConfig other = job.toBuilder().totalSegments(17).build();

        assertThatThrownBy(() -> ledger.startRun(runId, other))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("'" + runId + "'")
                .hasMessageContaining("another job");
        assertThat(ledger.findRun(runId).orElseThrow().job()).isEqualTo(job);
    }

    @Test
    void startRun_whenALaterAttemptChangesOnlyFleetSettings_takesThemAndRecordsTheChange() {
        ledger.startRun(runId, job);
        JobConfig biggerFleet = job.toBuilder().parallelWorkers(job.parallelWorkers() + 40).rateLimit(250)
                .maxWriteUnits(4000).pageSize(50).checkpointIntervalSeconds(0).writesInFlight(64).build();

        RunRecord run = ledger.startRun(runId, biggerFleet);

        assertThat(run.job()).isEqualTo(biggerFleet);
        assertThat(ledger.findRun(runId).orElseThrow().job()).isEqualTo(biggerFleet);
        assertThat(ledger.fleetChanges(runId)).isEqualTo(1);
        assertThat(ledger.startRun(runId, biggerFleet).job()).isEqualTo(biggerFleet);
        assertThat(ledger.fleetChanges(runId)).isEqualTo(1);
    }

    @Test
    void startRun_whenALaterAttemptChangesTheWork_refusesNamingWhatDiffers() {
        ledger.startRun(runId, job);
        JobConfig otherWork = job.toBuilder().totalSegments(17).writeMode(WriteMode.CONDITIONAL).build();

        assertThatThrownBy(() -> ledger.startRun(runId, otherWork))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("TotalSegments, WriteMode differ");
        assertThat(ledger.findRun(runId).orElseThrow().job()).isEqualTo(job);
        assertThat(ledger.fleetChanges(runId)).isZero();
    }

    @Test
    void markSeeded_whenCalledTwice_keepsTheFirstTime() {
        ledger.startRun(runId, job);
        Instant firstSeed = clock.instant();

        ledger.markSeeded(runId);
        clock.advance(Duration.ofMinutes(1));
        ledger.markSeeded(runId);

        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.seeded()).isTrue();
        assertThat(run.seededAt()).isEqualTo(firstSeed);
    }

    @Test
    void findRun_whenUnknown_isEmpty() {
        assertThat(ledger.findRun("no-such-run")).isEmpty();
    }

    @Test
    void startRun_whenNew_createsTheRunRecordWithItsCounterShards() {
        ledger.startRun(runId, job);

        List<Map<String, AttributeValue>> items = dynamoDb.query(b -> b.tableName(ledger.table())
                .consistentRead(true).keyConditionExpression("pk = :run")
                .expressionAttributeValues(Map.of(":run", AttributeValue.fromS(runId)))).items();
        assertThat(items).extracting(item -> item.get("sk").s()).hasSize(LedgerItems.COUNTER_SHARDS + 1)
                .contains("RUN", "RUN#COUNTS#00", "RUN#COUNTS#63").allMatch(sk -> sk.startsWith("RUN"));
        assertThat(item("RUN")).doesNotContainKey("segmentsCompleted");
    }

    @Test
    void findRun_whenSegmentsCompletedOnSeveralShards_sumsThemAndLastCompletedAtIsTheLatest() {
        ledger.startRun(runId, job);
        assertThat(List.of(1, 2, 3)).extracting(LedgerItems::counterShard).doesNotHaveDuplicates();
        MutableClock later = MutableClock.atEpochSecond(clock.instant().getEpochSecond() + 600);
        ProgressLedger laterLedger = new ProgressLedger(dynamoDb, ledger.table(), later);
        assertThat(ledger.lastCompletedAt(runId)).isEmpty();

        laterLedger.complete(grant(1), last(new Counts(1, 1, 0, 0, 0)), new Counts(1, 1, 0, 0, 0), 1);
        ledger.complete(grant(2), last(new Counts(2, 1, 0, 1, 0)), new Counts(2, 1, 0, 1, 0), 0);
        ledger.complete(grant(3), last(new Counts(3, 2, 0, 0, 1, 1)), new Counts(3, 2, 0, 0, 1, 1), 2);

        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.segmentsCompleted()).isEqualTo(3);
        assertThat(run.completedCounts()).isEqualTo(new Counts(6, 4, 0, 1, 1, 1));
        assertThat(run.continuations()).isEqualTo(3);
        assertThat(run.job()).isEqualTo(job);
        assertThat(ledger.progress(runId).segmentsCompleted()).isEqualTo(3);
        assertThat(ledger.lastCompletedAt(runId)).contains(later.instant());
    }

    @Test
    void complete_whenTheRunIsNotInTheLedger_refusesAndWritesNothing() {
        var lease = grant(3);

        assertThatThrownBy(() -> ledger.complete(lease, last(new Counts(1, 1, 0, 0, 0)), new Counts(1, 1, 0, 0, 0), 0))
                .isInstanceOf(TransactionCanceledException.class)
                .satisfies(e -> assertThat(((TransactionCanceledException) e).cancellationReasons())
                        .extracting(CancellationReason::code).containsExactly("None", "ConditionalCheckFailed"));
        assertThat(ledger.findRun(runId)).isEmpty();
        assertThat(item(counterSk(3))).isEmpty();
        assertThat(ledger.findSegment(runId, 3).orElseThrow().status()).isEqualTo(SegmentStatus.IN_PROGRESS);
    }

    @Test
    void claim_whenSegmentNew_grantsLease() {
        ledger.startRun(runId, job);

        var claim = ledger.claim(runId, 5, "message-of-owner-a", "owner-a", leaseFor(Duration.ofMinutes(1)));

        assertThat(claim).isInstanceOf(ProgressLedger.Claim.Granted.class);
        var granted = (ProgressLedger.Claim.Granted) claim;
        assertThat(granted.lease()).isEqualTo(new ProgressLedger.Lease(runId, 5, "owner-a", 0));
        assertThat(granted.segment().segment()).isEqualTo(5);
        assertThat(granted.segment().status()).isEqualTo(SegmentStatus.IN_PROGRESS);
        assertThat(granted.segment().attempts()).isEqualTo(1);
        assertThat(granted.segment().checkpoint()).isNull();
        assertThat(granted.segment().counts()).isEqualTo(Counts.ZERO);
    }

    @Test
    void claim_whenLeaseHeldByAnother_returnsLeased() {
        ledger.startRun(runId, job);
        ledger.claim(runId, 5, "message-of-owner-a", "owner-a", leaseFor(Duration.ofMinutes(1)));
        clock.advance(Duration.ofSeconds(59));

        var claim = ledger.claim(runId, 5, "message-of-owner-b", "owner-b", leaseFor(Duration.ofMinutes(1)));

        assertThat(claim).isInstanceOf(ProgressLedger.Claim.Leased.class);
        assertThat(claim.segment().attempts()).isEqualTo(1);
    }

    @Test
    void claim_whenALaterDeliveryOfTheSameMessageClaims_takesTheLeaseOverAndTheEarlierOneLosesIt() {
        ledger.startRun(runId, job);
        var checkpointed = claimAndCheckpointOnePage("message-a", Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(1));

        // The first delivery failed and could not release its lease; SQS delivers the same message again.
        var claim = ledger.claim(runId, 5, "message-a", "owner-b", leaseFor(Duration.ofMinutes(1)));

        assertTakenOver(claim, checkpointed);
        assertThat(ledger.claim(runId, 5, "message-b", "owner-c", leaseFor(Duration.ofMinutes(1))))
                .isInstanceOf(ProgressLedger.Claim.Leased.class);
    }

    @Test
    void claim_whenAResumedMessageFindsALeaseClaimedBeforeTheResume_takesItOverAndTheOldOneLosesIt() {
        ledger.startRun(runId, job);
        var checkpointed = claimAndCheckpointOnePage("message-a", Duration.ofMinutes(15));
        clock.advance(Duration.ofSeconds(5));
        Instant resumedAt = clock.instant();
        clock.advance(Duration.ofMillis(300));

        var claim = ledger.claim(runId, 5, "message-of-the-resume", "owner-b", leaseFor(Duration.ofMinutes(15)),
                resumedAt);

        assertTakenOver(claim, checkpointed);
    }

    @Test
    void claim_whenAResumedMessageFindsALeaseClaimedSinceTheResume_returnsLeased() {
        ledger.startRun(runId, job);
        Instant resumedAt = clock.instant();
        clock.advance(Duration.ofMillis(200));
        ledger.claim(runId, 5, "message-a", "owner-a", leaseFor(Duration.ofMinutes(15)), resumedAt);
        clock.advance(Duration.ofSeconds(1));

        var claim = ledger.claim(runId, 5, "message-b", "owner-b", leaseFor(Duration.ofMinutes(15)), resumedAt);

        assertThat(claim).isInstanceOf(ProgressLedger.Claim.Leased.class);
        assertThat(claim.segment().attempts()).isEqualTo(1);
    }

    @Test
    void claim_whenLeaseExpired_grantsToTheNewOwnerAndTheOldOneLosesIt() {
        ledger.startRun(runId, job);
        var checkpointed = claimAndCheckpointOnePage("message-of-owner-a", Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(61));

        var claim = ledger.claim(runId, 5, "message-of-owner-b", "owner-b", leaseFor(Duration.ofMinutes(1)));

        assertTakenOver(claim, checkpointed);
        assertThat(ledger.findSegment(runId, 5).orElseThrow().counts().scanned()).isEqualTo(10);
    }

    @Test
    void checkpoint_whenLeaseHeld_addsCountsAndStoresTheExactKey() {
        ledger.startRun(runId, job);
        var lease = grant(3);
        Map<String, AttributeValue> binaryKey = new LinkedHashMap<>();
        binaryKey.put("pk", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, -1, 42})));
        binaryKey.put("sk", AttributeValue.fromN("12345678901234567890.000001"));

        var after = ledger.checkpoint(lease, page(key("p1", "1"), new Counts(50, 40, 5, 5, 0)));
        ledger.checkpoint(after, page(binaryKey, new Counts(50, 49, 0, 1, 0)));

        SegmentRecord segment = ledger.findSegment(runId, 3).orElseThrow();
        assertThat(segment.status()).isEqualTo(SegmentStatus.IN_PROGRESS);
        assertThat(segment.counts()).isEqualTo(new Counts(100, 89, 5, 6, 0));
        assertThat(segment.pages()).isEqualTo(2);
        assertThat(segment.checkpoint()).isEqualTo(binaryKey);
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(Counts.ZERO);
    }

    @Test
    void complete_whenCalled_movesTheSegmentsCountsIntoTheRunExactlyOnce() {
        ledger.startRun(runId, job);
        var lease = grant(7);
        Counts firstPage = new Counts(100, 97, 0, 0, 0, 3);
        Counts lastPage = new Counts(30, 20, 5, 5, 1);
        var checkpointed = ledger.checkpoint(lease, page(key("p1", "1"), firstPage));

        ledger.complete(checkpointed, last(lastPage), firstPage.plus(lastPage), 2);

        assertThatThrownBy(() -> ledger.complete(checkpointed, last(lastPage), firstPage.plus(lastPage), 2))
                .isInstanceOf(ProgressLedger.LeaseLostException.class);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.segmentsCompleted()).isEqualTo(1);
        assertThat(run.completedCounts()).isEqualTo(new Counts(130, 117, 5, 5, 1, 3));
        assertThat(run.continuations()).isEqualTo(2);
        SegmentRecord segment = ledger.findSegment(runId, 7).orElseThrow();
        assertThat(segment.status()).isEqualTo(SegmentStatus.DONE);
        assertThat(segment.counts()).isEqualTo(new Counts(130, 117, 5, 5, 1, 3));
        assertThat(segment.checkpoint()).isNull();
        assertThat(segment.pages()).isEqualTo(2);
    }

    @Test
    void complete_whenTheLedgerHasATtl_givesTheDoneSegmentsAnExpiryAndTheRunNone() {
        ProgressLedger expiring = new ProgressLedger(dynamoDb, ledger.table(), clock, Duration.ofDays(30));
        expiring.startRun(runId, job);
        var lease = expiring.checkpoint(grant(7), page(key("p1", "1"), new Counts(10, 10, 0, 0, 0)));
        var other = grant(8);
        assertThat(item(segmentSk(7))).as("a running segment").doesNotContainKey(ProgressLedger.EXPIRES_AT);
        clock.advance(Duration.ofMinutes(3));
        Instant completedAt = clock.instant();

        expiring.complete(List.of(
                new ProgressLedger.Completion(lease, last(new Counts(1, 1, 0, 0, 0)), new Counts(11, 11, 0, 0, 0), 0),
                new ProgressLedger.Completion(other, last(new Counts(2, 2, 0, 0, 0)), new Counts(2, 2, 0, 0, 0), 0)));

        long expected = completedAt.plus(Duration.ofDays(30)).getEpochSecond();
        assertThat(item(segmentSk(7)).get(ProgressLedger.EXPIRES_AT)).isEqualTo(AttributeValue.fromN(Long.toString(expected)));
        assertThat(item(segmentSk(8)).get(ProgressLedger.EXPIRES_AT)).isEqualTo(AttributeValue.fromN(Long.toString(expected)));
        assertThat(item(counterSk(7))).containsKey("segmentsCompleted").doesNotContainKey(ProgressLedger.EXPIRES_AT);
        assertThat(item("RUN")).doesNotContainKey(ProgressLedger.EXPIRES_AT);
        assertThat(expiring.findSegment(runId, 7).orElseThrow().status()).isEqualTo(SegmentStatus.DONE);
    }

    @Test
    void complete_whenTheTtlIsZero_setsNoExpiry() {
        ProgressLedger keeping = new ProgressLedger(dynamoDb, ledger.table(), clock, Duration.ZERO);
        keeping.startRun(runId, job);

        keeping.complete(grant(3), last(new Counts(4, 4, 0, 0, 0)), new Counts(4, 4, 0, 0, 0), 0);

        assertThat(item(segmentSk(3))).containsKey("status").doesNotContainKey(ProgressLedger.EXPIRES_AT);
        assertThat(item("RUN")).doesNotContainKey(ProgressLedger.EXPIRES_AT);
    }

    @Test
    void constructor_whenTheTtlIsNegative_refuses() {
        assertThatThrownBy(() -> new ProgressLedger(dynamoDb, ledger.table(), clock, Duration.ofDays(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TTL");
    }

    @Test
    void complete_whenLeaseWasTakenOver_throwsAndCountsNothing() {
        ledger.startRun(runId, job);
        var stale = grant(7);
        clock.advance(Duration.ofMinutes(2));
        var current = grant(7);

        assertThatThrownBy(() -> ledger.complete(stale, last(new Counts(5, 5, 0, 0, 0)), new Counts(5, 5, 0, 0, 0), 0))
                .isInstanceOf(ProgressLedger.LeaseLostException.class);
        ledger.complete(current, last(new Counts(6, 6, 0, 0, 0)), new Counts(6, 6, 0, 0, 0), 0);

        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.segmentsCompleted()).isEqualTo(1);
        assertThat(run.completedCounts().scanned()).isEqualTo(6);
    }

    @Test
    void complete_whenGivenManySegments_marksEachDoneAndAddsTheirSumsToTheRunOnce() {
        ledger.startRun(runId, job);
        var first = grant(1);
        var second = ledger.checkpoint(grant(2), page(key("p2", "1"), new Counts(10, 10, 0, 0, 0)));
        var third = grant(3);

        var lost = ledger.complete(List.of(
                new ProgressLedger.Completion(first, last(new Counts(4, 4, 0, 0, 0)), new Counts(4, 4, 0, 0, 0), 0),
                new ProgressLedger.Completion(second, last(new Counts(5, 3, 1, 1, 0)), new Counts(15, 13, 1, 1, 0), 2),
                new ProgressLedger.Completion(third, last(new Counts(6, 5, 0, 0, 1)), new Counts(6, 5, 0, 0, 1), 1)));

        assertThat(lost).isEmpty();
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.segmentsCompleted()).isEqualTo(3);
        assertThat(run.completedCounts()).isEqualTo(new Counts(25, 22, 1, 1, 1));
        assertThat(run.continuations()).isEqualTo(3);
        assertThat(ledger.findSegment(runId, 2).orElseThrow().counts()).isEqualTo(new Counts(15, 13, 1, 1, 0));
        assertThat(ledger.findSegment(runId, 2).orElseThrow().pages()).isEqualTo(2);
        assertThat(ledger.completedSegments(runId).stream().boxed().toList()).containsExactly(1, 2, 3);
    }

    @Test
    void complete_whenOneLeaseWasTakenOver_returnsItAndCompletesOnlyTheOthers() {
        ledger.startRun(runId, job);
        var kept = grant(4);
        var stale = grant(5);
        clock.advance(Duration.ofMinutes(2));
        var current = grant(5);
        var keptCompletion = new ProgressLedger.Completion(kept, last(new Counts(7, 7, 0, 0, 0)), new Counts(7, 7, 0, 0, 0), 0);
        var staleCompletion = new ProgressLedger.Completion(stale, last(new Counts(9, 9, 0, 0, 0)), new Counts(9, 9, 0, 0, 0), 0);

        var lost = ledger.complete(List.of(staleCompletion, keptCompletion));

        assertThat(lost).containsExactly(staleCompletion);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.segmentsCompleted()).isEqualTo(1);
        assertThat(run.completedCounts()).isEqualTo(new Counts(7, 7, 0, 0, 0));
        SegmentRecord taken = ledger.findSegment(runId, 5).orElseThrow();
        assertThat(taken.status()).isEqualTo(SegmentStatus.IN_PROGRESS);
        assertThat(taken.counts()).isEqualTo(Counts.ZERO);
        ledger.complete(current, last(new Counts(9, 9, 0, 0, 0)), new Counts(9, 9, 0, 0, 0), 0);
        assertThat(ledger.findRun(runId).orElseThrow().completedCounts()).isEqualTo(new Counts(16, 16, 0, 0, 0));
    }

    @Test
    void complete_whenSegmentsOfTwoRuns_refusesAndWritesNothing() {
        ledger.startRun(runId, job);
        String otherRun = environment.unique("run");
        ledger.startRun(otherRun, job);
        var ours = grant(1);
        var theirs = ((ProgressLedger.Claim.Granted) ledger.claim(otherRun, 1, "other-message",
                "other-owner", leaseFor(Duration.ofMinutes(1)))).lease();

        assertThatThrownBy(() -> ledger.complete(List.of(
                new ProgressLedger.Completion(ours, last(Counts.ZERO), Counts.ZERO, 0),
                new ProgressLedger.Completion(theirs, last(Counts.ZERO), Counts.ZERO, 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one run");
        assertThat(ledger.findRun(runId).orElseThrow().segmentsCompleted()).isZero();
        assertThat(ledger.findRun(otherRun).orElseThrow().segmentsCompleted()).isZero();
    }

    @Test
    void claim_whenSegmentDone_returnsAlreadyDone() {
        ledger.startRun(runId, job);
        var lease = grant(2);
        ledger.complete(lease, last(new Counts(1, 1, 0, 0, 0)), new Counts(1, 1, 0, 0, 0), 0);
        clock.advance(Duration.ofHours(1));

        var claim = ledger.claim(runId, 2, "message-of-late-duplicate", "late-duplicate", leaseFor(Duration.ofMinutes(1)));

        assertThat(claim).isInstanceOf(ProgressLedger.Claim.AlreadyDone.class);
        assertThat(claim.segment().status()).isEqualTo(SegmentStatus.DONE);
        assertThat(ledger.findRun(runId).orElseThrow().segmentsCompleted()).isEqualTo(1);
    }

    @Test
    void recordFailure_whenLeaseHeld_marksFailedAndProgressListsIt() {
        ledger.startRun(runId, job);
        var failing = ledger.checkpoint(grant(9), page(key("p9", "90"), new Counts(20, 20, 0, 0, 0)));
        var fine = grant(10);
        ledger.checkpoint(fine, page(key("p10", "100"), new Counts(7, 7, 0, 0, 0)));

        ledger.recordFailure(failing, "IllegalStateException: bad item p9/91", ProgressLedger.Pages.NONE);

        SegmentRecord failed = ledger.findSegment(runId, 9).orElseThrow();
        assertThat(failed.status()).isEqualTo(SegmentStatus.FAILED);
        assertThat(failed.lastError()).isEqualTo("IllegalStateException: bad item p9/91");
        assertThat(failed.checkpoint()).isEqualTo(key("p9", "90"));
        RunProgress progress = ledger.progress(runId);
        assertThat(progress.failedSegments()).extracting(SegmentRecord::segment).containsExactly(9);
        assertThat(progress.failedSegments().get(0).lastError()).contains("bad item");
        assertThat(progress.segmentsStarted()).isEqualTo(2);
        assertThat(progress.segmentsInProgress()).isEqualTo(1);
        assertThat(progress.counts().scanned()).isEqualTo(27);
        assertThat(progress.totalSegments()).isEqualTo(16);
    }

    @Test
    void claim_whenSegmentFailed_grantsARetryFromItsCheckpoint() {
        ledger.startRun(runId, job);
        var failing = ledger.checkpoint(grant(9), page(key("p9", "90"), new Counts(20, 20, 0, 0, 0)));
        ledger.recordFailure(failing, "boom", ProgressLedger.Pages.NONE);

        var retry = ledger.claim(runId, 9, "message-of-retry", "retry", leaseFor(Duration.ofMinutes(1)));

        assertThat(retry).isInstanceOf(ProgressLedger.Claim.Granted.class);
        assertThat(retry.segment().status()).isEqualTo(SegmentStatus.IN_PROGRESS);
        assertThat(retry.segment().checkpoint()).isEqualTo(key("p9", "90"));
        assertThat(retry.segment().counts().scanned()).isEqualTo(20);
        assertThat(ledger.progress(runId).failedSegments()).isEmpty();
    }

    @Test
    void recordFailure_whenLeaseLost_throwsAndLeavesTheSegmentAlone() {
        ledger.startRun(runId, job);
        var stale = grant(4);
        clock.advance(Duration.ofMinutes(2));
        grant(4);

        assertThatThrownBy(() -> ledger.recordFailure(stale, "late error", ProgressLedger.Pages.NONE))
                .isInstanceOf(ProgressLedger.LeaseLostException.class);
        assertThat(ledger.findSegment(runId, 4).orElseThrow().status()).isEqualTo(SegmentStatus.IN_PROGRESS);
    }

    @Test
    void releaseForContinuation_whenCalled_savesTheUnsavedPagesAndLetsTheNextDeliveryClaimAtOnce() {
        ledger.startRun(runId, job);
        var lease = ledger.checkpoint(grant(1), page(key("p1", "5"), new Counts(5, 5, 0, 0, 0)));

        ledger.releaseForContinuation(lease, new ProgressLedger.Pages(2, new Counts(8, 7, 0, 1, 0), key("p1", "13")));
        var next = ledger.claim(runId, 1, "message-of-continuation", "continuation", leaseFor(Duration.ofMinutes(1)));

        assertThat(next).isInstanceOf(ProgressLedger.Claim.Granted.class);
        assertThat(next.segment().continuations()).isEqualTo(1);
        assertThat(next.segment().checkpoint()).isEqualTo(key("p1", "13"));
        assertThat(next.segment().counts()).isEqualTo(new Counts(13, 12, 0, 1, 0));
        assertThat(next.segment().pages()).isEqualTo(3);
        assertThat(((ProgressLedger.Claim.Granted) next).lease().pages()).isEqualTo(3);
    }

    @Test
    void releaseForContinuation_whenSentTwice_savesOnceAndReturns() {
        ledger.startRun(runId, job);
        var lease = grant(1);
        var pages = new ProgressLedger.Pages(1, new Counts(5, 5, 0, 0, 0), key("p1", "5"));

        ledger.releaseForContinuation(lease, pages);
        ledger.releaseForContinuation(lease, pages);

        SegmentRecord segment = ledger.findSegment(runId, 1).orElseThrow();
        assertThat(segment.counts().scanned()).isEqualTo(5);
        assertThat(segment.pages()).isEqualTo(1);
        assertThat(segment.continuations()).isEqualTo(1);
    }

    @Test
    void releaseForContinuation_whenSegmentDone_throwsLeaseLost() {
        ledger.startRun(runId, job);
        var stale = grant(1);
        clock.advance(Duration.ofMinutes(2));
        ledger.complete(grant(1), last(new Counts(3, 3, 0, 0, 0)), new Counts(3, 3, 0, 0, 0), 0);

        assertThatThrownBy(() -> ledger.releaseForContinuation(stale, ProgressLedger.Pages.NONE))
                .isInstanceOf(ProgressLedger.LeaseLostException.class);
        assertThat(ledger.findSegment(runId, 1).orElseThrow().continuations()).isZero();
    }

    @Test
    void checkpoint_whenTheSameWriteIsSentAgain_countsItOnceAndReturnsTheSameLease() {
        ledger.startRun(runId, job);
        var lease = grant(6);
        var pages = new ProgressLedger.Pages(3, new Counts(30, 29, 0, 1, 0), key("p6", "30"));

        var first = ledger.checkpoint(lease, pages);
        var replay = ledger.checkpoint(lease, pages);

        assertThat(replay).isEqualTo(first);
        assertThat(first.pages()).isEqualTo(3);
        SegmentRecord segment = ledger.findSegment(runId, 6).orElseThrow();
        assertThat(segment.counts()).isEqualTo(new Counts(30, 29, 0, 1, 0));
        assertThat(segment.pages()).isEqualTo(3);
    }

    @Test
    void recordFailure_withUnsavedPages_savesThemWithTheError() {
        ledger.startRun(runId, job);
        var lease = grant(11);

        ledger.recordFailure(lease, "boom", new ProgressLedger.Pages(2, new Counts(20, 20, 0, 0, 0), key("p11", "20")));

        SegmentRecord failed = ledger.findSegment(runId, 11).orElseThrow();
        assertThat(failed.status()).isEqualTo(SegmentStatus.FAILED);
        assertThat(failed.checkpoint()).isEqualTo(key("p11", "20"));
        assertThat(failed.counts().scanned()).isEqualTo(20);
        assertThat(failed.pages()).isEqualTo(2);
        var retry = (ProgressLedger.Claim.Granted) ledger.claim(runId, 11, "message-of-retry", "retry", leaseFor(Duration.ofMinutes(1)));
        assertThat(retry.lease().pages()).isEqualTo(2);
    }

    @Test
    void progress_whenSegmentsDoneAndRunning_sumsEveryStartedSegment() {
        ledger.startRun(runId, job);
        for (int segment = 0; segment < 12; segment++) {
            var lease = grant(segment);
            if (segment % 3 == 0) {
                ledger.checkpoint(lease, page(key("p", Integer.toString(segment)), new Counts(1, 1, 0, 0, 0)));
            } else {
                ledger.complete(lease, last(new Counts(10, 9, 0, 1, 0)), new Counts(10, 9, 0, 1, 0), 0);
            }
        }

        RunProgress progress = ledger.progress(runId);

        assertThat(progress.segmentsStarted()).isEqualTo(12);
        assertThat(progress.segmentsInProgress()).isEqualTo(4);
        assertThat(progress.segmentsCompleted()).isEqualTo(8);
        assertThat(progress.counts()).isEqualTo(new Counts(84, 76, 0, 8, 0));
        assertThat(progress.run().completedCounts()).isEqualTo(new Counts(80, 72, 0, 8, 0));
        assertThat(progress.failedSegments()).isEmpty();
    }

    @Test
    void progress_whenRunUnknown_throwsInvalidJobNamingIt() {
        assertThatThrownBy(() -> ledger.progress("missing-run"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("'missing-run'");
    }

    /**
     * Segment 5 claimed by owner-a for {@code messageId} with a lease of {@code lease}, and one page of 10 items
     * checkpointed at key p1/10: the delivery that {@link #assertTakenOver} expects to lose the segment.
     */
    private ProgressLedger.Lease claimAndCheckpointOnePage(String messageId, Duration lease) {
        var claim = (ProgressLedger.Claim.Granted) ledger.claim(runId, 5, messageId, "owner-a", leaseFor(lease));
        return ledger.checkpoint(claim.lease(), page(key("p1", "10"), new Counts(10, 10, 0, 0, 0)));
    }

    /**
     * {@code claim} took segment 5 over from the delivery that checkpointed one page of 10 items as
     * {@code checkpointed}: it goes on from that checkpoint with its counts, and the old delivery's next
     * write is refused.
     */
    private void assertTakenOver(ProgressLedger.Claim claim, ProgressLedger.Lease checkpointed) {
        assertThat(claim).isInstanceOf(ProgressLedger.Claim.Granted.class);
        assertThat(claim.segment().attempts()).isEqualTo(2);
        assertThat(claim.segment().checkpoint()).isEqualTo(key("p1", "10"));
        assertThat(claim.segment().counts().scanned()).isEqualTo(10);
        assertThatThrownBy(() -> ledger.checkpoint(checkpointed, page(key("p1", "20"), new Counts(10, 10, 0, 0, 0))))
                .isInstanceOf(ProgressLedger.LeaseLostException.class)
                .hasMessageContaining("segment 5");
    }

    private ProgressLedger.Lease grant(int segment) {
        var claim = ledger.claim(runId, segment, "message-" + segment + "-" + clock.millis(),
                "owner-" + segment + "-" + clock.millis(), leaseFor(Duration.ofMinutes(1)));
        assertThat(claim).isInstanceOf(ProgressLedger.Claim.Granted.class);
        return ((ProgressLedger.Claim.Granted) claim).lease();
    }

    /** The ledger's raw item, to see attributes the records don't carry. */
    private Map<String, AttributeValue> item(String sk) {
        return dynamoDb.getItem(b -> b.tableName(ledger.table()).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(runId), "sk", AttributeValue.fromS(sk)))).item();
    }

    /** The sort key of the counter shard that a transaction completing {@code segment} first adds to. */
    private static String counterSk(int segment) {
        return LedgerItems.counterKey("any", LedgerItems.counterShard(segment)).get("sk").s();
    }

    private static String segmentSk(int segment) {
        return String.format("SEG#%07d", segment);
    }

    private static ProgressLedger.Pages page(Map<String, AttributeValue> lastEvaluatedKey, Counts counts) {
        return new ProgressLedger.Pages(1, counts, lastEvaluatedKey);
    }

    private static ProgressLedger.Pages last(Counts counts) {
        return new ProgressLedger.Pages(1, counts, null);
    }

    private Instant leaseFor(Duration duration) {
        return clock.instant().plus(duration);
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put("pk", AttributeValue.fromS(pk));
        key.put("sk", AttributeValue.fromN(sk));
        return key;
    }
}
