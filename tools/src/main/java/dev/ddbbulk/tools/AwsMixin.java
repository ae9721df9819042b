package dev.ddbbulk.tools;

import dev.ddbbulk.core.aws.AwsClients;
import dev.ddbbulk.tools.stack.StackClients;
import dev.ddbbulk.tools.stack.StackResolver;
import dev.ddbbulk.tools.stack.StackResources;
import java.net.URI;
import picocli.CommandLine.Option;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

/** Where the AWS clients point: real AWS by default, any compatible endpoint with --endpoint-url. */
public final class AwsMixin {
    @Option(names = "--endpoint-url", description = "Endpoint of every AWS service used (DynamoDB Local, ElasticMQ, LocalStack). Default: AWS.")
    URI endpointUrl;

    @Option(names = "--sqs-endpoint-url", description = "SQS endpoint when it differs from --endpoint-url.")
    URI sqsEndpointUrl;

    @Option(names = "--region", description = "AWS region. Default: the SDK's default region chain.")
    String region;

    /** --endpoint-url, or null for AWS. */
    public URI endpointUrl() {
        return endpointUrl;
    }

    /** --sqs-endpoint-url, or null when SQS uses --endpoint-url. */
    public URI sqsEndpointUrl() {
        return sqsEndpointUrl;
    }

    /** --region, or null for the SDK's default region chain. */
    public String region() {
        return region;
    }

    public AwsClients dynamoDbClients(int connections) {
        return new AwsClients(endpointUrl, region == null ? null : Region.of(region), null, connections);
    }

    /** CloudFormation and Step Functions, at --endpoint-url when given (LocalStack). */
    StackClients stackClients() {
        return new StackClients(endpointUrl, region == null ? null : Region.of(region));
    }

    /**
     * Resolves {@code stackName} with {@code client}, or, when it is null, with a client built from these
     * options and closed afterwards.
     */
    StackResources resolveStack(String stackName, CloudFormationClient client) {
        if (client != null) {
            return new StackResolver(client).resolve(stackName);
        }
        try (CloudFormationClient own = stackClients().cloudFormation()) {
            return new StackResolver(own).resolve(stackName);
        }
    }

    public AwsClients sqsClients(int connections) {
        return new AwsClients(sqsEndpointUrl != null ? sqsEndpointUrl : endpointUrl,
                region == null ? null : Region.of(region), null, connections);
    }
}
