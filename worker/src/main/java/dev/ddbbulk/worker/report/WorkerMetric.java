package dev.ddbbulk.worker.report;

import dev.ddbbulk.worker.SegmentOutcome;
import dev.ddbbulk.worker.SegmentReport;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The worker's CloudWatch metrics, each a count summed over a batch's segment deliveries, in namespace
 * {@link #NAMESPACE} with the one dimension {@link #DIMENSION}. docs/DEPLOY.md says what each means to an operator.
 */
public enum WorkerMetric {
    /** Items read by the scan. */
    ITEMS_SCANNED("ItemsScanned"),
    /** Items put or updated (in a dry run: that would have been). */
    ITEMS_WRITTEN("ItemsWritten"),
    /** Items deleted. */
    ITEMS_DELETED("ItemsDeleted"),
    /** Conditional writes left alone because the item changed since it was read. */
    CONDITIONAL_CHECK_FAILURES("ConditionalCheckFailures"),
    /** Scan and write calls DynamoDB throttled (or BatchWriteItem calls that left items unprocessed), retried. */
    THROTTLES("Throttles"),
    /** Segments whose last page was written and that were marked done. */
    SEGMENTS_COMPLETED("SegmentsCompleted"),
    /** Segments handed on to a continuation message near the invocation's time limit. */
    SEGMENTS_CONTINUED("SegmentsContinued"),
    /** Deliveries that failed: reported as batch item failures, to be delivered again or dead-lettered. */
    SEGMENTS_FAILED("SegmentsFailed"),
    /** Failed deliveries on the queue's last receive: marked dead-lettered, and SQS moves the message to the DLQ. */
    SEGMENTS_DEAD_LETTERED("SegmentsDeadLettered");

    public static final String NAMESPACE = "ddb-bulk";
    /** The worker function's name. Not the run id: see docs/DEPLOY.md, "Logs and metrics". */
    public static final String DIMENSION = "FunctionName";

    private final String metricName;

    WorkerMetric(String metricName) {
        this.metricName = metricName;
    }

    public String metricName() {
        return metricName;
    }

    /** What one delivery adds to this metric. */
    long of(SegmentReport report) {
        return switch (this) {
            case ITEMS_SCANNED -> report.counts().scanned();
            case ITEMS_WRITTEN -> report.counts().written();
            case ITEMS_DELETED -> report.counts().deleted();
            case CONDITIONAL_CHECK_FAILURES -> report.counts().conditionalFailures();
            case THROTTLES -> report.throttles();
            case SEGMENTS_COMPLETED -> report.outcome() == SegmentOutcome.COMPLETED ? 1 : 0;
            case SEGMENTS_CONTINUED -> report.outcome() == SegmentOutcome.CONTINUED ? 1 : 0;
            case SEGMENTS_FAILED -> report.outcome() == SegmentOutcome.FAILED ? 1 : 0;
            case SEGMENTS_DEAD_LETTERED -> report.deadLettered() ? 1 : 0;
        };
    }

    /** Every metric's value for a batch, zeros included, so that a quiet batch shows as zero rather than a gap. */
    static Map<WorkerMetric, Long> totals(List<SegmentReport> segments) {
        Map<WorkerMetric, Long> totals = new EnumMap<>(WorkerMetric.class);
        for (WorkerMetric metric : values()) {
            totals.put(metric, segments.stream().mapToLong(metric::of).sum());
        }
        return totals;
    }
}
