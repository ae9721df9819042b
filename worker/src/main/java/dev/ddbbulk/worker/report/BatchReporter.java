package dev.ddbbulk.worker.report;

import dev.ddbbulk.worker.BatchResult;
import dev.ddbbulk.worker.SegmentReport;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.cloudwatchlogs.emf.environment.LambdaEnvironment;

/**
 * Tells operators what a batch came to: one outcome line per segment delivery ({@link OutcomeLog}), then the
 * batch's metrics ({@link BatchMetrics}), once an invocation. The worker handler on Lambda is built with one.
 */
public final class BatchReporter implements Consumer<BatchResult> {
    private static final Logger LOG = LoggerFactory.getLogger(BatchReporter.class);

    private final OutcomeLog log;
    private final BatchMetrics metrics;

    public BatchReporter(OutcomeLog log, BatchMetrics metrics) {
        this.log = log;
        this.metrics = metrics;
    }

    @Override
    public void accept(BatchResult result) {
        // The batch's work is done and in the ledger by now: a report that fails must not fail the invocation,
        // which would have every message of the batch delivered again, so its failure is logged and left.
        try {
            result.segments().forEach(log::write);
            Set<String> runIds = new TreeSet<>();
            result.segments().stream().map(SegmentReport::runId).filter(Objects::nonNull).forEach(runIds::add);
            metrics.publish(WorkerMetric.totals(result.segments()), runIds);
        } catch (RuntimeException e) {
            LOG.warn("Could not report a batch of {} segment(s): {}", result.segments().size(), e.toString(), e);
        }
    }

    /** A worker Lambda's reporter: lines and metric records on stdout, which Lambda sends to CloudWatch Logs. */
    public static BatchReporter forLambda(String functionName, Clock clock) {
        return new BatchReporter(new OutcomeLog(System.out, clock),
                new EmfBatchMetrics(new LambdaEnvironment(), functionName, clock));
    }
}
