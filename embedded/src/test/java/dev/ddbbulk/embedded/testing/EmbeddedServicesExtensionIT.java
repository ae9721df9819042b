package dev.ddbbulk.embedded.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
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
class EmbeddedServicesExtensionIT {
    private static DynamoDbClient dynamoDbOfBeforeAll;
    private static EmbeddedEnvironment environmentOfBeforeAll;

    @BeforeAll
    static void resolveOnce(DynamoDbClient dynamoDb, EmbeddedEnvironment environment) {
        dynamoDbOfBeforeAll = dynamoDb;
        environmentOfBeforeAll = environment;
    }

    @Test
    void resolve_whenATestAsksForClients_givesClientsOfRunningServicesAtTheEndpoints(
            DynamoDbClient dynamoDb, SqsClient sqs, EmbeddedEnvironment environment) {
        String table = environment.unique("extension-table");
        dynamoDb.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
        String queueUrl = sqs.createQueue(b -> b.queueName(environment.unique("extension-queue"))).queueUrl();

        assertThat(dynamoDb.listTablesPaginator().tableNames()).contains(table);
        assertThat(queueUrl).startsWith(environment.sqsEndpoint().toString());
        assertThat(environment.dynamoDbEndpoint().getHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void resolve_whenAskedAgain_givesTheSameClientAndEnvironment(DynamoDbClient dynamoDb,
                                                                 EmbeddedEnvironment environment) {
        assertThat(dynamoDb).isSameAs(dynamoDbOfBeforeAll);
        assertThat(environment).isSameAs(environmentOfBeforeAll);
    }

    @Test
    void unique_whenCalledTwiceWithOnePrefix_givesTwoNamesStartingWithIt(EmbeddedEnvironment environment) {
        String first = environment.unique("run");
        String second = environment.unique("run");

        assertThat(first).startsWith("run-").isNotEqualTo(second);
        assertThat(second).startsWith("run-").matches("[a-zA-Z0-9_.-]{3,80}");
    }

    @Nested
    class InAnotherTestClass {
        @Test
        void resolve_givesTheServicesThatTheFirstClassStarted(DynamoDbClient dynamoDb, EmbeddedEnvironment environment) {
            assertThat(dynamoDb).isSameAs(dynamoDbOfBeforeAll);
            assertThat(environment).isSameAs(environmentOfBeforeAll);
        }
    }
}
