package dev.ddbbulk.tools;

import dev.ddbbulk.core.JobConfig;
import picocli.CommandLine.Option;

/** The job parameters, named like the template's, shared by demo and run. */
final class JobMixin {
    @Option(names = "--rate", defaultValue = "-1",
            description = "RateLimiter: at most this many items/s per worker; -1 = unlimited. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--page-size", defaultValue = "100",
            description = "Items per scan page (the scan's Limit); progress is checkpointed per page. Default: ${DEFAULT-VALUE}.")
    int pageSize;

    @Option(names = "--processor", defaultValue = "copy",
            description = "ItemProcessor: 'copy', 'stamp', or the class name of your ItemProcessor. Default: ${DEFAULT-VALUE}.")
    String processor;

    @Option(names = "--consistent-read", defaultValue = "true", arity = "1",
            description = "ConsistentRead for the scan (true/false). Default: ${DEFAULT-VALUE}.")
    boolean consistentRead;

    JobConfig.Builder builder(String source, String destination, int segments, int workers) {
        return JobConfig.builder().sourceTable(source).destinationTable(destination).totalSegments(segments)
                .parallelWorkers(workers).rateLimit(rate).pageSize(pageSize).processor(processor)
                .consistentRead(consistentRead);
    }
}
