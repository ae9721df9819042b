package dev.ddbbulk.tools.estimate;

import java.time.Duration;

/**
 * Where a job runs, as far as its overhead and duration go: the deployed stack's Lambda fleet (as {@code start}
 * runs it), or a local fleet in the CLI's JVM (as {@code run} does), which costs no Lambda or Step Functions.
 *
 * @param kind         Lambda or local
 * @param timeBudget   one worker invocation's time: Lambda's timeout, or the local fleet's {@code --time-budget}
 * @param safetyMargin the time a worker keeps back to hand a segment on as a continuation
 * @param memoryMb     a Lambda function's memory (what duration is billed by)
 * @param architecture a Lambda function's architecture, {@code arm64} or {@code x86_64}
 */
public record FleetProfile(Kind kind, Duration timeBudget, Duration safetyMargin, int memoryMb, String architecture) {
    public enum Kind { LAMBDA, LOCAL }

    /** The worker's Timeout and SAFETY_MARGIN_SECONDS in template.yaml. */
    public static final Duration LAMBDA_TIMEOUT = Duration.ofSeconds(900);
    public static final Duration LAMBDA_SAFETY_MARGIN = Duration.ofSeconds(60);
    /** Every function's MemorySize and Architectures in template.yaml. */
    public static final int LAMBDA_MEMORY_MB = 1024;
    public static final String LAMBDA_ARCHITECTURE = "arm64";

    /** The deployed stack's fleet, as template.yaml configures it. */
    public static FleetProfile lambda() {
        return new FleetProfile(Kind.LAMBDA, LAMBDA_TIMEOUT, LAMBDA_SAFETY_MARGIN, LAMBDA_MEMORY_MB, LAMBDA_ARCHITECTURE);
    }

    /** A local fleet whose invocations last {@code timeBudget} less {@code safetyMargin} of work. */
    public static FleetProfile local(Duration timeBudget, Duration safetyMargin) {
        return new FleetProfile(Kind.LOCAL, timeBudget, safetyMargin, 0, "");
    }

    public boolean onLambda() {
        return kind == Kind.LAMBDA;
    }

    /** Seconds a worker works a segment before it hands it on as a continuation. */
    double workingSeconds() {
        return Math.max(1, timeBudget.minus(safetyMargin).toMillis() / 1000.0);
    }

    double memoryGb() {
        return memoryMb / 1024.0;
    }
}
