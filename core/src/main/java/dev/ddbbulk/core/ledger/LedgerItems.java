package dev.ddbbulk.core.ledger;

import dev.ddbbulk.core.job.JobConfigCodec;
import dev.ddbbulk.core.message.DynamoDbKeyCodec;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * How the ledger's records are laid out: keys, attribute names, and conversions between items and records.
 * Layout: {@code pk = runId}; {@code sk = "RUN"} for the run, {@code "RUN#COUNTS#07"} for one of its counter
 * shards, {@code "SEG#0000042"} for a segment, {@code "SEG#0000042#R00003"} for a range split off it. The run's record and its shards are the items whose sort key
 * begins with {@code "RUN"}, read together by one query.
 */
final class LedgerItems {
    private LedgerItems() {
    }

    static final String PK = "pk";

    static final String SK = "sk";

    static final String RUN_SK = "RUN";

    /**
     * How many counter shards a run has. Completing transactions add to one each, so two of them in flight at
     * once contend only when they pick the same shard, about one pair in 64, where with the run record alone
     * every pair did. All are created with the run in one transaction, which takes 100 items (so at most 99
     * shards); reading the run reads them all, about 100 bytes each. A power of two for {@link #counterShard}.
     */
    static final int COUNTER_SHARDS = 64;

    private static final int COUNTER_SHARD_BITS = Integer.numberOfTrailingZeros(COUNTER_SHARDS);

    /** When DynamoDB's TTL may delete a done segment's record, in epoch seconds; a run's record and shards never do. */
    static final String EXPIRES_AT = "expiresAt";

    /** When a segment's first delivery claimed it, and when it was marked done, in epoch milliseconds. */
    static final String STARTED_AT = "startedAt";

    static final String ENDED_AT = "endedAt";

    /** A range's row: its bounds as they are now, as JSON (see {@code SegmentMessageCodec#rangeToJson}). */
    static final String RANGE = "range";

    /** The counters a segment or run adds up, as ADD clauses over {@link #withCounts}' values. */
    static final String ADD_COUNTS = "scanned :sc, written :wr, deleted :de, skipped :sk, conditionalFailures :cf, alreadyApplied :aa";

    /** A segment's lease, removed together whenever the lease ends. */
    static final String LEASE = "leaseOwner, leaseMessage, leaseExpiresAt, leaseClaimedAt";

    /** A segment's lastError, cut to 2,000 characters so that a huge message cannot outgrow the item. */
    static String trimmedError(String error) {
        return error.length() > 2000 ? error.substring(0, 2000) + "..." : error;
    }

    static String text(AttributeValue v) {
        return v == null ? null : v.s();
    }

    static Map<String, AttributeValue> runKey(String runId) {
        return Map.of(PK, s(runId), SK, s(RUN_SK));
    }

    static Map<String, AttributeValue> counterKey(String runId, int shard) {
        return Map.of(PK, s(runId), SK, s(String.format("%s#COUNTS#%02d", RUN_SK, shard)));
    }

    /**
     * The counter shard of the transaction that completes {@code segment} first. Derived from the segment rather
     * than drawn at random so that it needs no state and a test can tell which shard a transaction writes;
     * Fibonacci hashing spreads the segments a fleet completes at once, mostly near each other and often in
     * steps of a batch's size, over all shards, where a plain modulo would leave some shards out.
     */
    static int counterShard(int segment) {
        return (segment * 0x9E3779B9) >>> (Integer.SIZE - COUNTER_SHARD_BITS);
    }

    static Map<String, AttributeValue> segmentKey(String runId, int segment) {
        return segmentKey(runId, segment, 0);
    }

    /** The key of a segment's own row (range 0), or of a range split off it, which sorts right after it. */
    static Map<String, AttributeValue> segmentKey(String runId, int segment, int range) {
        return Map.of(PK, s(runId), SK, s(segmentSortKey(segment, range)));
    }

