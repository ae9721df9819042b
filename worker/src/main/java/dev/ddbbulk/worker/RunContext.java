package dev.ddbbulk.worker;

import dev.ddbbulk.core.expression.Expression;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.core.rate.CapacityBudget;
import dev.ddbbulk.core.rate.RateLimiter;
import dev.ddbbulk.worker.scan.ScanPage;
import dev.ddbbulk.worker.write.ItemWriter;
import dev.ddbbulk.worker.write.WriteResult;
import java.time.Duration;
import java.util.List;

/**
 * A run's job and the collaborators a worker builds for it once: the processor (none for an expression job), the
 * writer, the rate limiter, the read budget and the scan's filter. Its {@link #processAndWrite} is the process and
 * write stages of one page.
 *
 * @param filter the job's FilterExpression, or null
 * @param source the source table's key, which a split of an item collection needs
 */
record RunContext(JobConfig job, ItemProcessor processor, ItemWriter writer, RateLimiter rateLimiter,
                  CapacityBudget readBudget, CapacityBudget writeBudget, Expression filter, TableShape source) {

    RunContext(JobConfig job, ItemProcessor processor, ItemWriter writer, RateLimiter rateLimiter,
               CapacityBudget readBudget, CapacityBudget writeBudget, TableShape source) {
        this(job, processor, writer, rateLimiter, readBudget, writeBudget, job.expressions().filter().orElse(null),
                source);
    }

    /** Whether this run's segments split their large item collections: the job asks it and the source has a sort key. */
    boolean splits() {
        return job.splitAfterPages() > 0 && source.sortKey() != null;
    }

    /** Throttles its budgets heard of so far: a delivery reports the difference over its page loop. */
    long throttles() {
        return readBudget.throttles() + writeBudget.throttles();
    }

    /** How long writing a page of {@code scanned} items would wait now for the rate limit and the budgets. */
    Duration waitBeforeWriting(int scanned) {
        return rateLimiter.waitFor(scanned).plus(readBudget.debt()).plus(writeBudget.debt());
    }

    /**
     * Processes and writes a page, running {@code beforeWrite} once it is processed. The rate limit counts every
     * item read, as the scan does: a filter that drops most items must not speed up the scan. Items the filter
     * dropped count as skipped, so a page's counts always add up to what it scanned.
     */
    Counts processAndWrite(ScanPage page, Runnable beforeWrite) throws InterruptedException {
        if (job.updatesWithExpression()) {
            rateLimiter.acquire(page.scanned());
            beforeWrite.run();
            // A dry run counts every item that passed the filter as updated: conditions are DynamoDB's to evaluate.
            WriteResult result = job.dryRun() ? new WriteResult(page.items().size(), 0, 0)
                    : writer.update(page.items());
            return counts(page, 0, result);
        }
        // A filtered page may be empty: a processor that looks things up per page is not asked about nothing.
        List<ItemAction> actions = page.items().isEmpty() ? List.of() : processor.processPage(page.items());
        if (actions.size() != page.items().size()) {
            throw new IllegalStateException("ItemProcessor " + job.processor() + " returned " + actions.size()
                    + " actions for a page of " + page.items().size() + " items; return one per item");
        }
        rateLimiter.acquire(page.scanned());
        long skipped = actions.stream().filter(ItemAction.Skip.class::isInstance).count();
        beforeWrite.run();
        // A dry run counts what a real run would write; nothing is.
        WriteResult result = job.dryRun() ? writer.wouldWrite(page.items(), actions)
                : writer.write(page.items(), actions);
        return counts(page, skipped, result);
    }

    private static Counts counts(ScanPage page, long skipped, WriteResult result) {
        return new Counts(page.scanned(), result.written(), result.deleted(),
                skipped + page.filteredOut() + result.unchanged(), result.conditionalFailures(),
                result.alreadyApplied());
    }
}
