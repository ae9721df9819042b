package dev.ddbbulk.tools;

import dev.ddbbulk.core.AwsClients;
import java.net.URI;
import picocli.CommandLine.Option;
import software.amazon.awssdk.regions.Region;

/** Where the AWS clients point: real AWS by default, any compatible endpoint with --endpoint-url. */
final class AwsMixin {
    @Option(names = "--endpoint-url", description = "DynamoDB/SQS endpoint (DynamoDB Local, ElasticMQ, LocalStack). Default: AWS.")
    URI endpointUrl;

    @Option(names = "--sqs-endpoint-url", description = "SQS endpoint when it differs from --endpoint-url.")
    URI sqsEndpointUrl;

    @Option(names = "--region", description = "AWS region. Default: the SDK's default region chain.")
    String region;

    AwsClients dynamoDbClients(int connections) {
        return new AwsClients(endpointUrl, region == null ? null : Region.of(region), null, connections);
    }

    AwsClients sqsClients(int connections) {
        return new AwsClients(sqsEndpointUrl != null ? sqsEndpointUrl : endpointUrl,
                region == null ? null : Region.of(region), null, connections);
    }
}