    static final String SEGMENT_PREFIX = "SEG#";

    private static final String RANGE_INFIX = "#R";

    static String segmentSortKey(int segment, int range) {
        return range == 0 ? String.format(SEGMENT_PREFIX + "%07d", segment)
                : String.format(SEGMENT_PREFIX + "%07d" + RANGE_INFIX + "%05d", segment, range);
    }

    /** The segment and range of a sort key after its prefix: "0000042" or "0000042#R00003". */
    static int[] segmentAndRange(String afterPrefix) {
        int infix = afterPrefix.indexOf(RANGE_INFIX);
        return infix < 0 ? new int[] {Integer.parseInt(afterPrefix), 0}
                : new int[] {Integer.parseInt(afterPrefix.substring(0, infix)),
                        Integer.parseInt(afterPrefix.substring(infix + RANGE_INFIX.length()))};
    }


    static Map<String, AttributeValue> withCounts(Counts c, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> all = new HashMap<>(values);
        all.put(":sc", n(c.scanned()));
        all.put(":wr", n(c.written()));
        all.put(":de", n(c.deleted()));
        all.put(":sk", n(c.skipped()));
        all.put(":cf", n(c.conditionalFailures()));
        all.put(":aa", n(c.alreadyApplied()));
        return all;
    }

    /** The run from its record and its counter shards, whose counters it sums; empty without the record. */
    static Optional<RunRecord> toRun(List<Map<String, AttributeValue>> items) {
        Map<String, AttributeValue> run = null;
        long segmentsCompleted = 0;
        Counts counts = Counts.ZERO;
        long continuations = 0;
        long rangesCreated = 0;
        long rangesCompleted = 0;
        for (Map<String, AttributeValue> item : items) {
            if (RUN_SK.equals(item.get(SK).s())) {
                run = item;
            }
            segmentsCompleted += number(item.get("segmentsCompleted"));
            counts = counts.plus(counts(item));
            continuations += number(item.get("continuations"));
            rangesCreated += number(item.get("rangesCreated"));
            rangesCompleted += number(item.get("rangesCompleted"));
        }
        if (run == null) {
            return Optional.empty();
        }
        return Optional.of(new RunRecord(run.get(PK).s(), JobConfigCodec.fromJson(run.get("job").s()),
                instant(run.get("createdAt")), instant(run.get("seededAt")), segmentsCompleted, counts,
                continuations, rangesCreated, rangesCompleted));
    }

    static SegmentRecord toSegment(Map<String, AttributeValue> item) {
        String sk = item.get(SK).s();
        AttributeValue checkpoint = item.get("checkpoint");
        AttributeValue status = item.get("status");
        AttributeValue error = item.get("lastError");
        int[] id = segmentAndRange(sk.substring(SEGMENT_PREFIX.length()));
        return new SegmentRecord(item.get(PK).s(), id[0], id[1],
                status == null ? SegmentStatus.IN_PROGRESS : SegmentStatus.valueOf(status.s()),
                checkpoint == null ? null : DynamoDbKeyCodec.fromJson(checkpoint.s()), counts(item),
                number(item.get("pages")), number(item.get("continuations")), number(item.get("attempts")),
                error == null ? null : error.s(), number(item.get("ranges")), instant(item.get(STARTED_AT)),
                instant(item.get(ENDED_AT)), item.containsKey(RANGE)
                        ? dev.ddbbulk.core.message.SegmentMessageCodec.rangeFromJson(item.get(RANGE).s())
                        : null);
    }

    static Counts counts(Map<String, AttributeValue> item) {
        return new Counts(number(item.get("scanned")), number(item.get("written")), number(item.get("deleted")),
                number(item.get("skipped")), number(item.get("conditionalFailures")),
                number(item.get("alreadyApplied")));
    }

    static long number(AttributeValue v) {
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    static Instant instant(AttributeValue v) {
        return v == null || v.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(v.n()));
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
