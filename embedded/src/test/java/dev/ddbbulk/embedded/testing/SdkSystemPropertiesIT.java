package dev.ddbbulk.embedded.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;

@ExtendWith(EmbeddedServicesExtension.class)
class SdkSystemPropertiesIT {
    private static final List<String> PROPERTIES = List.of(SdkSystemProperties.REGION, SdkSystemProperties.ACCESS_KEY_ID,
            SdkSystemProperties.SECRET_ACCESS_KEY, SdkSystemProperties.DYNAMODB_ENDPOINT, SdkSystemProperties.SQS_ENDPOINT);

    @Test
    void pointingAt_whenOpen_clientsOfTheSdksDefaultChainsReachTheEmbeddedServices(
            DynamoDbClient dynamoDb, SqsClient sqs, EmbeddedEnvironment environment) {
        String table = environment.unique("default-chain-table");
        dynamoDb.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
        String queueName = environment.unique("default-chain-queue");
        String queueUrl = sqs.createQueue(b -> b.queueName(queueName)).queueUrl();

        try (SdkSystemProperties ignored = SdkSystemProperties.pointingAt(environment);
             DynamoDbClient defaultDynamoDb = DynamoDbClient.create();
             SqsClient defaultSqs = SqsClient.create()) {
            assertThat(defaultDynamoDb.listTablesPaginator().tableNames()).contains(table);
            assertThat(defaultSqs.getQueueUrl(b -> b.queueName(queueName)).queueUrl()).isEqualTo(queueUrl);
        }
    }

    @Test
    void close_whenPropertiesWereSetOrNotBefore_putsBackWhatWasThere(EmbeddedEnvironment environment) {
        String regionBefore = System.getProperty(SdkSystemProperties.REGION);
        System.setProperty(SdkSystemProperties.REGION, "eu-west-3");
        try {
            List<String> before = PROPERTIES.stream().map(System::getProperty).toList();

            try (SdkSystemProperties ignored = SdkSystemProperties.pointingAt(environment)) {
                assertThat(System.getProperty(SdkSystemProperties.REGION)).isEqualTo(environment.region().id());
                assertThat(System.getProperty(SdkSystemProperties.DYNAMODB_ENDPOINT))
                        .isEqualTo(environment.dynamoDbEndpoint().toString());
            }

            assertThat(PROPERTIES.stream().map(System::getProperty).toList()).isEqualTo(before);
            assertThat(System.getProperty(SdkSystemProperties.REGION)).isEqualTo("eu-west-3");
        } finally {
            if (regionBefore == null) {
                System.clearProperty(SdkSystemProperties.REGION);
            } else {
                System.setProperty(SdkSystemProperties.REGION, regionBefore);
            }
        }
    }
}
