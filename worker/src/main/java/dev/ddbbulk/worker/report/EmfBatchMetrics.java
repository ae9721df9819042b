package dev.ddbbulk.worker.report;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.logger.MetricsLogger;
import software.amazon.cloudwatchlogs.emf.model.DimensionSet;
import software.amazon.cloudwatchlogs.emf.model.Unit;

/**
 * Publishes a batch's metrics as one Embedded Metric Format record: on Lambda a JSON line on stdout, from which
 * CloudWatch Logs extracts the metrics, with no API call and no extra permission.
 */
public final class EmfBatchMetrics implements BatchMetrics {
    private final Environment environment;
    private final String functionName;
    private final Clock clock;

    /**
     * @param environment where the records go: the library's Lambda environment writes them to stdout
     * @param functionName the value of the {@link WorkerMetric#DIMENSION} dimension
     */
    public EmfBatchMetrics(Environment environment, String functionName, Clock clock) {
        // Checked here, once, rather than on every batch's publish.
        DimensionSet.of(WorkerMetric.DIMENSION, functionName);
        this.environment = environment;
        this.functionName = functionName;
        this.clock = clock;
    }

    @Override
    public void publish(Map<WorkerMetric, Long> totals, Set<String> runIds) {
        MetricsLogger metrics = new MetricsLogger(environment);
        metrics.setNamespace(WorkerMetric.NAMESPACE);
        // Replaces the library's default dimensions (log group, service name and type) with the function alone.
        metrics.setDimensions(DimensionSet.of(WorkerMetric.DIMENSION, functionName));
        metrics.setTimestamp(clock.instant());
        totals.forEach((metric, value) -> metrics.putMetric(metric.metricName(), value, Unit.COUNT));
        metrics.putProperty("runIds", List.copyOf(runIds));
        metrics.flush();
    }
}
