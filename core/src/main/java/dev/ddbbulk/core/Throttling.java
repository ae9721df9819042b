package dev.ddbbulk.core;

import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Which service errors mean "slow down and retry" rather than "this request is wrong". */
final class Throttling {
    private static final Set<String> CODES = Set.of("ProvisionedThroughputExceededException",
            "ThrottlingException", "RequestLimitExceeded", "Throttling", "TooManyRequestsException");

    private Throttling() {
    }

    static boolean isThrottling(AwsServiceException e) {
        return e.isThrottlingException() || e.statusCode() == 429
                || (e.awsErrorDetails() != null && CODES.contains(e.awsErrorDetails().errorCode()));
    }
}
