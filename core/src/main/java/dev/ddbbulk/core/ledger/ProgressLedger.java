package dev.ddbbulk.core.ledger;

import static dev.ddbbulk.core.ledger.LedgerItems.PK;
import static dev.ddbbulk.core.ledger.LedgerItems.SK;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Retrier;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.retry.Throttling;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The source of truth for a run's progress, in a DynamoDB table: one record per run, its counter shards, and
 * one record per started segment. Every change is a conditional write, so a duplicated or redelivered message
 * can neither move a segment backwards nor count its items twice, and two deliveries never work one segment at
 * once (lease). A completion adds to one of the run's counter shards, not to the run record, so that a fleet
 * completing many segments at once does not contend for one item; reading the run sums the shards.
 *
 * <p>Layout: {@code pk = runId}; {@code sk = "RUN"} for the run, {@code "RUN#COUNTS#07"} for one of its
 * 64 counter shards, {@code "SEG#0000042"} for a segment.
 */
public final class ProgressLedger {
    /** The ledger table's key schema, which template.yaml's LedgerTable must match. */
    public static final String PARTITION_KEY = LedgerItems.PK;
    public static final String SORT_KEY = LedgerItems.SK;
    /** The attribute, in epoch seconds, that template.yaml's LedgerTable names as its TTL attribute. */
    public static final String EXPIRES_AT = LedgerItems.EXPIRES_AT;
    /** Segments one completing transaction takes: DynamoDB allows 100 items, one of them a counter shard. */
    public static final int MAX_COMPLETIONS = 99;

    /** The most ranges one split makes: its transaction holds them, the segment and a counter shard (100 items). */
    public static final int MAX_SPLIT_RANGES = 98;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;
    private final RunRecords runs;
    private final SegmentLeases leases;
    private final SegmentCompletions segmentCompletions;
    private final LedgerQueries queries;
    private final DeadLetters deadLetters;
    private final SegmentSplits splits;
    private final Retrier retrier;

    /** A ledger that keeps every record. */
    public ProgressLedger(DynamoDbClient dynamoDb, String table, Clock clock) {
        this(dynamoDb, table, clock, Duration.ZERO);
    }

    /**
     * @param doneSegmentTtl how long a segment's record is kept once the segment is done: marking it done sets
     *                       {@link #EXPIRES_AT} to then plus this, for the table's TTL to delete it. Zero keeps
     *                       it forever. The run record and its counter shards, which hold the run's totals,
     *                       are always kept.
     */
    public ProgressLedger(DynamoDbClient dynamoDb, String table, Clock clock, Duration doneSegmentTtl) {
        this(dynamoDb, table, clock, new Retrier(Backoff.DEFAULT, new Random(), Sleeper.SYSTEM), doneSegmentTtl);
    }

    /** @param retrier retries the ledger's throttled calls, which the SDK leaves to ddb-bulk */
    public ProgressLedger(DynamoDbClient dynamoDb, String table, Clock clock, Retrier retrier) {
        this(dynamoDb, table, clock, retrier, Duration.ZERO);
    }

    public ProgressLedger(DynamoDbClient dynamoDb, String table, Clock clock, Retrier retrier, Duration doneSegmentTtl) {
        if (doneSegmentTtl.isNegative()) {
            throw new IllegalArgumentException("A done segment's TTL must be zero (keep) or positive, got " + doneSegmentTtl);
        }
        this.retrier = retrier;
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
        this.runs = new RunRecords(dynamoDb, table, clock);
        this.segmentCompletions = new SegmentCompletions(dynamoDb, table, clock, doneSegmentTtl);
        this.queries = new LedgerQueries(dynamoDb, table, runs);
        this.leases = new SegmentLeases(dynamoDb, table, clock, queries);
        this.deadLetters = new DeadLetters(dynamoDb, table, clock, retrier);
        this.splits = new SegmentSplits(dynamoDb, table, clock, queries);
    }

    public String table() {
        return table;
    }

