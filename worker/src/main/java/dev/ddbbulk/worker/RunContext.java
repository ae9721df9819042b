package dev.ddbbulk.worker;

import dev.ddbbulk.core.job.JobConfig;
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
 * A run's job and the collaborators a worker builds for it once: the processor, the writer, the rate limiter
 * and the read budget. Its {@link #processAndWrite} is the process and write stages of one page.
 */
record RunContext(JobConfig job, ItemProcessor processor, ItemWriter writer, RateLimiter rateLimiter,
                  CapacityBudget readBudget, CapacityBudget writeBudget) {

    /** How long writing a page of {@code items} would wait now for the rate limit and the budgets. */
    Duration waitBeforeWriting(int items) {
        return rateLimiter.waitFor(items).plus(readBudget.debt()).plus(writeBudget.debt());
    }

    /** Throttles its budgets heard of so far: a delivery reports the difference over its page loop. */
    long throttles() {
        return readBudget.throttles() + writeBudget.throttles();
    }

    /** Processes and writes a page, running {@code beforeWrite} once it is processed. */
    Counts processAndWrite(ScanPage page, Runnable beforeWrite) throws InterruptedException {
        List<ItemAction> actions = processor.processPage(page.items());
        if (actions.size() != page.items().size()) {
            throw new IllegalStateException("ItemProcessor " + job.processor() + " returned " + actions.size()
                    + " actions for a page of " + page.items().size() + " items; return one per item");
        }
        rateLimiter.acquire(page.items().size());
        long puts = actions.stream().filter(ItemAction.Put.class::isInstance).count();
        long deletes = actions.stream().filter(ItemAction.Delete.class::isInstance).count();
        long skipped = actions.size() - puts - deletes;
        beforeWrite.run();
        if (job.dryRun()) {
            // Counted as if written, so the summary says what a real run would write; nothing is.
            return new Counts(page.items().size(), puts, deletes, skipped, 0);
        }
        WriteResult result = writer.write(page.items(), actions);
        return new Counts(page.items().size(), result.written(), result.deleted(), skipped,
                result.conditionalFailures(), result.alreadyApplied());
    }
}
