package dev.ddbbulk.tools;

import dev.ddbbulk.tools.local.LocalRun;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options that shape the local worker fleet, shared by demo and run. */
final class FleetMixin {
    @Option(names = "--time-budget", converter = DurationConverter.class, defaultValue = "15m",
            description = "Time budget of one worker invocation, like Lambda's timeout (e.g. 15m, 2s, 500ms). "
                    + "A short one forces continuations. Default: ${DEFAULT-VALUE}.")
    Duration timeBudget;

    @Option(names = "--max-receive-count", defaultValue = "3",
            description = "Receives before a failing segment moves to the DLQ. Default: ${DEFAULT-VALUE}.")
    int maxReceiveCount;

    @Option(names = "--retry-delay", converter = DurationConverter.class, defaultValue = "1s",
            description = "How long a failed segment message waits before its first redelivery; each later one waits"
                    + " twice as long, as the deployed worker's do. Default: ${DEFAULT-VALUE}.")
    Duration retryDelay;

    @Option(names = "--json", description = "Print exactly one JSON object with the summary on stdout.")
    boolean json;

    void validate() {
        if (maxReceiveCount < 1 || maxReceiveCount > 1000) {
            throw new dev.ddbbulk.core.job.InvalidJobException("--max-receive-count must be between 1 and 1000, got "
                    + maxReceiveCount);
        }
    }

    LocalRun.FleetOptions options(int workers, boolean terminal) {
        return new LocalRun.FleetOptions(workers, timeBudget, LocalRun.FleetOptions.marginFor(timeBudget),
                retryDelay, true, terminal);
    }
}
