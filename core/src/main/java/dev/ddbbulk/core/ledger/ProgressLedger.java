package dev.ddbbulk.core.ledger;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.JobConfigCodec;
import dev.ddbbulk.core.message.DynamoDbKeyCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The source of truth for a run's progress, in a DynamoDB table: one record per run and one per started
 * segment. Every change is a conditional write, so a duplicated or redelivered message can neither move a
 * segment backwards nor count its items twice, and two deliveries never work one segment at once (lease).
 *
 * <p>Layout: {@code pk = runId}; {@code sk = "RUN"} for the run, {@code "SEG#0000042"} for a segment.
 */
public final class ProgressLedger {
    static final String PK = "pk";
    static final String SK = "sk";
    static final String RUN_SK = "RUN";
    /** The counters a segment or run adds up, as ADD clauses over {@link #withCounts}' values. */
    private static final String ADD_COUNTS = "scanned :sc, written :wr, deleted :de, skipped :sk, conditionalFailures :cf, alreadyApplied :aa";
    /** A segment's lease, removed together whenever the lease ends. */
    private static final String LEASE = "leaseOwner, leaseMessage, leaseExpiresAt, leaseClaimedAt";
    /** Segments one completing transaction takes: DynamoDB allows 100 items, one of them the run record. */
    public static final int MAX_COMPLETIONS = 99;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;

