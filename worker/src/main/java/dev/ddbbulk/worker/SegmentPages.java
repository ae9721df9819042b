package dev.ddbbulk.worker;

import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.retry.Retrier;
import dev.ddbbulk.core.retry.Throttling;
import dev.ddbbulk.worker.scan.ScanPage;
import dev.ddbbulk.worker.scan.SegmentScanner;
import dev.ddbbulk.core.message.SortKeyRange;
import dev.ddbbulk.worker.split.CollectionSplitter;
import dev.ddbbulk.worker.split.SortKeyInterpolation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The page loop of one claimed segment: scan a page from the checkpoint, process and write it, checkpoint
 * every checkpoint interval, and hand the segment on as a continuation when the deadline comes within the
 * safety margin. The last page goes to {@link Completions}.
 *
 * <p>The next page's scan runs on the worker's scan thread while the current page is processed and written
 * (one page ahead at most, so a worker holds two pages): on AWS a scan takes as long as a write does, and
 * this hides it. A page read ahead and not reached (a continuation, a failure) is dropped; its scan is done
 * again by whoever goes on from the checkpoint.
 *
 * <p>When {@code SplitAfterPages} pages in a row end in one partition key, the rest of that item collection is
 * split off into sort-key ranges for the fleet ({@link CollectionSplitter}) and the scan goes on past it. A range
 * is worked by this same loop, with a Query for a scan.
 */
