package dev.ddbbulk.embedded.testing;

import dev.ddbbulk.embedded.EmbeddedServices;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Points the SDK's default chains at the embedded services, for code under test that builds its clients as a
 * Lambda handler does (region, credentials and endpoint from the environment), and puts back what was there
 * when closed. System properties are read before environment variables by each chain of SDK 2.40: the region
 * from {@code aws.region}, credentials from {@code aws.accessKeyId} and {@code aws.secretAccessKey}, and a
 * service's endpoint from {@code aws.endpointUrl} followed by its service id ({@code aws.endpointUrlDynamoDb},
 * {@code aws.endpointUrlSqs}).
 *
 * <p>The properties are global to the JVM: open this around one test, never from tests running in parallel.
 */
public final class SdkSystemProperties implements AutoCloseable {
    public static final String REGION = "aws.region";
    public static final String ACCESS_KEY_ID = "aws.accessKeyId";
    public static final String SECRET_ACCESS_KEY = "aws.secretAccessKey";
    public static final String DYNAMODB_ENDPOINT = "aws.endpointUrlDynamoDb";
    public static final String SQS_ENDPOINT = "aws.endpointUrlSqs";

    /** Each property set, with the value it had before (null for none). */
    private final Map<String, String> previous = new LinkedHashMap<>();

    private SdkSystemProperties() {
    }

    /** Sets the properties so that default clients reach {@code environment}'s services. */
    public static SdkSystemProperties pointingAt(EmbeddedEnvironment environment) {
        SdkSystemProperties properties = new SdkSystemProperties();
        properties.set(REGION, environment.region().id());
        properties.set(ACCESS_KEY_ID, EmbeddedServices.CREDENTIALS.resolveCredentials().accessKeyId());
        properties.set(SECRET_ACCESS_KEY, EmbeddedServices.CREDENTIALS.resolveCredentials().secretAccessKey());
        properties.set(DYNAMODB_ENDPOINT, environment.dynamoDbEndpoint().toString());
        properties.set(SQS_ENDPOINT, environment.sqsEndpoint().toString());
        return properties;
    }

    private void set(String name, String value) {
        previous.put(name, System.setProperty(name, value));
    }

    @Override
    public void close() {
        previous.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }
}
