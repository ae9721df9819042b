package dev.ddbbulk.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.embedded.EmbeddedServices;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The proxy in front of the embedded DynamoDB Local, spoken to by the SDK over its keep-alive connections. */
@ExtendWith(EmbeddedServicesExtension.class)
class LatencyProxyIT {
    private static final Duration LATENCY = Duration.ofMillis(50);

    @Test
    void start_whenInFrontOfDynamoDbLocal_itemsRoundTripAndEachCallTakesAtLeastTheLatency(
            DynamoDbClient direct, EmbeddedEnvironment environment) {
        String table = environment.unique("latency-proxy");
        direct.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
        URI dynamoDb = environment.dynamoDbEndpoint();

        List<Long> putNanos = new ArrayList<>();
        List<Long> getNanos = new ArrayList<>();
        try (LatencyProxy proxy = LatencyProxy.start(new InetSocketAddress(dynamoDb.getHost(), dynamoDb.getPort()),
                LATENCY);
             DynamoDbClient proxied = DynamoDbClient.builder().endpointOverride(proxy.endpoint())
                     .region(environment.region()).credentialsProvider(EmbeddedServices.CREDENTIALS)
                     .httpClientBuilder(ApacheHttpClient.builder().maxConnections(4)).build()) {
            for (int i = 0; i < 10; i++) {
                Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("item-" + i),
                        "payload", AttributeValue.fromS("value " + i + " ".repeat(i * 100)));
                long start = System.nanoTime();
                proxied.putItem(b -> b.tableName(table).item(item));
                putNanos.add(System.nanoTime() - start);

                start = System.nanoTime();
                Map<String, AttributeValue> read = proxied.getItem(b -> b.tableName(table).consistentRead(true)
                        .key(Map.of("pk", item.get("pk")))).item();
                getNanos.add(System.nanoTime() - start);

                assertThat(read).isEqualTo(item);
            }
        }

        // For the log only: the same calls past the proxy, to set the proxied times against.
        List<Long> directNanos = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String pk = "item-" + i;
            long start = System.nanoTime();
            direct.getItem(b -> b.tableName(table).consistentRead(true).key(Map.of("pk", AttributeValue.fromS(pk))));
            directNanos.add(System.nanoTime() - start);
        }
        System.out.println("LatencyProxyIT at " + LATENCY.toMillis() + " ms: PutItem ms " + millis(putNanos)
                + ", GetItem ms " + millis(getNanos) + "; GetItem without the proxy ms " + millis(directNanos));
        assertThat(putNanos).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(LATENCY.toNanos()));
        assertThat(getNanos).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(LATENCY.toNanos()));
        // What the proxy wrote, read past it: the data went through whole.
        assertThat(direct.getItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS("item-9")))).item()
                .get("payload").s()).startsWith("value 9").hasSize("value 9".length() + 900);
    }

    private static List<Long> millis(List<Long> nanos) {
        return nanos.stream().map(TimeUnit.NANOSECONDS::toMillis).toList();
    }
}
