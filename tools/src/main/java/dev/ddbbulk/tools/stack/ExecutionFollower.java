package dev.ddbbulk.tools.stack;

import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.tools.output.ProgressReporter;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * Follows a state machine execution until it ends, showing its run's progress from the ledger: segments
 * done from the run record, items from the ledger's per-segment progress (so pages of running segments count).
 */
public final class ExecutionFollower {
    /**
     * Above this many segments the item count comes from the run record alone (completed segments): summing
     * every segment record on each poll would cost a query of up to a million items every few seconds.
     */
    static final int FULL_PROGRESS_MAX_SEGMENTS = 10_000;

    private final SfnClient sfn;
    private final ProgressLedger ledger;
    private final Clock clock;

    public ExecutionFollower(SfnClient sfn, ProgressLedger ledger, Clock clock) {
        this.sfn = sfn;
        this.ledger = ledger;
        this.clock = clock;
    }

    public static boolean ended(ExecutionStatus status) {
        return status != ExecutionStatus.RUNNING && status != ExecutionStatus.PENDING_REDRIVE;
    }

    /** Polls every {@code interval} until the execution ends; returns its final description. */
    public DescribeExecutionResponse follow(String executionArn, String runId, Duration interval, PrintWriter err,
                                     boolean terminal) throws InterruptedException {
        ProgressReporter reporter = null;
        AtomicLong done = new AtomicLong();
        AtomicLong items = new AtomicLong();
        try {
            while (true) {
                DescribeExecutionResponse execution = sfn.describeExecution(b -> b.executionArn(executionArn));
                // The seeder records the run; until it has, there is nothing to show but the wait.
                Optional<RunRecord> run = ledger.findRun(runId);
                if (run.isPresent()) {
                    int total = run.get().job().totalSegments();
                    done.set(run.get().segmentsCompleted());
                    items.set(total <= FULL_PROGRESS_MAX_SEGMENTS ? ledger.progress(runId).counts().scanned()
                            : run.get().completedCounts().scanned());
                    if (reporter == null) {
                        reporter = new ProgressReporter(err, terminal, total, done::get, items::get, clock);
                    }
                }
                if (ended(execution.status())) {
                    return execution;
                }
                TimeUnit.MILLISECONDS.sleep(interval.toMillis());
            }
        } finally {
            if (reporter != null) {
                reporter.close();
            }
        }
    }
}
