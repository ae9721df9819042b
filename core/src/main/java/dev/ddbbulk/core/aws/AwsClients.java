package dev.ddbbulk.core.aws;

import dev.ddbbulk.core.retry.Throttling;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Where the SDK clients point: real AWS by default, or any endpoint (DynamoDB Local, ElasticMQ,
 * LocalStack). Build once and share: the clients are thread-safe and pool their connections.
 *
 * <p>The SDK's retry strategy is set here, explicitly, for every client. DynamoDB's retries transient faults
 * only (5xx, broken connections, attempt timeouts), three attempts in all; throttling is left to
 * {@link dev.ddbbulk.core.retry.Retrier} in ddb-bulk's own code, which tells the capacity budget at once so that
 * the worker slows down instead of hammering a hot partition. SQS's is the SDK's standard strategy.
 *
 * @param endpoint    null for the region's AWS endpoint
 * @param region      null for the SDK's default region chain
 * @param credentials null for the SDK's default credentials chain
 * @param maxConnections the HTTP pool size; at least the number of calls in flight at once
 */
public record AwsClients(URI endpoint, Region region, AwsCredentialsProvider credentials, int maxConnections) {
    /** Attempts the SDK makes of one call, the first included. */
    public static final int SDK_ATTEMPTS = 3;

    public static AwsClients defaults() {
        return new AwsClients(null, null, null, 50);
    }

    /** These clients with an HTTP pool of {@code connections}; a pool opens only the connections it uses. */
    public AwsClients withMaxConnections(int connections) {
        return new AwsClients(endpoint, region, credentials, connections);
    }

    public DynamoDbClient dynamoDb() {
        RetryStrategy transientFaultsOnly = StandardRetryStrategy.builder()
                .useClientDefaults(false)
                .retryOnException(AwsClients::isTransientFault)
                .maxAttempts(SDK_ATTEMPTS)
                .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(50), Duration.ofSeconds(2)))
                .build();
        var builder = DynamoDbClient.builder().httpClientBuilder(http())
                .overrideConfiguration(overrides(transientFaultsOnly));
        if (endpoint != null) builder.endpointOverride(endpoint);
        if (region != null) builder.region(region);
        builder.credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build());
        return builder.build();
    }

    public SqsClient sqs() {
        RetryStrategy standard = AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(SDK_ATTEMPTS).build();
        var builder = SqsClient.builder().httpClientBuilder(http()).overrideConfiguration(overrides(standard));
        if (endpoint != null) builder.endpointOverride(endpoint);
        if (region != null) builder.region(region);
        builder.credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build());
        return builder.build();
    }

    /** A fault worth the SDK's own quick retry: not throttling (ddb-bulk's), not a request DynamoDB refused. */
    static boolean isTransientFault(Throwable e) {
        if (Throttling.isThrottling(e)) {
            return false;
        }
        if (e instanceof AwsServiceException service) {
            return service.statusCode() >= 500;
        }
        return e instanceof ApiCallAttemptTimeoutException
                || (e instanceof SdkClientException && e.getCause() instanceof IOException);
    }

    private ApacheHttpClient.Builder http() {
        return ApacheHttpClient.builder().maxConnections(maxConnections).connectionTimeout(Duration.ofSeconds(5));
    }

    private static ClientOverrideConfiguration overrides(RetryStrategy retries) {
        return ClientOverrideConfiguration.builder().retryStrategy(retries)
                .apiCallAttemptTimeout(Duration.ofSeconds(30)).build();
    }
}
