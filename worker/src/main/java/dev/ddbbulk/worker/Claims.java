package dev.ddbbulk.worker;

import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import java.time.Instant;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The claim stage: takes a batch's messages one at a time and claims each one's segment in the ledger on the
 * claim thread. A worker asks for the next claim when its current segment's last page is processed, so the
 * claim's round trip runs while that page is written: a message is taken early by at most one page's write,
 * never while a slow processor holds the worker.
 */
final class Claims {
    private final Iterator<QueuedMessage> messages;
    private final Deadline deadline;
    private final Refusals refusals;
    private final Function<String, RunContext> runs;
    private final ProgressLedger ledger;
    private final ExecutorService claiming;
    private Taken ahead;

    /** Told of a message that cannot be read, or whose run cannot be worked: its delivery fails. */
    @FunctionalInterface
    interface Refusals {
        /** @param message the message as read, or null when it could not be */
        void refuse(QueuedMessage queued, SegmentMessage message, RuntimeException failure);
    }

    /**
     * @param refusals where a message that cannot be read or claimed goes
     * @param runs     a run's context by run id, built once per worker
     */
    Claims(Iterator<QueuedMessage> messages, Deadline deadline, Refusals refusals,
           Function<String, RunContext> runs, ProgressLedger ledger, ExecutorService claiming) {
        this.messages = messages;
        this.deadline = deadline;
        this.refusals = refusals;
        this.runs = runs;
        this.ledger = ledger;
        this.claiming = claiming;
    }

    /** The next message to work, its claim on its way; null when the batch has no more. */
    Taken next() {
        claimNext();
        Taken next = ahead;
        ahead = null;
        return next;
    }

    /** Takes the next readable message, if any and none is taken yet, and sends its claim. */
    void claimNext() {
        while (ahead == null && messages.hasNext()) {
            ahead = take(messages.next());
        }
    }

    /** A message with its claim sent, or null when it is refused: its outcome is then a failure. */
    private Taken take(QueuedMessage queued) {
        SegmentMessage message = null;
        try {
            message = SegmentMessageCodec.fromJson(queued.body());
            return claim(queued, message);
        } catch (RuntimeException e) {
            refusals.refuse(queued, message, e);
            return null;
        }
    }

    private Taken claim(QueuedMessage queued, SegmentMessage message) {
        RunContext run = runs.apply(message.runId());
        if (message.totalSegments() != run.job().totalSegments()) {
            throw new IllegalArgumentException("Message for segment " + message.segment() + " says "
                    + message.totalSegments() + " segments but run " + message.runId() + " has "
                    + run.job().totalSegments());
        }
        String owner = UUID.randomUUID().toString();
        Instant leaseUntil = deadline.at().plus(ProgressLedger.leaseGrace());
        Future<ProgressLedger.Claim> claim = claiming.submit(() ->
                ledger.claim(message.runId(), message.segment(), message.rangeIndex(), queued.messageId(), owner,
                        leaseUntil, message.resumedAt()));
        return new Taken(queued, message, run, claim);
    }

    /** A message taken from the batch, with its run and its segment's claim, sent or answered. */
    record Taken(QueuedMessage queued, SegmentMessage message, RunContext run,
                 Future<ProgressLedger.Claim> pendingClaim) {
        String messageId() {
            return queued.messageId();
        }

        /**
         * The claim's answer. It waits through an interrupt (keeping it for the caller), as a synchronous
         * call would: a claim granted but never seen would hold the segment against every other message
         * until its lease ran out.
         */
        ProgressLedger.Claim claim() {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return pendingClaim.get();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException cause) {
                            throw cause;
                        }
                        if (e.getCause() instanceof Error cause) {
                            throw cause;
                        }
                        throw new IllegalStateException("Claim of " + message.describe() + " failed", e.getCause());
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
