package dev.ddbbulk.worker;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.retry.Retrier;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The complete stage. The segments of one batch whose last page is written are gathered a run at a time and
 * marked done in one transaction when the run's checkpoint interval has passed since the first of them ended
 * (at once with an interval of 0), when {@link ProgressLedger#MAX_COMPLETIONS} are waiting, and at the end of
 * the batch. The transactions run on the worker's completion thread, so the ledger's slowest call neither
 * holds up the scan nor runs once a segment.
 */
final class Completions {
    private static final Logger LOG = LoggerFactory.getLogger(Completions.class);

    private final ProgressLedger ledger;
    private final SegmentFailures failures;
    private final Retrier retrier;
    private final Clock clock;
    private final Executor completing;
    /** Per run, the segments waiting, oldest first, and when they are due. */
    private final Map<String, Waiting> waiting = new LinkedHashMap<>();

    private record Waiting(List<Completing> segments, Instant due) {
    }

    /** A segment to be marked done, and where its message's outcome goes once it is. */
    private record Completing(ProgressLedger.Completion completion, CompletableFuture<SegmentOutcome> outcome) {
    }

    Completions(ProgressLedger ledger, SegmentFailures failures, Retrier retrier, Clock clock, Executor completing) {
        this.ledger = ledger;
        this.failures = failures;
        this.retrier = retrier;
        this.clock = clock;
        this.completing = completing;
    }

    /** Queues a segment whose last page is written; its outcome is settled once its transaction is. */
    CompletableFuture<SegmentOutcome> add(JobConfig job, ProgressLedger.Completion completion) {
        String runId = completion.lease().runId();
        CompletableFuture<SegmentOutcome> outcome = new CompletableFuture<>();
        Waiting run = waiting.computeIfAbsent(runId,
                id -> new Waiting(new ArrayList<>(), clock.instant().plus(job.checkpointInterval())));
        run.segments().add(new Completing(completion, outcome));
        if (run.segments().size() >= ProgressLedger.MAX_COMPLETIONS) {
            flush(runId);
        }
        flushDue();
        return outcome;
    }

    void flushDue() {
        if (waiting.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List.copyOf(waiting.keySet()).forEach(runId -> {
            if (!now.isBefore(waiting.get(runId).due())) {
                flush(runId);
            }
        });
    }

    void flushAll() {
        List.copyOf(waiting.keySet()).forEach(this::flush);
    }

    private void flush(String runId) {
        List<Completing> batch = waiting.remove(runId).segments();
        completing.execute(() -> complete(batch));
    }

    /**
     * Marks segments done in one transaction, sent again (with jittered backoff) while DynamoDB cancels it for
     * a conflict with another transaction in flight (one that picked the same counter shard of the run). A
     * failure fails every one of them: their next deliveries go on from their last checkpoints.
     */
    private void complete(List<Completing> batch) {
        List<ProgressLedger.Completion> completions = batch.stream().map(Completing::completion).toList();
        try {
            List<ProgressLedger.Completion> lost = retrier.call(() -> ledger.complete(completions),
                    e -> e instanceof TransactionCanceledException cancelled
                            && ProgressLedger.isTransactionConflict(cancelled));
            for (Completing c : batch) {
                if (lost.contains(c.completion())) {
                    LOG.warn("Lost the lease on segment {} of run {}; another delivery carries the segment on",
                            c.completion().lease().segment(), c.completion().lease().runId());
                    c.outcome().complete(SegmentOutcome.DUPLICATE_IN_FLIGHT);
                } else {
                    c.outcome().complete(SegmentOutcome.COMPLETED);
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            for (Completing c : batch) {
                // The last page has no key to resume after: the next delivery goes on from the last checkpoint.
                failures.record(c.completion().lease(), e, ProgressLedger.Pages.NONE);
                c.outcome().completeExceptionally(e);
            }
        } catch (Error e) {
            batch.forEach(c -> c.outcome().completeExceptionally(e));
            throw e;
        }
    }
}
