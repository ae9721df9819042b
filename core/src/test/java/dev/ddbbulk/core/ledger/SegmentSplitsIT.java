package dev.ddbbulk.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.ProgressLedger.Claim;
import dev.ddbbulk.core.ledger.ProgressLedger.Completion;
import dev.ddbbulk.core.ledger.ProgressLedger.Lease;
import dev.ddbbulk.core.ledger.ProgressLedger.Pages;
import dev.ddbbulk.core.message.SortKeyRange;
import dev.ddbbulk.core.testing.MutableClock;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Ranges split off a segment in the ledger: recorded with the segment's move, claimed, completed, dead-lettered. */
@ExtendWith(EmbeddedServicesExtension.class)
class SegmentSplitsIT {
    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;

    private MutableClock clock;
    private ProgressLedger ledger;
    private String runId;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void newLedgerWithARun() {
        clock = MutableClock.atEpochSecond(1_700_000_000);
        ledger = new ProgressLedger(dynamoDb, environment.unique("ledger"), clock);
        ledger.createTableIfMissing();
        runId = environment.unique("run");
        ledger.startRun(runId, JobConfig.builder().sourceTable("source-table").totalSegments(2).build());
    }

    private static Map<String, AttributeValue> key(int sort) {
        return Map.of("pk", AttributeValue.fromS("hot"), "sk", AttributeValue.fromN(Integer.toString(sort)));
    }

    private static List<SortKeyRange> ranges(int count) {
        return ranges(1, count);
    }

