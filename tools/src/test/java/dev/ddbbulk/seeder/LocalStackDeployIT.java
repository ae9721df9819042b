package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * End to end in LocalStack: packages template.yaml the way {@code sam deploy} does (jars and the state
 * machine definition to S3, local paths rewritten to S3 URIs), deploys it with CloudFormation (SAM
 * transform included), fills a source table, starts the state machine and expects it to succeed with every
 * item copied. Needs Docker (LocalStack runs each Lambda in its own container) and the shaded jars from
 * {@code mvn package}; skipped where Docker is missing.
 *
 * <p>The image can be changed with {@code -Dlocalstack.image=...}; {@code LOCALSTACK_AUTH_TOKEN} is passed
 * through when set, for images that require it.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackDeployIT {
    private static final DockerImageName IMAGE = DockerImageName.parse(
            System.getProperty("localstack.image", "localstack/localstack:4.4"));
    private static final String STACK = "ddb-bulk-it";
    private static final String BUCKET = "ddb-bulk-it-artifacts";
    private static final String SOURCE = "bulk-it-source";
    private static final String DESTINATION = "bulk-it-destination";
    private static final int ITEMS = 120;
    private static final int SEGMENTS = 8;
    private static final Pattern LOCAL_ARTIFACT = Pattern.compile("(?m)^(\\s+(?:CodeUri|DefinitionUri): )(\\S+)$");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Container
    private static final LocalStackContainer LOCALSTACK = localStack();

    private static Path root;
    private static CloudFormationClient cloudFormation;
    private static DynamoDbClient dynamoDb;
    private static S3Client s3;
    private static SfnClient sfn;

    private static LocalStackContainer localStack() {
        LocalStackContainer container = new LocalStackContainer(IMAGE)
                // The template asks for arm64 functions; run them on the host's architecture instead.
                .withEnv("LAMBDA_IGNORE_ARCHITECTURE", "1")
                // Java functions start slower than LocalStack's default allows on a busy machine.
                .withEnv("LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT", "120");
        String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
        return token == null || token.isBlank() ? container : container.withEnv("LOCALSTACK_AUTH_TOKEN", token);
    }

    @BeforeAll
    static void clients() {
        root = repositoryRoot();
        URI endpoint = LOCALSTACK.getEndpoint();
        Region region = Region.of(LOCALSTACK.getRegion());
        var credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey()));
        cloudFormation = CloudFormationClient.builder().endpointOverride(endpoint).region(region)
                .credentialsProvider(credentials).build();
        dynamoDb = DynamoDbClient.builder().endpointOverride(endpoint).region(region)
                .credentialsProvider(credentials).build();
        s3 = S3Client.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                .forcePathStyle(true).build();
        sfn = SfnClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials).build();
    }

    @AfterAll
    static void closeClients() {
        for (AutoCloseable client : new AutoCloseable[] {cloudFormation, dynamoDb, s3, sfn}) {
            try {
                if (client != null) client.close();
            } catch (Exception e) {
                // closing test clients: nothing to do
            }
        }
    }

    @Test
    void deployedStateMachine_copiesEveryItemAndSucceeds() throws Exception {
        createTable(SOURCE);
        createTable(DESTINATION);
        for (int i = 0; i < ITEMS; i++) {
            String key = String.format("item-%04d", i);
            dynamoDb.putItem(b -> b.tableName(SOURCE).item(Map.of(
                    "pk", AttributeValue.fromS(key), "payload", AttributeValue.fromS("value of " + key))));
        }

        Map<String, String> outputs = deploy(Map.of(
                "SourceTable", SOURCE,
                "DestinationTable", DESTINATION,
                "TotalSegments", Integer.toString(SEGMENTS),
                "ParallelLambdaFunctions", "2",
                "PageSize", "10"));

        String executionArn = sfn.startExecution(b -> b.stateMachineArn(outputs.get("StateMachineArn"))
                .name("it-run-" + Instant.now().getEpochSecond()).input("{}")).executionArn();
        DescribeExecutionResponse execution = awaitEnd(executionArn, Duration.ofMinutes(15));

        assertThat(execution.status()).as(execution.error() + ": " + execution.cause())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode summary = JSON.readTree(execution.output());
        assertThat(summary.get("done").asBoolean()).isTrue();
        assertThat(summary.get("segmentsCompleted").asLong()).isEqualTo(SEGMENTS);
        assertThat(summary.get("itemsScanned").asLong()).isEqualTo(ITEMS);
        assertThat(summary.get("itemsWritten").asLong()).isEqualTo(ITEMS);
        assertThat(dynamoDb.scan(b -> b.tableName(DESTINATION).select(Select.COUNT)).count()).isEqualTo(ITEMS);
    }

    /** What {@code sam deploy} does: upload local artifacts, point the template at them, create the stack. */
    private static Map<String, String> deploy(Map<String, String> parameters) throws IOException {
        s3.createBucket(b -> b.bucket(BUCKET));
        String template = Files.readString(root.resolve("template.yaml"));
        Matcher artifact = LOCAL_ARTIFACT.matcher(template);
        StringBuilder packaged = new StringBuilder();
        while (artifact.find()) {
            Path file = root.resolve(artifact.group(2));
            assertThat(file).as("run `mvn package` first: the template deploys the built artifacts").isRegularFile();
            String key = file.getFileName().toString();
            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromFile(file));
            artifact.appendReplacement(packaged, Matcher.quoteReplacement(artifact.group(1) + "s3://" + BUCKET + "/" + key));
        }
        artifact.appendTail(packaged);

        cloudFormation.createStack(b -> b.stackName(STACK).templateBody(packaged.toString())
                .capabilities(Capability.CAPABILITY_IAM, Capability.CAPABILITY_AUTO_EXPAND)
                .parameters(parameters.entrySet().stream()
                        .map(e -> Parameter.builder().parameterKey(e.getKey()).parameterValue(e.getValue()).build())
                        .toList()));
        try {
            cloudFormation.waiter().waitUntilStackCreateComplete(b -> b.stackName(STACK),
                    o -> o.waitTimeout(Duration.ofMinutes(10)));
        } catch (SdkClientException e) {
            throw new AssertionError("Stack " + STACK + " was not created:\n" + stackEvents(), e);
        }
        var stack = cloudFormation.describeStacks(b -> b.stackName(STACK)).stacks().get(0);
        assertThat(stack.stackStatus()).as(stackEvents()).isEqualTo(StackStatus.CREATE_COMPLETE);
        return stack.outputs().stream().collect(Collectors.toMap(Output::outputKey, Output::outputValue));
    }

    private static DescribeExecutionResponse awaitEnd(String executionArn, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        DescribeExecutionResponse execution = sfn.describeExecution(b -> b.executionArn(executionArn));
        while (execution.status() == ExecutionStatus.RUNNING && Instant.now().isBefore(deadline)) {
            Thread.sleep(2000);
            execution = sfn.describeExecution(b -> b.executionArn(executionArn));
        }
        return execution;
    }

    private static void createTable(String name) {
        dynamoDb.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
        dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(name));
    }

    private static String stackEvents() {
        List<String> events = cloudFormation.describeStackEvents(b -> b.stackName(STACK)).stackEvents().stream()
                .map(e -> e.logicalResourceId() + " " + e.resourceStatus() + " " + e.resourceStatusReason())
                .toList();
        return String.join("\n", events);
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No template.yaml above " + Path.of("").toAbsolutePath());
    }
}
