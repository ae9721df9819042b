package dev.ddbbulk.embedded.testing;

import dev.ddbbulk.embedded.EmbeddedServices;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The integration tests' one fixture: DynamoDB Local and ElasticMQ started once per JVM, on first use, and
 * shared by every test class, so that a module's tests pay for one start and all set up the same way.
 *
 * <p>Resolves parameters of type {@link DynamoDbClient}, {@link SqsClient} and {@link EmbeddedEnvironment}
 * (of constructors, lifecycle methods and tests). The clients are shared: tests must not close them, and
 * keep out of each other's data by naming every table, queue and run with {@link EmbeddedEnvironment#unique}.
 * The services stop when JUnit closes its root context, at the end of the run.
 */
public final class EmbeddedServicesExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedServicesExtension.class);
    /** Enough for a local fleet whose workers each have a scan or write, a claim and a completion in flight. */
    private static final int CONNECTIONS = 64;

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == DynamoDbClient.class || type == SqsClient.class || type == EmbeddedEnvironment.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // The root context lives as long as the test run (one per JVM under Surefire and Failsafe), and its
        // store closes what it holds when the run ends.
        Shared shared = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Shared.class, key -> Shared.start(), Shared.class);
        Class<?> type = parameter.getParameter().getType();
        if (type == DynamoDbClient.class) {
            return shared.dynamoDb();
        }
        if (type == SqsClient.class) {
            return shared.sqs();
        }
        return shared.environment();
    }

    private record Shared(EmbeddedServices services, DynamoDbClient dynamoDb, SqsClient sqs,
                          EmbeddedEnvironment environment) implements AutoCloseable {
        static Shared start() {
            EmbeddedServices services = EmbeddedServices.start();
            // Code under test that builds its own clients from the SDK's default chains, as the CLI does
            // against AWS, needs some credentials; the embedded services take any.
            System.setProperty("aws.accessKeyId", EmbeddedServices.CREDENTIALS.resolveCredentials().accessKeyId());
            System.setProperty("aws.secretAccessKey",
                    EmbeddedServices.CREDENTIALS.resolveCredentials().secretAccessKey());
            return new Shared(services, services.dynamoDbClient(CONNECTIONS), services.sqsClient(CONNECTIONS),
                    new EmbeddedEnvironment(services.dynamoDbEndpoint(), services.sqsEndpoint(),
                            EmbeddedServices.REGION));
        }

        @Override
        public void close() {
            sqs.close();
            dynamoDb.close();
            services.close();
        }
    }
}
