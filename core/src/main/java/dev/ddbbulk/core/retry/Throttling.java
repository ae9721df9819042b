package dev.ddbbulk.core.retry;

import dev.ddbbulk.core.rate.CapacityBudget;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Which service errors mean "slow down and retry" rather than "this request is wrong". */
public final class Throttling {
    private static final Set<String> CODES = Set.of("ProvisionedThroughputExceededException",
            "ThrottlingException", "RequestLimitExceeded", "Throttling", "TooManyRequestsException");

    private Throttling() {
    }

    /** Calls {@code call}, retrying throttling errors with jittered backoff until the attempts run out. */
    public static <T> T retry(java.util.function.Supplier<T> call, CapacityBudget budget, Backoff backoff,
                       java.util.Random random, Sleeper sleeper) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            budget.awaitCapacity();
            try {
                return call.get();
            } catch (AwsServiceException e) {
                if (!isThrottling(e) || attempt + 1 >= backoff.maxAttempts()) {
                    throw e;
                }
                budget.throttled();
            }
            sleeper.sleep(backoff.delay(attempt, random));
        }
    }

    public static boolean isThrottling(AwsServiceException e) {
        return e.isThrottlingException() || e.statusCode() == 429
                || (e.awsErrorDetails() != null && CODES.contains(e.awsErrorDetails().errorCode()));
    }
}