    public ProgressLedger(DynamoDbClient dynamoDb, String table, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
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
        String jobJson = JobConfigCodec.toJson(job);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(runId));
        item.put(SK, s(RUN_SK));
        item.put("job", s(jobJson));
        item.put("totalSegments", n(job.totalSegments()));
        item.put("createdAt", n(clock.millis()));
        item.put("segmentsCompleted", n(0));
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return findRun(runId).orElseThrow();
        } catch (ConditionalCheckFailedException e) {
            RunRecord existing = findRun(runId).orElseThrow(() -> new IllegalStateException(
                    "Run " + runId + " was refused as existing but cannot be read", e));
            if (!existing.job().equals(job)) {
                throw new InvalidJobException("Run '" + runId + "' already exists in ledger " + table
                        + " with another job (" + JobConfigCodec.toJson(existing.job()) + "); use a new run id", e);
            }
            return existing;
        }
    }

    public void markSeeded(String runId) {
        dynamoDb.updateItem(b -> b.tableName(table).key(runKey(runId))
                .updateExpression("SET seededAt = if_not_exists(seededAt, :now)")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":now", n(clock.millis()))));
    }

    public Optional<RunRecord> findRun(String runId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(runKey(runId))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(toRun(item));
    }

    /**
     * When the run's latest segment completed: for a complete run, when the run ended (so a rate over a
     * finished run does not decay with the time since). Empty before the first segment completes.
     */
    public Optional<Instant> lastCompletedAt(String runId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(runKey(runId))
                .projectionExpression("lastCompletedAt").consistentRead(true)).item();
        return item == null ? Optional.empty() : Optional.ofNullable(instant(item.get("lastCompletedAt")));
    }

    /**
     * Claims a segment for one delivery of message {@code messageId} until {@code leaseUntil}, or says why it
     * cannot. A lease that has not expired is taken over only by a later delivery of the same message: the
     * earlier one has ended (it failed, perhaps without releasing the lease, or its worker died), or, if SQS
     * delivered the message twice at once, it loses the lease at its next ledger write and stops. Any other
     * message for the segment is a duplicate while the lease holds.
     */
    public Claim claim(String runId, int segment, String messageId, String owner, Instant leaseUntil) {
        return claim(runId, segment, messageId, owner, leaseUntil, null);
    }

    /**
     * As {@link #claim(String, int, String, String, Instant)}, for a message of a resume that started at
     * {@code resumedAt} (null for any other message): a lease claimed before then is taken over too, since
     * the resume is started once the run's fleet has stopped. Should a delivery of that fleet still be at
     * work, it loses the lease at its next ledger write and stops, as after an expired lease.
     */
    public Claim claim(String runId, int segment, String messageId, String owner, Instant leaseUntil,
                       Instant resumedAt) {
        Instant now = clock.instant();
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":running", s(SegmentStatus.IN_PROGRESS.name()),
                ":done", s(SegmentStatus.DONE.name()), ":me", s(owner), ":msg", s(messageId),
                ":until", n(leaseUntil.toEpochMilli()), ":now", n(now.toEpochMilli()), ":one", n(1), ":zero", n(0)));
        if (resumedAt != null) {
            values.put(":resumed", n(resumedAt.toEpochMilli()));
        }
        try {
            Map<String, AttributeValue> item = dynamoDb.updateItem(b -> b.tableName(table)
                    .key(segmentKey(runId, segment))
                    .updateExpression("SET #st = :running, leaseOwner = :me, leaseMessage = :msg,"
                            + " leaseExpiresAt = :until, leaseClaimedAt = :now, updatedAt = :now,"
                            + " pages = if_not_exists(pages, :zero) ADD attempts :one")
                    .conditionExpression("attribute_not_exists(#st) OR (#st <> :done AND (attribute_not_exists(leaseOwner)"
                            + " OR leaseExpiresAt < :now OR leaseMessage = :msg"
                            + (resumedAt != null ? " OR leaseClaimedAt < :resumed" : "") + "))")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
            SegmentRecord record = toSegment(item);
            return new Claim.Granted(new Lease(runId, segment, owner, record.pages()), record);
        } catch (ConditionalCheckFailedException e) {
            SegmentRecord current = findSegment(runId, segment).orElseThrow(() -> new IllegalStateException(
                    "Segment " + segment + " of run " + runId + " refused a claim but cannot be read", e));
            return current.status() == SegmentStatus.DONE ? new Claim.AlreadyDone(current) : new Claim.Leased(current);
        }
    }

    /**
     * Records written pages: the new checkpoint and the pages' counts, atomically. The write also requires the
     * page count the lease last saw, so a call that the SDK sends again after a lost response cannot add the
     * counts twice; such a replay is recognised and succeeds.
     *
     * @return the lease, now knowing the pages saved
     */
    public Lease checkpoint(Lease lease, Pages pages) {
        if (pages.count() == 0 || pages.lastEvaluatedKey() == null) {
            throw new IllegalArgumentException("A checkpoint needs at least one page and its LastEvaluatedKey, got "
                    + pages.count() + " page(s)");
        }
        long after = lease.pages() + pages.count();
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(segmentKey(lease.runId(), lease.segment()))
                    .updateExpression("SET updatedAt = :now" + saving(pages) + " ADD " + ADD_COUNTS)
                    .conditionExpression("leaseOwner = :me AND #st = :running AND pages = :before")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(saved(lease, pages, Map.of(":now", n(clock.millis()),
                            ":me", s(lease.owner()), ":running", s(SegmentStatus.IN_PROGRESS.name()),
                            ":before", n(lease.pages())))));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> now = segmentItem(lease);
            boolean replayed = lease.owner().equals(text(now.get("leaseOwner"))) && number(now.get("pages")) == after;
            if (!replayed) {
                throw new LeaseLostException(lease, e);
            }
        }
        return lease.withPages(after);
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
        if (!complete(List.of(new Completion(lease, sinceCheckpoint, totals, continuations))).isEmpty()) {
            throw new LeaseLostException(lease, null);
        }
    }

    /**
     * Marks segments of one run done, each with the counts of its pages since its last checkpoint, and adds
     * their totals to the run, in one transaction (whose SDK-made idempotency token makes a retry harmless):
     * a segment is counted into its run exactly once. One transaction for many segments costs DynamoDB
     * about what one for a single segment does, and the run record is written once, not once a segment.
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
        if (completions.isEmpty() || completions.size() > MAX_COMPLETIONS) {
            throw new IllegalArgumentException("A completing transaction takes 1.." + MAX_COMPLETIONS
                    + " segments, got " + completions.size());
        }
        String runId = completions.get(0).lease().runId();
        if (completions.stream().anyMatch(c -> !c.lease().runId().equals(runId))) {
            throw new IllegalArgumentException("A completing transaction takes segments of one run, got "
                    + completions.stream().map(c -> c.lease().runId()).distinct().toList());
        }
        List<Completion> remaining = new ArrayList<>(completions);
        List<Completion> lost = new ArrayList<>();
        while (!remaining.isEmpty()) {
            try {
                dynamoDb.transactWriteItems(b -> b.transactItems(completing(remaining)));
                return List.copyOf(lost);
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                List<Completion> refused = new ArrayList<>();
                for (int i = 0; i < Math.min(reasons.size(), remaining.size()); i++) {
                    if ("ConditionalCheckFailed".equals(reasons.get(i).code())) {
                        refused.add(remaining.get(i));
                    }
                }
                if (refused.isEmpty()) {
                    throw e;
                }
                lost.addAll(refused);
                remaining.removeAll(refused);
            }
        }
        return List.copyOf(lost);
    }

    /** The transaction's items: one update a segment, then one of the run with their sums. */
    private List<TransactWriteItem> completing(List<Completion> completions) {
        long now = clock.millis();
        List<TransactWriteItem> items = new ArrayList<>(completions.size() + 1);
        Counts totals = Counts.ZERO;
        long continuations = 0;
        for (Completion c : completions) {
            Lease lease = c.lease();
            items.add(TransactWriteItem.builder().update(Update.builder().tableName(table)
                    .key(segmentKey(lease.runId(), lease.segment()))
                    .updateExpression("SET #st = :done, updatedAt = :now, pages = :after"
                            + " REMOVE checkpoint, " + LEASE
                            + " ADD " + ADD_COUNTS)
                    .conditionExpression("leaseOwner = :me AND #st = :running AND pages = :before")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(withCounts(c.sinceCheckpoint().counts(), Map.of(
                            ":done", s(SegmentStatus.DONE.name()), ":now", n(now), ":me", s(lease.owner()),
                            ":running", s(SegmentStatus.IN_PROGRESS.name()), ":before", n(lease.pages()),
                            ":after", n(lease.pages() + c.sinceCheckpoint().count()))))
                    .build()).build());
            totals = totals.plus(c.totals());
            continuations += c.continuations();
        }
        items.add(TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(runKey(completions.get(0).lease().runId()))
                .updateExpression("SET lastCompletedAt = :now"
                        + " ADD segmentsCompleted :done, continuations :co, " + ADD_COUNTS)
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(withCounts(totals, Map.of(":done", n(completions.size()),
                        ":co", n(continuations), ":now", n(now))))
                .build()).build());
        return items;
    }

    /**
     * Whether DynamoDB cancelled a transaction because another one held one of its items (on AWS the run
     * record is such an item when many segments complete at once). Nothing of it was applied: it may be
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
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(segmentKey(lease.runId(), lease.segment()))
                    .updateExpression("REMOVE " + LEASE + " SET updatedAt = :now"
                            + saving(sinceCheckpoint) + " ADD continuations :one"
                            + (sinceCheckpoint.count() == 0 ? "" : ", " + ADD_COUNTS))
                    .conditionExpression("leaseOwner = :me AND pages = :before")
                    .expressionAttributeValues(saved(lease, sinceCheckpoint, Map.of(":me", s(lease.owner()),
                            ":now", n(clock.millis()), ":one", n(1), ":before", n(lease.pages())))));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> now = segmentItem(lease);
            if (SegmentStatus.DONE.name().equals(text(now.get("status")))) {
                throw new LeaseLostException(lease, e);
            }
        }
    }

    /**
     * Records why a delivery failed, saves the pages it wrote before the failure, and gives the segment up
     * for the next delivery.
     */
    public void recordFailure(Lease lease, String error, Pages sinceCheckpoint) {
        String trimmed = error.length() > 2000 ? error.substring(0, 2000) + "..." : error;
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":failed", s(SegmentStatus.FAILED.name()),
                ":err", s(trimmed), ":now", n(clock.millis()), ":me", s(lease.owner()), ":before", n(lease.pages())));
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(segmentKey(lease.runId(), lease.segment()))
                    .updateExpression("SET #st = :failed, lastError = :err, updatedAt = :now" + saving(sinceCheckpoint)
                            + " REMOVE " + LEASE
                            + (sinceCheckpoint.count() == 0 ? "" : " ADD " + ADD_COUNTS))
                    .conditionExpression("leaseOwner = :me AND pages = :before")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(saved(lease, sinceCheckpoint, values)));
        } catch (ConditionalCheckFailedException e) {
            throw new LeaseLostException(lease, e);
        }
    }

    /** The SET clauses (each after a comma) that save {@code pages}' checkpoint and page count, if any. */
    private static String saving(Pages pages) {
        return pages.count() == 0 ? "" : ", checkpoint = :ck, pages = :after";
    }

    /** {@code values} with those {@link #saving} and {@link #ADD_COUNTS} refer to, when there are pages to save. */
    private static Map<String, AttributeValue> saved(Lease lease, Pages pages, Map<String, AttributeValue> values) {
        if (pages.count() == 0) {
            return values;
        }
        if (pages.lastEvaluatedKey() == null) {
            throw new IllegalArgumentException("Pages to save need the LastEvaluatedKey of the last one");
        }
        Map<String, AttributeValue> all = withCounts(pages.counts(), values);
        all.put(":ck", s(DynamoDbKeyCodec.toJson(pages.lastEvaluatedKey())));
        all.put(":after", n(lease.pages() + pages.count()));
        return all;
    }

    private Map<String, AttributeValue> segmentItem(Lease lease) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table)
                .key(segmentKey(lease.runId(), lease.segment())).consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    private static String text(AttributeValue v) {
        return v == null ? null : v.s();
    }

    public Optional<SegmentRecord> findSegment(String runId, int segment) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table)
                .key(segmentKey(runId, segment)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toSegment(item));
    }

    /** The segments of a run that are done, read with a paginated query of the segment records. */
    public java.util.BitSet completedSegments(String runId) {
        java.util.BitSet done = new java.util.BitSet();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :run AND begins_with(sk, :seg)")
                    .filterExpression("#st = :done")
                    .projectionExpression("sk")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(Map.of(":run", s(runId), ":seg", s("SEG#"),
                            ":done", s(SegmentStatus.DONE.name())));
            if (startKey != null) {
                request.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamoDb.query(request.build());
            response.items().forEach(item -> done.set(Integer.parseInt(item.get(SK).s().substring(4))));
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return done;
    }

    /** Reads the run and all its started segments (paginated query). */
    public RunProgress progress(String runId) {
        RunRecord run = findRun(runId).orElseThrow(() -> new InvalidJobException(
                "Run '" + runId + "' is not in ledger " + table + "; check the run id and the ledger table"));
        Counts counts = Counts.ZERO;
        long continuations = 0;
        int started = 0;
        int inProgress = 0;
        List<SegmentRecord> failed = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :run AND begins_with(sk, :seg)")
                    .expressionAttributeValues(Map.of(":run", s(runId), ":seg", s("SEG#")));
            if (startKey != null) {
                request.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamoDb.query(request.build());
            for (Map<String, AttributeValue> item : response.items()) {
                SegmentRecord segment = toSegment(item);
                started++;
                counts = counts.plus(segment.counts());
                continuations += segment.continuations();
                if (segment.status() == SegmentStatus.IN_PROGRESS) {
                    inProgress++;
                } else if (segment.status() == SegmentStatus.FAILED) {
                    failed.add(segment);
                }
            }
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return new RunProgress(run, started, inProgress, counts, continuations, List.copyOf(failed));
    }

    static Map<String, AttributeValue> runKey(String runId) {
        return Map.of(PK, s(runId), SK, s(RUN_SK));
    }

    static Map<String, AttributeValue> segmentKey(String runId, int segment) {
        return Map.of(PK, s(runId), SK, s(String.format("SEG#%07d", segment)));
    }

    private static Map<String, AttributeValue> withCounts(Counts c, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> all = new HashMap<>(values);
        all.put(":sc", n(c.scanned()));
        all.put(":wr", n(c.written()));
        all.put(":de", n(c.deleted()));
        all.put(":sk", n(c.skipped()));
        all.put(":cf", n(c.conditionalFailures()));
        all.put(":aa", n(c.alreadyApplied()));
        return all;
    }

    private static RunRecord toRun(Map<String, AttributeValue> item) {
        return new RunRecord(item.get(PK).s(), JobConfigCodec.fromJson(item.get("job").s()),
                instant(item.get("createdAt")), instant(item.get("seededAt")),
                number(item.get("segmentsCompleted")), counts(item), number(item.get("continuations")));
    }

    private static SegmentRecord toSegment(Map<String, AttributeValue> item) {
        String sk = item.get(SK).s();
        AttributeValue checkpoint = item.get("checkpoint");
        AttributeValue status = item.get("status");
        AttributeValue error = item.get("lastError");
        return new SegmentRecord(item.get(PK).s(), Integer.parseInt(sk.substring(4)),
                status == null ? SegmentStatus.IN_PROGRESS : SegmentStatus.valueOf(status.s()),
                checkpoint == null ? null : DynamoDbKeyCodec.fromJson(checkpoint.s()), counts(item),
                number(item.get("pages")), number(item.get("continuations")), number(item.get("attempts")),
                error == null ? null : error.s());
    }

    private static Counts counts(Map<String, AttributeValue> item) {
        return new Counts(number(item.get("scanned")), number(item.get("written")), number(item.get("deleted")),
                number(item.get("skipped")), number(item.get("conditionalFailures")),
                number(item.get("alreadyApplied")));
    }

    private static long number(AttributeValue v) {
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    private static Instant instant(AttributeValue v) {
        return v == null || v.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(v.n()));
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    /**
     * A delivery's hold on a segment.
     *
     * @param pages the pages the ledger has saved for the segment, as this delivery knows; every write of
     *              the delivery requires it, so a replayed write cannot count anything twice
     */
    public record Lease(String runId, int segment, String owner, long pages) {
        Lease withPages(long saved) {
            return new Lease(runId, segment, owner, saved);
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
            super("Lost the lease on segment " + lease.segment() + " of run " + lease.runId(), cause);
        }
    }

    public static Duration leaseGrace() {
        return Duration.ofSeconds(10);
    }
}