final class SegmentPages {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentPages.class);
    /**
     * A range splits what is left of it once it has read this many times SplitAfterPages pages in one delivery and
     * still has about as many left: a range is cut to be one worker's share, so it is cut again only when its sort
     * keys bunched and it holds clearly more.
     */
    static final int RANGE_SPLIT_FACTOR = 4;

    private final SegmentScanner scanner;
    private final ProgressLedger ledger;
    private final Continuation continuation;
    private final SegmentFailures failures;
    private final Retrier retrier;
    private final Duration safetyMargin;
    private final Clock clock;
    private final ExecutorService scanning;
    private final CollectionSplitter splitter;

    SegmentPages(SegmentScanner scanner, ProgressLedger ledger, Continuation continuation, SegmentFailures failures,
                 Retrier retrier, Duration safetyMargin, Clock clock, ExecutorService scanning,
                 CollectionSplitter splitter) {
        this.scanning = scanning;
        this.splitter = splitter;
        this.scanner = scanner;
        this.ledger = ledger;
        this.continuation = continuation;
        this.failures = failures;
        this.retrier = retrier;
        this.safetyMargin = safetyMargin;
        this.clock = clock;
    }

    /** What one invocation did so far: the pages of every segment it worked. */
    static final class Progress {
        long pages;
    }

    /** What one delivery did, kept up to date by its page loop, for its report once its outcome is known. */
    static final class Tally {
        Counts counts = Counts.ZERO;
        long throttles;
    }

    /**
     * Works one message, whose claim {@code claims} sent, up to its segment's last page, and sends the next
     * message's claim once that page is processed, before it is written. What it did goes into {@code tally},
     * failed or not.
     */
    CompletableFuture<SegmentOutcome> work(Claims.Taken taken, Deadline deadline, Progress progress,
                                           Completions completing, Claims claims, Tally tally)
            throws InterruptedException {
        SegmentMessage message = taken.message();
        RunContext run = taken.run();
        var claim = taken.claim();
        if (claim instanceof ProgressLedger.Claim.AlreadyDone) {
            return CompletableFuture.completedFuture(SegmentOutcome.ALREADY_DONE);
        }
        if (claim instanceof ProgressLedger.Claim.Leased) {
            return CompletableFuture.completedFuture(SegmentOutcome.DUPLICATE_IN_FLIGHT);
        }
        var granted = (ProgressLedger.Claim.Granted) claim;
        ProgressLedger.Lease lease = granted.lease();
        SegmentRecord record = granted.segment();
        Map<String, AttributeValue> key = record.checkpoint() != null ? record.checkpoint()
                : record.pages() == 0 ? message.exclusiveStartKey() : null;
        Counts totals = record.counts();
        // Pages written but not yet checkpointed: saved every checkpoint interval, and always at the end,
        // before a continuation and after a failure. Only a worker killed outright loses them (and writes
        // them again on redelivery, as it would a page written just before a per-page checkpoint).
        ProgressLedger.Pages unsaved = ProgressLedger.Pages.NONE;
        Instant nextCheckpoint = clock.instant().plus(run.job().checkpointInterval());
        Future<ScanPage> ahead = null;
        long throttlesBefore = run.throttles();
        if (message.range() != null && record.bounds() != null && !record.bounds().equals(message.range())) {
            // The range split again since this message was sent: the ledger's bounds are the range's now.
            message = message.withRange(record.bounds());
        }
        boolean splits = run.splits();
        SameKeyPages sameKey = new SameKeyPages();
        int rangePages = 0;
        try {
            // Whatever the job says of splitting now: ranges recorded by an earlier delivery are owed their messages.
            if (record.ranges() > 0) {
                splitter.sendPending(message);
            }
            while (true) {
                if (progress.pages > 0 && !fits(deadline, Duration.ZERO)) {
                    return handOn(lease, unsaved, message, key);
                }
                ScanPage page = ahead != null ? await(ahead) : scan(run, message, key);
                // The rate limit and the budgets may wait for a whole page: hand on before a page whose wait
                // would take the deadline within the margin, not after.
                if (progress.pages > 0 && !fits(deadline, run.waitBeforeWriting(page.scanned()))) {
                    return handOn(lease, unsaved, message, key);
                }
                ahead = page.last() ? null : scanAhead(run, message, page.lastEvaluatedKey());
                // The next message's claim, a ledger round trip, runs while the last page is written.
                Counts pageCounts = run.processAndWrite(page, page.last() ? claims::claimNext : () -> { });
                progress.pages++;
                tally.counts = tally.counts.plus(pageCounts);
                totals = totals.plus(pageCounts);
                unsaved = unsaved.plus(pageCounts, page.lastEvaluatedKey());
                if (page.last()) {
                    return completing.add(run.job(),
                            new ProgressLedger.Completion(lease, unsaved, totals, record.continuations()));
                }
                Map<String, AttributeValue> before = key;
                key = page.lastEvaluatedKey();
                if (splits && message.range() == null
                        && sameKey.count(key.get(run.source().partitionKey())) >= run.job().splitAfterPages()) {
                    sameKey.reset();
                    var split = splitter.split(message, run.source(), run.job().consistentRead(), lease, unsaved, key,
                            run.job().splitRanges());
                    if (split.isPresent()) {
                        // The page read ahead is inside the collection the ranges now cover.
                        ahead.cancel(true);
                        ahead = null;
                        lease = split.get().lease();
                        unsaved = ProgressLedger.Pages.NONE;
                        key = split.get().resumeAfter();
                        nextCheckpoint = clock.instant().plus(run.job().checkpointInterval());
                        continue;
                    }
                }
                if (splits && message.range() != null
                        && ++rangePages >= RANGE_SPLIT_FACTOR * run.job().splitAfterPages()
                        && pagesLeft(message.range(), before, key, run.source().sortKeyType())
                                >= RANGE_SPLIT_FACTOR * run.job().splitAfterPages()) {
                    rangePages = 0;
                    var split = splitter.splitRange(message, lease, unsaved, key, run.source().sortKeyType(),
                            run.job().splitRanges());
                    if (split.isPresent()) {
                        // The page read ahead may reach past the shrunk range's end.
                        ahead.cancel(true);
                        ahead = null;
                        lease = split.get().lease();
                        unsaved = ProgressLedger.Pages.NONE;
                        message = message.withRange(split.get().shrunk());
                        nextCheckpoint = clock.instant().plus(run.job().checkpointInterval());
                        continue;
                    }
                }
                if (!clock.instant().isBefore(nextCheckpoint)) {
                    lease = ledger.checkpoint(lease, unsaved);
                    unsaved = ProgressLedger.Pages.NONE;
                    nextCheckpoint = clock.instant().plus(run.job().checkpointInterval());
                }
                completing.flushDue();
            }
        } catch (ProgressLedger.LeaseLostException e) {
            LOG.warn("{}; another delivery carries the segment on", e.getMessage());
            return CompletableFuture.completedFuture(SegmentOutcome.DUPLICATE_IN_FLIGHT);
        } catch (RuntimeException | InterruptedException e) {
            failures.record(lease, e, unsaved);
            throw e;
        } finally {
            if (ahead != null) {
                ahead.cancel(true);
            }
            tally.throttles = run.throttles() - throttlesBefore;
        }
    }

    /**
     * Pages in a row whose scan ended in one partition key: the sign of an item collection too large for one
     * worker. Counting the page that reached the key, so the count is the pages the collection held the scan.
     */
    private static final class SameKeyPages {
        private AttributeValue partition;
        private int pages;

        int count(AttributeValue lastPartition) {
            pages = lastPartition.equals(partition) ? pages + 1 : 1;
            partition = lastPartition;
            return pages;
        }

        void reset() {
            partition = null;
            pages = 0;
        }
    }

    /**
     * The pages a range has left, reckoned from its last page: the sort keys from {@code before} to {@code after}
     * took one page, so the keys from {@code after} to the range's end take about that many pages. Bunched keys
     * show as a page that covers little of what is left; evenly spread ones as a range near its end.
     */
    private static double pagesLeft(SortKeyRange range, Map<String, AttributeValue> before,
                                    Map<String, AttributeValue> after, String sortKeyType) {
        String sk = range.sortKeyName();
        double covered = SortKeyInterpolation.fraction(before.get(sk), range.toSortKey(), after.get(sk), sortKeyType);
        return covered <= 0 ? Double.POSITIVE_INFINITY : (1 - covered) / covered;
    }

    /** Whether {@code wait} and then a page still end before the deadline's safety margin. */
    private boolean fits(Deadline deadline, Duration wait) {
        return deadline.remaining().minus(wait).compareTo(safetyMargin) >= 0;
    }

    /** Hands the segment on as a continuation from {@code key}, saving the pages written since the checkpoint. */
    private CompletableFuture<SegmentOutcome> handOn(ProgressLedger.Lease lease, ProgressLedger.Pages unsaved,
                                                     SegmentMessage message, Map<String, AttributeValue> key) {
        continuation.send(lease, unsaved, message, key);
        return CompletableFuture.completedFuture(SegmentOutcome.CONTINUED);
    }

    private Future<ScanPage> scanAhead(RunContext run, SegmentMessage message, Map<String, AttributeValue> key) {
        return scanning.submit(() -> scan(run, message, key));
    }

    /** The page read ahead; its scan's failure is thrown as the scan's own would be. */
    private static ScanPage await(Future<ScanPage> ahead) throws InterruptedException {
        try {
            return ahead.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            if (e.getCause() instanceof InterruptedException cause) {
                throw cause;
            }
            throw new IllegalStateException("The scan read ahead failed: " + e.getCause(), e.getCause());
        }
    }

    /** The scan stage: one page from {@code key}, within the read budget, throttles retried. */
    private ScanPage scan(RunContext run, SegmentMessage message, Map<String, AttributeValue> key)
            throws InterruptedException {
        ScanPage page = retrier.call(() -> {
            run.readBudget().awaitCapacity();
            if (message.range() != null) {
                return scanner.queryPage(run.job().sourceTable(), message.range(), key, run.job().pageSize(),
                        run.job().consistentRead(), run.readBudget().consumedCapacityToReturn(), run.filter());
            }
            return scanner.scanPage(run.job().sourceTable(), message.segment(), message.totalSegments(), key,
                    run.job().pageSize(), run.job().consistentRead(), run.readBudget().consumedCapacityToReturn(),
                    run.filter());
        }, Throttling.slowing(run.readBudget()));
        run.readBudget().consumed(page.consumedReadUnits());
        return page;
    }
}
