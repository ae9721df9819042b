package dev.ddbbulk.embedded.testing;

import java.net.URI;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.regions.Region;

/**
 * Where the shared embedded services listen, for code under test that builds its own clients (the CLI is
 * given these as endpoint options), and the names that keep tests apart on services they all share.
 */
public record EmbeddedEnvironment(URI dynamoDbEndpoint, URI sqsEndpoint, Region region) {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /**
     * A name no other test in this JVM uses, valid as a DynamoDB table name, an SQS queue name and a run id
     * ({@code prefix} must be valid as one too): the prefix says what it is, the rest makes it unique.
     */
    public String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
