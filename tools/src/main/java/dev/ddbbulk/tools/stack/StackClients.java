package dev.ddbbulk.tools.stack;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The clients that find and drive a deployed stack: CloudFormation for its outputs, Step Functions for its
 * executions. They live here, not in core's {@code AwsClients}, so the Lambda artifacts never carry them.
 *
 * @param endpoint null for the region's AWS endpoint (LocalStack serves both on one endpoint)
 * @param region   null for the SDK's default region chain
 */
public record StackClients(URI endpoint, Region region) {

    public CloudFormationClient cloudFormation() {
        return configured(CloudFormationClient.builder());
    }

    public SfnClient sfn() {
        return configured(SfnClient.builder());
    }

    /** Both clients alike: this endpoint and region, the default credentials, a small pool, a call timeout. */
    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C configured(B builder) {
        builder.httpClientBuilder(http()).overrideConfiguration(overrides())
                .credentialsProvider(DefaultCredentialsProvider.builder().build());
        if (endpoint != null) builder.endpointOverride(endpoint);
        if (region != null) builder.region(region);
        return builder.build();
    }

    private static ApacheHttpClient.Builder http() {
        return ApacheHttpClient.builder().maxConnections(4).connectionTimeout(Duration.ofSeconds(5));
    }

    private static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder().apiCallAttemptTimeout(Duration.ofSeconds(30)).build();
    }
}
