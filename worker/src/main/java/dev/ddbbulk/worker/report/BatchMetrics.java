package dev.ddbbulk.worker.report;

import java.util.Map;
import java.util.Set;

/** Where a worker's metrics go, once a batch: CloudWatch through Embedded Metric Format on Lambda. */
public interface BatchMetrics {
    /** @param runIds the runs whose segments the batch worked, kept with the metrics for searching the logs */
    void publish(Map<WorkerMetric, Long> totals, Set<String> runIds);
}
