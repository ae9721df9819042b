package dev.ddbbulk.tools;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.message.SortKeyRange;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Puts runs into a ledger as workers would leave them: segments done, part done, continued or failed. */
final class LedgerRuns {
    private final ProgressLedger ledger;

    LedgerRuns(ProgressLedger ledger) {
        this.ledger = ledger;
    }

    static JobConfig job(String source, int segments) {
        return JobConfig.builder().sourceTable(source).totalSegments(segments).parallelWorkers(2).build();
    }

    void seed(String runId, JobConfig job) {
        ledger.startRun(runId, job);
        ledger.markSeeded(runId);
    }

    /** A segment that took one continuation: a first page, a hand-over, then the rest. */
    void completeWithContinuation(String runId, int segment, Counts first, Counts rest) {
        ProgressLedger.Lease lease = claim(runId, segment);
        ledger.releaseForContinuation(lease, new ProgressLedger.Pages(1, first, key(segment)));
        ProgressLedger.Lease second = claim(runId, segment);
        ledger.complete(second, new ProgressLedger.Pages(1, rest, null), first.plus(rest), 1);
    }

    /**
     * A segment that split an item collection into {@code ranges.length} sort-key ranges, each then worked to its end
     * with its counts: the segment's own scan scanned {@code own}.
     */
    void completeWithRanges(String runId, int segment, Counts own, Counts... ranges) {
        ProgressLedger.Lease lease = claim(runId, segment);
        java.util.List<SortKeyRange> split = new java.util.ArrayList<>();
        for (int i = 1; i <= ranges.length; i++) {
            split.add(new SortKeyRange(i, "pk", Map.of("pk", AttributeValue.fromS("hot"), "sk",
                    AttributeValue.fromN(String.valueOf(i * 100))), Map.of("pk", AttributeValue.fromS("hot"), "sk",
                    AttributeValue.fromN(String.valueOf(i * 100 + 99)))));
        }
        lease = ledger.split(lease, ProgressLedger.Pages.NONE, key(segment), split);
        ledger.complete(lease, new ProgressLedger.Pages(1, own, null), own, 0);
        for (int i = 1; i <= ranges.length; i++) {
            var claim = ledger.claim(runId, segment, i, "range-" + segment + "-" + i, UUID.randomUUID().toString(),
                    Instant.now().plus(5, ChronoUnit.MINUTES), null);
            if (!(claim instanceof ProgressLedger.Claim.Granted granted)) {
                throw new IllegalStateException("Range " + i + " of segment " + segment + " was not granted: " + claim);
            }
            ledger.complete(granted.lease(), new ProgressLedger.Pages(1, ranges[i - 1], null), ranges[i - 1], 0);
        }
    }

    void complete(String runId, int segment, Counts counts) {
        ledger.complete(claim(runId, segment), new ProgressLedger.Pages(1, counts, null), counts, 0);
    }

    /** A segment with a checkpointed page, still held by a live worker. */
    void inProgress(String runId, int segment, Counts page) {
        ledger.checkpoint(claim(runId, segment), new ProgressLedger.Pages(1, page, key(segment)));
    }

    /** A segment whose delivery failed with {@code error}, as the worker records it. */
    void fail(String runId, int segment, String error) {
        ledger.recordFailure(claim(runId, segment), error, ProgressLedger.Pages.NONE);
    }

    /**
     * What a worker and SQS do with a segment that failed on its last receive: the ledger marks it
     * dead-lettered with {@code error}, and its message goes to the DLQ.
     */
    void deadLetter(SqsClient sqs, String dlqUrl, String runId, int segment, int totalSegments, String error) {
        ledger.recordDeadLettered(runId, segment, "message-" + segment, error);
        String body = SegmentMessageCodec.toJson(SegmentMessage.seed(runId, segment, totalSegments));
        sqs.sendMessage(b -> b.queueUrl(dlqUrl).messageBody(body));
    }

    private ProgressLedger.Lease claim(String runId, int segment) {
        var claim = ledger.claim(runId, segment, "message-" + segment, UUID.randomUUID().toString(), Instant.now().plus(5, ChronoUnit.MINUTES));
        if (!(claim instanceof ProgressLedger.Claim.Granted granted)) {
            throw new IllegalStateException("Segment " + segment + " of " + runId + " was not granted: " + claim);
        }
        return granted.lease();
    }

    private static Map<String, AttributeValue> key(int segment) {
        return Map.of("pk", AttributeValue.fromS("customer#" + segment), "sk", AttributeValue.fromN("1"));
    }
}