    /** Creates the ledger table (on-demand) unless it exists, and waits until it is active. */
    public void createTableIfMissing() {
        try {
            dynamoDb.describeTable(b -> b.tableName(table));
            return;
        } catch (ResourceNotFoundException e) {
            // created below
        }
        try {
            dynamoDb.createTable(b -> b.tableName(table)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(PK).attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(SK).attributeType(ScalarAttributeType.S).build())
                    .keySchema(
                            KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build()));
        } catch (ResourceInUseException e) {
            // another process created it between our describe and create: fine, wait for it below
        }
        dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(table));
    }

    /**
     * Records a new run. Retrying with the same job returns the existing record, so a retried seeder is
     * harmless; the same run id with another job is refused.
     */
    public RunRecord startRun(String runId, JobConfig job) {
        return call(() -> runs.startRun(runId, job));
    }

    /** How many times a later attempt at the run changed its fleet settings (see {@link #startRun}). */
    public int fleetChanges(String runId) {
        return call(() -> runs.fleetChanges(runId));
    }

    public void markSeeded(String runId) {
        call(() -> {
            runs.markSeeded(runId);
            return null;
        });
    }

    /** The run, its counters summed over its counter shards (one query, however many segments the run has). */
    public Optional<RunRecord> findRun(String runId) {
        return call(() -> runs.findRun(runId));
    }

    /**
     * When the run's latest segment completed (the latest over its counter shards): for a complete run, when the
     * run ended (so a rate over a finished run does not decay with the time since). Empty before the first
     * segment completes.
     */
    public Optional<Instant> lastCompletedAt(String runId) {
        return call(() -> runs.lastCompletedAt(runId));
    }

    /**
     * Claims a segment for one delivery of message {@code messageId} until {@code leaseUntil}, or says why it
     * cannot. A lease that has not expired is taken over only by a later delivery of the same message: the
     * earlier one has ended (it failed, perhaps without releasing the lease, or its worker died), or, if SQS
     * delivered the message twice at once, it loses the lease at its next ledger write and stops. Any other
     * message for the segment is a duplicate while the lease holds.
     */
    public Claim claim(String runId, int segment, String messageId, String owner, Instant leaseUntil) {
        return call(() -> leases.claim(runId, segment, messageId, owner, leaseUntil));
    }

    /**
     * As {@link #claim(String, int, String, String, Instant)}, for a message of a resume that started at
     * {@code resumedAt} (null for any other message): a lease claimed before then is taken over too, since
     * the resume is started once the run's fleet has stopped. Should a delivery of that fleet still be at
     * work, it loses the lease at its next ledger write and stops, as after an expired lease.
     */
    public Claim claim(String runId, int segment, String messageId, String owner, Instant leaseUntil,
                       Instant resumedAt) {
        return claim(runId, segment, 0, messageId, owner, leaseUntil, resumedAt);
    }

    /** As {@link #claim(String, int, String, String, Instant, Instant)}, for range {@code range} of the segment (0: its own scan). */
    public Claim claim(String runId, int segment, int range, String messageId, String owner, Instant leaseUntil,
                       Instant resumedAt) {
        return call(() -> leases.claim(runId, segment, range, messageId, owner, leaseUntil, resumedAt));
    }

    /**
     * Takes {@code count} new range numbers of a segment, for a split to use: numbers are never reused, so a split
     * that fails after this leaves a gap, not a clash.
     *
     * @return the first of them
     */
    public int allocateRanges(String runId, int segment, int count) {
        return call(() -> splits.allocate(runId, segment, count));
    }

    /**
     * Splits an item collection off a segment: in one transaction, saves the pages written since the last
     * checkpoint, moves the segment's checkpoint to {@code resumeAfter} (past the collection), records each
     * range as a pending row under the segment, and counts the ranges into the run. The caller sends the
     * ranges' messages next; should it fail to, the segment's next delivery sends those still pending
     * ({@link #pendingRanges}).
     *
     * @param ranges 1..{@link #MAX_SPLIT_RANGES} ranges, numbered by {@link #allocateRanges}
     * @return the lease, now knowing the pages saved
     * @throws LeaseLostException when the lease is lost; nothing was recorded
     */
    public Lease split(Lease lease, Pages sinceCheckpoint, Map<String, AttributeValue> resumeAfter,
                       List<dev.ddbbulk.core.message.SortKeyRange> ranges) {
        return call(() -> splits.split(lease, sinceCheckpoint, resumeAfter, null, ranges));
    }

    /**
     * Splits the rest of a range that keeps reading: as {@link #split} for a segment, but the range itself shrinks
     * to {@code shrunk} (its first part) and goes on from its checkpoint {@code position}, while the other parts
     * become new ranges of the segment.
     */
    public Lease splitRange(Lease lease, Pages sinceCheckpoint, Map<String, AttributeValue> position,
                            dev.ddbbulk.core.message.SortKeyRange shrunk,
                            List<dev.ddbbulk.core.message.SortKeyRange> ranges) {
        return call(() -> splits.split(lease, sinceCheckpoint, position, java.util.Objects.requireNonNull(shrunk),
                ranges));
    }

    /** The ranges split off a segment that no delivery has claimed yet: their messages may never have been sent. */
    public List<dev.ddbbulk.core.message.SortKeyRange> pendingRanges(String runId, int segment) {
        return call(() -> splits.pending(runId, segment));
    }

    /** Every range of the run that is not done, by segment: what a resume sends again. */
    public Map<Integer, List<dev.ddbbulk.core.message.SortKeyRange>> openRanges(String runId) {
        return call(() -> splits.open(runId));
    }

    /**
     * Records written pages: the new checkpoint and the pages' counts, atomically. The write also requires the
     * page count the lease last saw, so a call that the SDK sends again after a lost response cannot add the
     * counts twice; such a replay is recognised and succeeds.
     *
     * @return the lease, now knowing the pages saved
     */
    public Lease checkpoint(Lease lease, Pages pages) {
        return call(() -> leases.checkpoint(lease, pages));
    }

    /**
     * Marks the segment done with the counts of the pages written since the last checkpoint and adds the
     * segment's totals to the run, in one transaction: see {@link #complete(List)}.
     *
     * @param sinceCheckpoint the pages since the last checkpoint, including the last page
     * @param totals          the segment's counts including the last page
     * @throws LeaseLostException when the lease is lost; nothing was counted
     */
    public void complete(Lease lease, Pages sinceCheckpoint, Counts totals, long continuations) {
        call(() -> {
            segmentCompletions.complete(lease, sinceCheckpoint, totals, continuations);
            return null;
        });
    }

    /**
     * Marks segments of one run done, each with the counts of its pages since its last checkpoint, and adds
     * their totals to the run, in one transaction (whose SDK-made idempotency token makes a retry harmless):
     * a segment is counted into its run exactly once. One transaction for many segments costs DynamoDB
     * about what one for a single segment does, and a counter shard is written once, not once a segment.
     *
     * <p>A segment whose lease was lost (its condition failed) is left out and returned, and the others
     * are sent again without it.
     *
     * @param completions at most {@link #MAX_COMPLETIONS} segments, all of one run
     * @return the completions not applied because their lease is lost; the rest are done
     * @throws TransactionCanceledException for any other cancellation, a conflict among them
     *                                      ({@link #isTransactionConflict}); nothing was applied
     */
    public List<Completion> complete(List<Completion> completions) {
        return call(() -> segmentCompletions.complete(completions));
    }

    /**
     * Whether DynamoDB cancelled a transaction because another one held one of its items (on AWS a counter
     * shard, when two transactions in flight at once pick the same one). Nothing of it was applied: it may be
     * sent again.
     */
    public static boolean isTransactionConflict(TransactionCanceledException e) {
        return e.hasCancellationReasons() && e.cancellationReasons().stream()
                .anyMatch(reason -> "TransactionConflict".equals(reason.code()));
    }

    /**
     * Saves the pages written since the last checkpoint and gives the segment up, so the continuation
     * message sent next can claim it. Idempotent: when the segment is no longer ours (this call was sent
     * twice, or the lease expired and another delivery has it) but not done, it returns normally, because
     * a continuation for a segment someone holds is acknowledged without work.
     *
     * @throws LeaseLostException when the segment is done: there is nothing left to continue
     */
    public void releaseForContinuation(Lease lease, Pages sinceCheckpoint) {
        call(() -> {
            leases.releaseForContinuation(lease, sinceCheckpoint);
            return null;
        });
    }

    /**
     * Records why a delivery failed, saves the pages it wrote before the failure, and gives the segment up
     * for the next delivery.
     */
    public void recordFailure(Lease lease, String error, Pages sinceCheckpoint) {
        call(() -> {
            leases.recordFailure(lease, error, sinceCheckpoint);
            return null;
        });
    }

    /**
     * Marks a segment dead-lettered: its delivery {@code messageId} failed on the queue's last receive, so the
     * queue moves the message to its dead-letter queue. A segment that is done, or whose lease another
     * delivery holds, is left as it is. Returns whether the segment was marked.
     */
    public boolean recordDeadLettered(String runId, int segment, String messageId, String error) {
        return recordDeadLettered(runId, segment, 0, messageId, error);
    }

    /** As {@link #recordDeadLettered(String, int, String, String)}, for range {@code range} of the segment. */
    public boolean recordDeadLettered(String runId, int segment, int range, String messageId, String error) {
        return call(() -> deadLetters.record(runId, segment, range, messageId, error));
    }

    /**
     * The run's segments that are dead-lettered now (a redriven one no longer is), in segment order; reads
     * one marker a dead-lettered segment, not the run's other segments.
     */
    public List<SegmentRecord> deadLettered(String runId) {
        return call(() -> deadLetters.of(runId));
    }

    public Optional<SegmentRecord> findSegment(String runId, int segment) {
        return call(() -> queries.findSegment(runId, segment));
    }

    /** A range's row (range 0: the segment's own). */
    public Optional<SegmentRecord> findSegment(String runId, int segment, int range) {
        return call(() -> queries.findSegment(runId, segment, range));
    }

    /** The segments of a run that are done, read with a paginated query of the segment records. */
    public java.util.BitSet completedSegments(String runId) {
        return call(() -> queries.completedSegments(runId));
    }

    /**
     * Visits every started segment of a run and every range split off one, in segment order (a segment's
     * ranges right after it), reading them a page at a time so that a run of any size fits in memory.
     */
    public void forEachSegment(String runId, java.util.function.Consumer<SegmentRecord> visitor) {
        // Each page is retried on its own, so that a throttled page does not visit the earlier ones twice.
        queries.forEachSegment(runId, request -> call(() -> dynamoDb.query(request)), visitor);
    }

    /** Reads the run and all its started segments (paginated query). */
    public RunProgress progress(String runId) {
        return call(() -> queries.progress(runId));
    }

    /**
     * A delivery's hold on a segment.
     *
     * @param pages the pages the ledger has saved for the segment, as this delivery knows; every write of
     *              the delivery requires it, so a replayed write cannot count anything twice
     */
    public record Lease(String runId, int segment, int range, String owner, long pages) {
        /** A lease on a segment's own scan. */
        public Lease(String runId, int segment, String owner, long pages) {
            this(runId, segment, 0, owner, pages);
        }

        Lease withPages(long saved) {
            return new Lease(runId, segment, range, owner, saved);
        }

        /** "segment 42" or "range 3 of segment 42". */
        public String describe() {
            return dev.ddbbulk.core.message.SegmentMessage.describe(segment, range);
        }
    }

    /**
     * Pages a delivery has written since its last checkpoint: how many, their counts, and the
     * LastEvaluatedKey of the last one (null after a segment's last page).
     */
    public record Pages(int count, Counts counts, Map<String, AttributeValue> lastEvaluatedKey) {
        public static final Pages NONE = new Pages(0, Counts.ZERO, null);

        public Pages plus(Counts page, Map<String, AttributeValue> lastEvaluatedKey) {
            return new Pages(count + 1, counts.plus(page), lastEvaluatedKey);
        }
    }

    /**
     * A segment whose last page is written, to be marked done.
     *
     * @param sinceCheckpoint the pages since the last checkpoint, including the last page
     * @param totals          the segment's counts including the last page
     * @param continuations   the continuations the segment took, added to the run's
     */
    public record Completion(Lease lease, Pages sinceCheckpoint, Counts totals, long continuations) {
    }

    /** The outcome of {@link #claim}. */
    public sealed interface Claim {
        SegmentRecord segment();

        record Granted(Lease lease, SegmentRecord segment) implements Claim {
        }

        record AlreadyDone(SegmentRecord segment) implements Claim {
        }

        record Leased(SegmentRecord segment) implements Claim {
        }
    }

    /** Another delivery took the segment over (our lease expired); this delivery must stop touching it. */
    public static final class LeaseLostException extends RuntimeException {
        public LeaseLostException(Lease lease, Throwable cause) {
            super("Lost the lease on " + lease.describe() + " of run " + lease.runId(), cause);
        }
    }

    /**
     * Makes a ledger call, retrying it while DynamoDB throttles it (a throttled write is not applied, so
     * sending it again is safe). An interrupt during the backoff fails the call, keeping the interrupt.
     */
    private <T> T call(Retrier.Attempt<T> call) {
        try {
            return retrier.call(call, Throttling::isThrottling);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while retrying a throttled call to ledger " + table, e);
        }
    }

    public static Duration leaseGrace() {
        return Duration.ofSeconds(10);
    }
}