    private static List<SortKeyRange> ranges(int first, int count) {
        List<SortKeyRange> ranges = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            ranges.add(new SortKeyRange(i, "pk", key(100 * i), key(100 * (i + 1))));
        }
        return ranges;
    }

    private Lease claim(int segment, int range, String message) {
        var claim = ledger.claim(runId, segment, range, message, "owner-" + message,
                clock.instant().plus(Duration.ofMinutes(15)), null);
        assertThat(claim).isInstanceOf(Claim.Granted.class);
        return ((Claim.Granted) claim).lease();
    }

    private Lease splitSegmentZero(int ranges) {
        Lease lease = claim(0, 0, "segment-0");
        assertThat(ledger.allocateRanges(runId, 0, ranges)).isEqualTo(1);
        Counts page = new Counts(100, 100, 0, 0, 0, 0);
        return ledger.split(lease, Pages.NONE.plus(page, key(100)), key(999), ranges(ranges));
    }

    @Test
    void split_whenLeaseHeld_movesTheCheckpointPastTheCollectionRecordsPendingRangesAndCountsThem() {
        Lease after = splitSegmentZero(3);

        SegmentRecord segment = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(segment.checkpoint()).isEqualTo(key(999));
        assertThat(segment.ranges()).isEqualTo(3);
        assertThat(segment.counts().scanned()).isEqualTo(100);
        assertThat(after.pages()).isEqualTo(1).isEqualTo(segment.pages());
        assertThat(ledger.pendingRanges(runId, 0)).isEqualTo(ranges(3));
        assertThat(ledger.openRanges(runId)).containsOnlyKeys(0);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.rangesCreated()).isEqualTo(3);
        assertThat(run.rangesCompleted()).isZero();
    }

    @Test
    void splitRange_whenTheRangeKeepsReading_shrinksItAndRecordsTheRestAsNewRangesOfTheSegment() {
        splitSegmentZero(1);
        Lease range = claim(0, 1, "range-1");
        int first = ledger.allocateRanges(runId, 0, 2);
        SortKeyRange shrunk = new SortKeyRange(1, "pk", key(100), key(150));
        Counts page = new Counts(20, 20, 0, 0, 0, 0);

        Lease after = ledger.splitRange(range, Pages.NONE.plus(page, key(120)), key(120), shrunk, ranges(first, 2));

        assertThat(first).isEqualTo(2);
        SegmentRecord row = ledger.findSegment(runId, 0, 1).orElseThrow();
        assertThat(row.bounds()).isEqualTo(shrunk);
        assertThat(row.checkpoint()).isEqualTo(key(120));
        assertThat(row.ranges()).as("ranges split off this one").isEqualTo(2);
        assertThat(row.counts().scanned()).isEqualTo(20);
        assertThat(after.pages()).isEqualTo(1);
        assertThat(ledger.pendingRanges(runId, 0)).isEqualTo(ranges(2, 2));
        assertThat(ledger.findRun(runId).orElseThrow().rangesCreated()).isEqualTo(3);
    }

    @Test
    void split_whenTheLeaseIsLost_recordsNothing() {
        Lease lease = claim(0, 0, "segment-0");
        Lease stale = new Lease(runId, 0, "someone-else", lease.pages());

        assertThatThrownBy(() -> ledger.split(stale, Pages.NONE, key(999), ranges(2)))
                .isInstanceOf(ProgressLedger.LeaseLostException.class);

        assertThat(ledger.pendingRanges(runId, 0)).isEmpty();
        assertThat(ledger.findRun(runId).orElseThrow().rangesCreated()).isZero();
    }

    @Test
    void claim_whenTheRangeWasNeverRecorded_refusesToCreateIt() {
        assertThatThrownBy(() -> ledger.claim(runId, 1, 4, "stray", "owner", clock.instant().plusSeconds(60), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("range 4 of segment 1");

        assertThat(ledger.findSegment(runId, 1)).isEmpty();
    }

    @Test
    void complete_whenScanAndRangesAreDone_completesTheSegmentAndTheRunOnlyThen() {
        Lease scan = splitSegmentZero(2);
        Lease range1 = claim(0, 1, "range-1");
        Lease range2 = claim(0, 2, "range-2");
        Lease segment1 = claim(1, 0, "segment-1");
        Counts ten = new Counts(10, 10, 0, 0, 0, 0);

        assertThat(ledger.pendingRanges(runId, 0)).as("claimed ranges are not pending").isEmpty();
        ledger.complete(List.of(new Completion(scan, Pages.NONE.plus(ten, null), ten, 0),
                new Completion(segment1, Pages.NONE.plus(ten, null), ten, 0),
                new Completion(range1, Pages.NONE.plus(ten, null), ten, 0)));

        RunProgress progress = ledger.progress(runId);
        assertThat(progress.run().segmentsCompleted()).as("own scans done").isEqualTo(2);
        assertThat(progress.segmentsCompleted()).as("segment 0 awaits its range 2").isEqualTo(1);
        assertThat(progress.run().complete()).isFalse();
        assertThat(progress.settled()).isFalse();

        clock.advance(Duration.ofSeconds(5));
        ledger.complete(List.of(new Completion(range2, Pages.NONE.plus(ten, null), ten, 0)));

        progress = ledger.progress(runId);
        assertThat(progress.segmentsCompleted()).isEqualTo(2);
        assertThat(progress.run().complete()).isTrue();
        assertThat(progress.run().rangesCompleted()).isEqualTo(2);
        assertThat(progress.run().completedCounts().scanned()).isEqualTo(40);
        assertThat(progress.counts().scanned()).as("rows: the split's page and the four completions").isEqualTo(140);
        assertThat(ledger.openRanges(runId)).isEmpty();
        SegmentRecord done = ledger.findSegment(runId, 0).orElseThrow();
        assertThat(done.startedAt()).isEqualTo(Instant.ofEpochSecond(1_700_000_000));
        assertThat(done.endedAt()).isEqualTo(Instant.ofEpochSecond(1_700_000_000));
    }

    @Test
    void recordDeadLettered_whenARangeFailsOnItsLastReceive_marksItAndSettlesTheRunWithIt() {
        Lease scan = splitSegmentZero(1);
        Lease segment1 = claim(1, 0, "segment-1");
        ledger.complete(List.of(new Completion(scan, Pages.NONE, Counts.ZERO, 0),
                new Completion(segment1, Pages.NONE, Counts.ZERO, 0)));
        claim(0, 1, "range-1");

        boolean marked = ledger.recordDeadLettered(runId, 0, 1, "range-1", "IllegalStateException: poison");

        assertThat(marked).isTrue();
        List<SegmentRecord> dead = ledger.deadLettered(runId);
        assertThat(dead).singleElement().satisfies(row -> {
            assertThat(row.describe()).isEqualTo("range 1 of segment 0");
            assertThat(row.status()).isEqualTo(SegmentStatus.DEAD_LETTERED);
        });
        RunProgress progress = ledger.progress(runId);
        assertThat(progress.run().complete()).isFalse();
        assertThat(progress.settled()).isTrue();
        assertThat(ledger.openRanges(runId).get(0)).extracting(SortKeyRange::index).containsExactly(1);
    }
}
