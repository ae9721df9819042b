package dev.ddbbulk.core.retry;

import dev.ddbbulk.core.rate.CapacityBudget;
import java.util.Set;
import java.util.function.Predicate;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Which service errors mean "slow down and retry" rather than "this request is wrong". */
public final class Throttling {
    private static final Set<String> CODES = Set.of("ProvisionedThroughputExceededException",
            "ThrottlingException", "RequestLimitExceeded", "Throttling", "TooManyRequestsException");

    private Throttling() {
    }

    public static boolean isThrottling(Throwable e) {
        return e instanceof AwsServiceException service && (service.isThrottlingException()
                || service.statusCode() == 429
                || (service.awsErrorDetails() != null && CODES.contains(service.awsErrorDetails().errorCode())));
    }

    /** Retryable when throttled, telling {@code budget} so that it slows down before the next attempt. */
    public static Predicate<RuntimeException> slowing(CapacityBudget budget) {
        return e -> {
            if (!isThrottling(e)) {
                return false;
            }
            budget.throttled();
            return true;
        };
    }
}
