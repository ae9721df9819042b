package dev.ddbbulk.tools.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lambda context of one local invocation: what the worker handler reads of it is the remaining time,
 * which runs out at the invocation's deadline, as Lambda's does at the function's timeout.
 */
final class FleetContext implements Context {
    private static final Logger LOG = LoggerFactory.getLogger("ddb-bulk-worker");
    private static final LambdaLogger LAMBDA_LOGGER = new LambdaLogger() {
        @Override
        public void log(String message) {
            LOG.info(message);
        }

        @Override
        public void log(byte[] message) {
            LOG.info(new String(message, java.nio.charset.StandardCharsets.UTF_8));
        }
    };

    private final Instant deadline;
    private final Clock clock;
    private final String requestId = UUID.randomUUID().toString();

    FleetContext(Instant deadline, Clock clock) {
        this.deadline = deadline;
        this.clock = clock;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, Duration.between(clock.instant(), deadline).toMillis()));
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "local";
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionName() {
        return "ddb-bulk-local-worker";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "local";
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getMemoryLimitInMB() {
        return (int) (Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }

    @Override
    public LambdaLogger getLogger() {
        return LAMBDA_LOGGER;
    }
}
