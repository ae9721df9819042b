package dev.ddbbulk.core.aws;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Where the SDK clients point: real AWS by default, or any endpoint (DynamoDB Local, ElasticMQ,
 * LocalStack). Build once and share: the clients are thread-safe and pool their connections.
 *
 * @param endpoint    null for the region's AWS endpoint
 * @param region      null for the SDK's default region chain
 * @param credentials null for the SDK's default credentials chain
 * @param maxConnections the HTTP pool size; at least the number of worker threads
 */
public record AwsClients(URI endpoint, Region region, AwsCredentialsProvider credentials, int maxConnections) {

    public static AwsClients defaults() {
        return new AwsClients(null, null, null, 50);
    }

    public DynamoDbClient dynamoDb() {
        var builder = DynamoDbClient.builder().httpClientBuilder(http()).overrideConfiguration(overrides());
        if (endpoint != null) builder.endpointOverride(endpoint);
        if (region != null) builder.region(region);
        builder.credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build());
        return builder.build();
    }

    public SqsClient sqs() {
        var builder = SqsClient.builder().httpClientBuilder(http()).overrideConfiguration(overrides());
        if (endpoint != null) builder.endpointOverride(endpoint);
        if (region != null) builder.region(region);
        builder.credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build());
        return builder.build();
    }

    private ApacheHttpClient.Builder http() {
        return ApacheHttpClient.builder().maxConnections(maxConnections).connectionTimeout(Duration.ofSeconds(5));
    }

    private static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder().apiCallAttemptTimeout(Duration.ofSeconds(30)).build();
    }
}
