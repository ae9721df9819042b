package dev.ddbbulk.worker.report;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.model.MetricsContext;
import software.amazon.cloudwatchlogs.emf.sinks.ISink;

/** An Embedded Metric Format environment whose sink keeps the records it is given, as the Lambda one prints them. */
final class RecordingEnvironment implements Environment {
    private final List<String> records = new ArrayList<>();

    /** Every record flushed so far: each one a JSON object, as it would be a line on stdout. */
    List<String> records() {
        return records;
    }

    @Override
    public boolean probe() {
        return true;
    }

    @Override
    public String getName() {
        return "test";
    }

    @Override
    public String getType() {
        return "test";
    }

    @Override
    public String getLogGroupName() {
        return "test";
    }

    @Override
    public void configureContext(MetricsContext context) {
    }

    @Override
    public ISink getSink() {
        return new ISink() {
            @Override
            public void accept(MetricsContext context) {
                try {
                    records.addAll(context.serialize());
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public CompletableFuture<Void> shutdown() {
                return CompletableFuture.completedFuture(null);
            }
        };
    }
}
