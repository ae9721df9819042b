package dev.ddbbulk.seeder;

import dev.ddbbulk.core.job.AutoSegments;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.SegmentCount;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Retrier;
import dev.ddbbulk.core.retry.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Starts a run: validates the job against the live tables, records the run in the ledger, then enqueues
 * one message per segment in shuffled order (so hot key ranges spread over time) with SendMessageBatch,
 * several calls in flight, retrying failed entries. It holds nothing but the segment numbers in memory.
 *
 * <p>Safe to retry for the same run id: the ledger makes duplicate segment messages harmless, and a
 * run already fully seeded is not seeded again.
 */
public final class SegmentSeeder {
    public static final int BATCH = 10;

    private final TableValidator validator;
    private final ProgressLedger ledger;
    private final SqsClient sqs;
    private final String queueUrl;
    private final Random random;
    private final int inFlight;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final Clock clock;

    public SegmentSeeder(TableValidator validator, ProgressLedger ledger, SqsClient sqs, String queueUrl,
                         Random random, int inFlight, Backoff backoff, Sleeper sleeper, Clock clock) {
        if (inFlight < 1) {
            throw new IllegalArgumentException("inFlight must be >= 1, got " + inFlight);
        }
        this.validator = validator;
        this.ledger = ledger;
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.random = random;
        this.inFlight = inFlight;
        this.backoff = backoff;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /** @throws InvalidJobException before anything is written when the job does not fit the tables */
    public SeedResult seed(String runId, JobConfig job) throws InterruptedException {
        Instant start = clock.instant();
        validator.validate(job);
        RunRecord run = ledger.startRun(runId, job);
        if (run.seeded()) {
            return new SeedResult(runId, job.totalSegments(), 0, true, Duration.between(start, clock.instant()));
        }
        int[] order = shuffledSegments(job.totalSegments(), random);
        long sent = send(runId, order, segment -> SegmentMessage.seed(runId, segment, job.totalSegments()));
        ledger.markSeeded(runId);
        return new SeedResult(runId, job.totalSegments(), sent, false, Duration.between(start, clock.instant()));
    }

    /**
     * As {@link #seed(String, JobConfig)} with TotalSegments as given: a number as it is; {@code auto} as
     * {@code sizing} picks it from the source table, unless the run exists already (a retried seed, or an execution
     * that follows the run again): then the number the run was recorded with, whatever the table's size now.
     *
     * @param job the job, whose TotalSegments {@code auto} replaces
     */
    public SeedResult seed(String runId, JobConfig job, SegmentCount segments, AutoSegments sizing)
            throws InterruptedException {
        Optional<JobConfig> existing = segments.auto() ? ledger.findRun(runId).map(RunRecord::job) : Optional.empty();
        return seed(runId, sizing.choose(segments, job, existing).applyTo(job));
    }

    /**
     * Re-enqueues every segment of an existing run that is not done, in shuffled order, and every range split
     * off one that is not done: how a run continues after the whole fleet stopped. Segments still queued get a
     * duplicate, which the ledger makes harmless.
     * The messages carry the resume's start, so a segment whose lease a stopped worker still holds is taken
     * over at once rather than after the lease expires (up to the time budget and 10 s more).
     *
     * @throws InvalidJobException when the run is not in the ledger
     */
    public SeedResult resume(String runId) throws InterruptedException {
        Instant start = clock.instant();
        RunRecord run = ledger.findRun(runId).orElseThrow(() -> new InvalidJobException("Run '" + runId
                + "' is not in ledger " + ledger.table() + "; check the run id and --ledger-table"));
        validator.validate(run.job());
        java.util.BitSet done = ledger.completedSegments(runId);
        int total = run.job().totalSegments();
        int[] all = shuffledSegments(total, random);
        int[] open = new int[total - done.cardinality()];
        int n = 0;
        for (int segment : all) {
            if (!done.get(segment)) {
                open[n++] = segment;
            }
        }
        long sent = send(runId, open, segment -> SegmentMessage.resume(runId, segment, total, start));
        // Ranges split off a segment go on too: their rows in the ledger keep what their messages said.
        List<SegmentMessage> ranges = new ArrayList<>();
        ledger.openRanges(runId).forEach((segment, openRanges) -> openRanges.forEach(range ->
                ranges.add(SegmentMessage.resumeRange(runId, segment, total, range, start))));
        int[] rangeOrder = java.util.stream.IntStream.range(0, ranges.size()).toArray();
        sent += send(runId, rangeOrder, ranges::get);
        ledger.markSeeded(runId);
        return new SeedResult(runId, total, sent, false, Duration.between(start, clock.instant()));
    }

    /** 0..n-1 in a Fisher-Yates shuffle: 4 bytes a segment, 4 MB for a million. */
    static int[] shuffledSegments(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private long send(String runId, int[] order, java.util.function.IntFunction<SegmentMessage> message)
            throws InterruptedException {
        if (order.length == 0) {
            return 0;
        }
        int batches = (order.length + BATCH - 1) / BATCH;
        int threads = Math.min(inFlight, batches);
        AtomicInteger next = new AtomicInteger();
        AtomicLong sent = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ddb-bulk-seeder");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>(threads);
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    Retrier retrier = new Retrier(backoff, new Random(random.nextLong()), sleeper);
                    for (int b = next.getAndIncrement(); b < batches && !stop.get(); b = next.getAndIncrement()) {
                        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(BATCH);
                        for (int i = b * BATCH; i < Math.min(order.length, (b + 1) * BATCH); i++) {
                            entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(order[i]))
                                    .messageBody(SegmentMessageCodec.toJson(message.apply(order[i])))
                                    .build());
                        }
                        sendBatch(entries, retrier);
                        sent.addAndGet(entries.size());
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    stop.set(true);
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    throw new IllegalStateException("Seeding run " + runId + " failed", cause);
                }
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        return sent.get();
    }

    /** Sends one batch, sending again what SQS failed for its own reasons; a sender's fault fails the seed. */
    private void sendBatch(List<SendMessageBatchRequestEntry> entries, Retrier retrier) throws InterruptedException {
        Map<String, SendMessageBatchRequestEntry> pending = new LinkedHashMap<>();
        entries.forEach(e -> pending.put(e.id(), e));
        List<BatchResultErrorEntry> lastErrors = new ArrayList<>();
        boolean sent = retrier.untilDone(() -> {
            List<SendMessageBatchRequestEntry> batch = List.copyOf(pending.values());
            SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(batch));
            List<BatchResultErrorEntry> failed = response.hasFailed() ? response.failed() : List.of();
            for (BatchResultErrorEntry error : failed) {
                if (Boolean.TRUE.equals(error.senderFault())) {
                    throw refused(error);
                }
            }
            Set<String> failedIds = failed.stream().map(BatchResultErrorEntry::id).collect(Collectors.toSet());
            pending.keySet().retainAll(failedIds);
            lastErrors.clear();
            lastErrors.addAll(failed);
            return pending.isEmpty();
        }, e -> false);
        if (!sent) {
            throw refused(lastErrors.get(0));
        }
    }

    private static IllegalStateException refused(BatchResultErrorEntry error) {
        return new IllegalStateException("SQS refused segment " + error.id() + " of the seed: "
                + error.code() + " " + error.message());
    }
}
