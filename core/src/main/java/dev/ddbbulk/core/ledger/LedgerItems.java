package dev.ddbbulk.core.ledger;

import dev.ddbbulk.core.job.JobConfigCodec;
import dev.ddbbulk.core.message.DynamoDbKeyCodec;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * How the ledger's records are laid out: keys, attribute names, and conversions between items and records.
 * Layout: {@code pk = runId}; {@code sk = "RUN"} for the run, {@code "SEG#0000042"} for a segment.
 */
final class LedgerItems {
    private LedgerItems() {
    }

    static final String PK = "pk";

    static final String SK = "sk";

    static final String RUN_SK = "RUN";

    /** When DynamoDB's TTL may delete a done segment's record, in epoch seconds; the run record never has it. */
    static final String EXPIRES_AT = "expiresAt";

    /** The counters a segment or run adds up, as ADD clauses over {@link #withCounts}' values. */
    static final String ADD_COUNTS = "scanned :sc, written :wr, deleted :de, skipped :sk, conditionalFailures :cf, alreadyApplied :aa";

    /** A segment's lease, removed together whenever the lease ends. */
    static final String LEASE = "leaseOwner, leaseMessage, leaseExpiresAt, leaseClaimedAt";

    static String text(AttributeValue v) {
        return v == null ? null : v.s();
    }

    static Map<String, AttributeValue> runKey(String runId) {
        return Map.of(PK, s(runId), SK, s(RUN_SK));
    }

    static Map<String, AttributeValue> segmentKey(String runId, int segment) {
        return Map.of(PK, s(runId), SK, s(String.format("SEG#%07d", segment)));
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

    static RunRecord toRun(Map<String, AttributeValue> item) {
        return new RunRecord(item.get(PK).s(), JobConfigCodec.fromJson(item.get("job").s()),
                instant(item.get("createdAt")), instant(item.get("seededAt")),
                number(item.get("segmentsCompleted")), counts(item), number(item.get("continuations")));
    }

    static SegmentRecord toSegment(Map<String, AttributeValue> item) {
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
