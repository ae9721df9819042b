package dev.ddbbulk.bench;

import dev.ddbbulk.core.aws.AwsClients;
import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.embedded.EmbeddedServices;
import dev.ddbbulk.tools.AwsMixin;
import dev.ddbbulk.tools.local.DemoData;
import dev.ddbbulk.tools.local.QueuePair;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Where the bench runs: the embedded default (DynamoDB Local + ElasticMQ in this JVM) or the endpoints
 * given on the command line. Every table and queue it makes has a name unique to this bench run and is
 * deleted again, whether the bench succeeds or fails, so a bench against a shared endpoint leaves nothing.
 */
final class BenchTarget implements AutoCloseable {
    private final EmbeddedServices embedded;
    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final URI dynamoDbEndpoint;
    private final URI sqsEndpoint;
    private final Region region;
    private final String prefix = "ddb-bulk-bench-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final List<String> tables = new ArrayList<>();
    private final List<String> queues = new ArrayList<>();
    private final PrintWriter err;

    private BenchTarget(EmbeddedServices embedded, DynamoDbClient dynamoDb, SqsClient sqs, URI dynamoDbEndpoint,
                        URI sqsEndpoint, Region region, PrintWriter err) {
        this.embedded = embedded;
        this.dynamoDb = dynamoDb;
        this.sqs = sqs;
        this.dynamoDbEndpoint = dynamoDbEndpoint;
        this.sqsEndpoint = sqsEndpoint;
        this.region = region;
        this.err = err;
    }

    /** DynamoDB Local and ElasticMQ in this JVM. */
    static BenchTarget embedded(int connections, PrintWriter err) {
        EmbeddedServices services = EmbeddedServices.start();
        try {
            return new BenchTarget(services, services.dynamoDbClient(connections), services.sqsClient(connections),
                    services.dynamoDbEndpoint(), services.sqsEndpoint(), EmbeddedServices.REGION, err);
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
    }

    /** The endpoints of {@code aws} (AWS itself when none is given). */
    static BenchTarget endpoints(AwsMixin aws, int connections, PrintWriter err) {
        AwsClients dynamoDbClients = aws.dynamoDbClients(connections);
        AwsClients sqsClients = aws.sqsClients(connections);
        return new BenchTarget(null, dynamoDbClients.dynamoDb(), sqsClients.sqs(), dynamoDbClients.endpoint(),
                sqsClients.endpoint(), aws.region() == null ? null : Region.of(aws.region()), err);
    }

    boolean isEmbedded() {
        return embedded != null;
    }

    DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    SqsClient sqs() {
        return sqs;
    }

    /** Null for AWS's own endpoint. */
    URI dynamoDbEndpoint() {
        return dynamoDbEndpoint;
    }

    /** Null for AWS's own endpoint. */
    URI sqsEndpoint() {
        return sqsEndpoint;
    }

    /** Null for the SDK's default region chain. */
    Region region() {
        return region;
    }

    /**
     * A DynamoDB client like this target's, but sending its calls to {@code endpoint} (a {@link LatencyProxy}
     * in front of this target's DynamoDB).
     */
    DynamoDbClient dynamoDbVia(URI endpoint, int connections) {
        return new AwsClients(endpoint, region, embedded != null ? EmbeddedServices.CREDENTIALS : null, connections)
                .dynamoDb();
    }

    /** A name unique to this bench run, valid for a table and a queue alike. */
    String name(String suffix) {
        return prefix + suffix.replaceAll("[^a-zA-Z0-9_-]", "-");
    }

    /** A new demo-shaped table (pk S, sk N), deleted on close. */
    TableShape createTable(String suffix) {
        String table = name(suffix);
        DemoData.createTable(dynamoDb, table);
        tables.add(table);
        return new TableValidator(dynamoDb).describe(table, "table", "--endpoint-url");
    }

    /** A new, empty progress ledger table, deleted on close. */
    ProgressLedger createLedger(String suffix) {
        String table = name(suffix);
        ProgressLedger ledger = new ProgressLedger(dynamoDb, table, Clock.systemUTC());
        ledger.createTableIfMissing();
        tables.add(table);
        return ledger;
    }

    /** A new segment queue with its DLQ, deleted on close (or earlier with {@link #deleteQueues}). */
    QueuePair createQueuePair(String suffix) {
        QueuePair pair = QueuePair.create(sqs, name(suffix), 3, Duration.ofMinutes(15).plusSeconds(30));
        queues.add(pair.queueUrl());
        queues.add(pair.dlqUrl());
        return pair;
    }

    /** Deletes a table now; a copy's destination is not needed once measured, and DynamoDB Local keeps it in memory. */
    void deleteTable(String table) {
        if (tables.remove(table)) {
            dynamoDb.deleteTable(b -> b.tableName(table));
        }
    }

    void deleteQueues(String... urls) {
        for (String url : urls) {
            if (queues.remove(url)) {
                sqs.deleteQueue(b -> b.queueUrl(url));
            }
        }
    }

    @Override
    public void close() {
        for (String table : List.copyOf(tables)) {
            try {
                deleteTable(table);
            } catch (RuntimeException e) {
                err.println("bench: could not delete table " + table + ": " + e.getMessage());
            }
        }
        for (String url : List.copyOf(queues)) {
            try {
                deleteQueues(url);
            } catch (RuntimeException e) {
                err.println("bench: could not delete queue " + url + ": " + e.getMessage());
            }
        }
        err.flush();
        dynamoDb.close();
        sqs.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
