package dev.ddbbulk.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local (in memory) and ElasticMQ started inside this JVM on free loopback ports: the embedded
 * default that the demo and the tests run on. No account, no Docker. Close it to stop both.
 */
public final class EmbeddedServices implements AutoCloseable {
    public static final Region REGION = Region.US_EAST_1;
    public static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("ddbbulk", "ddbbulk"));

    /** Held so that its level sticks: java.util.logging keeps loggers only weakly. */
    private static final java.util.logging.Logger SQLITE_LOG = java.util.logging.Logger.getLogger("com.almworks.sqlite4java");

    private final DynamoDBProxyServer dynamoDbServer;
    private final SQSRestServer sqsServer;
    private final URI dynamoDbEndpoint;
    private final URI sqsEndpoint;

    private EmbeddedServices(DynamoDBProxyServer dynamoDbServer, URI dynamoDbEndpoint,
                             SQSRestServer sqsServer, URI sqsEndpoint) {
        this.dynamoDbServer = dynamoDbServer;
        this.dynamoDbEndpoint = dynamoDbEndpoint;
        this.sqsServer = sqsServer;
        this.sqsEndpoint = sqsEndpoint;
    }

    /** Starts both services; blocks until they accept requests. */
    public static EmbeddedServices start() {
        int dynamoDbPort = freePort();
        DynamoDBProxyServer dynamoDb;
        // DynamoDB Local prints its configuration on stdout, which belongs to the caller (the CLI's JSON).
        java.io.PrintStream stdout = System.out;
        System.setOut(System.err);
        try {
            SQLITE_LOG.setLevel(java.util.logging.Level.SEVERE);
            dynamoDb = ServerRunner.createServerFromCommandLineArgs(
                    new String[] {"-inMemory", "-port", Integer.toString(dynamoDbPort), "-disableTelemetry"});
            dynamoDb.start();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start on port " + dynamoDbPort + ": " + e, e);
        } finally {
            System.setOut(stdout);
        }
        int sqsPort = freePort();
        SQSRestServer sqs;
        try {
            sqs = SQSRestServerBuilder.withInterface("127.0.0.1")
                    .withPort(sqsPort)
                    .withServerAddress(new NodeAddress("http", "127.0.0.1", sqsPort, ""))
                    .start();
            sqs.waitUntilStarted();
        } catch (RuntimeException e) {
            stopQuietly(dynamoDb, e);
            throw new IllegalStateException("ElasticMQ did not start on port " + sqsPort + ": " + e, e);
        }
        return new EmbeddedServices(dynamoDb, URI.create("http://127.0.0.1:" + dynamoDbPort),
                sqs, URI.create("http://127.0.0.1:" + sqsPort));
    }

    public URI dynamoDbEndpoint() {
        return dynamoDbEndpoint;
    }

    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    /** A new DynamoDB client for the embedded endpoint; the caller closes it. */
    public DynamoDbClient dynamoDbClient(int maxConnections) {
        return DynamoDbClient.builder().endpointOverride(dynamoDbEndpoint).region(REGION)
                .credentialsProvider(CREDENTIALS).httpClientBuilder(http(maxConnections))
                .overrideConfiguration(overrides()).build();
    }

    /** A new SQS client for the embedded endpoint; the caller closes it. */
    public SqsClient sqsClient(int maxConnections) {
        return SqsClient.builder().endpointOverride(sqsEndpoint).region(REGION)
                .credentialsProvider(CREDENTIALS).httpClientBuilder(http(maxConnections))
                .overrideConfiguration(overrides()).build();
    }

    private static ApacheHttpClient.Builder http(int maxConnections) {
        return ApacheHttpClient.builder().maxConnections(maxConnections);
    }

    private static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder().apiCallAttemptTimeout(Duration.ofSeconds(60)).build();
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            sqsServer.stopAndWait();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            dynamoDbServer.stop();
        } catch (Exception e) {
            if (failure == null) {
                failure = new IllegalStateException("DynamoDB Local did not stop: " + e, e);
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void stopQuietly(DynamoDBProxyServer server, RuntimeException cause) {
        try {
            server.stop();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        }
    }
}
