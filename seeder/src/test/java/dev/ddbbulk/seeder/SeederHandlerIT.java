package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.embedded.testing.SdkSystemProperties;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** The Seed step's handler as Lambda builds it: from the environment the template sets, with default clients. */
@ExtendWith(EmbeddedServicesExtension.class)
class SeederHandlerIT {

    @Test
    void handleRequest_whenBuiltFromTheTemplatesEnvironment_seedsTheRunIntoTheLedgerAndQueueItNames(
            DynamoDbClient dynamoDb, SqsClient sqs, EmbeddedEnvironment environment) {
        String source = environment.unique("seed-handler-src");
        TestTables.createAndFill(dynamoDb, source, 20);
        String queueUrl = TestTables.createQueue(sqs, environment.unique("seed-handler-q"));
        ProgressLedger ledger = new ProgressLedger(dynamoDb, environment.unique("seed-handler-ledger"), Clock.systemUTC());
        ledger.createTableIfMissing();
        String runId = environment.unique("run");
        Map<String, String> env = Map.of(SeederEnv.LEDGER_TABLE, ledger.table(), SeederEnv.SEGMENT_QUEUE_URL, queueUrl,
                SeederEnv.SOURCE_TABLE, source, SeederEnv.TOTAL_SEGMENTS, "6");

        Map<String, Object> output;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream original = System.out;
        // Lambda sends what the function writes to stdout to CloudWatch Logs.
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try (SdkSystemProperties ignored = SdkSystemProperties.pointingAt(environment)) {
            output = new SeederHandler(env).handleRequest(Map.of("RunId", runId), null);
        } finally {
            System.setOut(original);
        }

        assertThat(output).containsEntry("runId", runId).containsEntry("totalSegments", 6)
                .containsEntry("messagesSent", 6L).containsEntry("alreadySeeded", false);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.seeded()).isTrue();
        assertThat(run.job().sourceTable()).isEqualTo(source);
        assertThat(run.job().totalSegments()).isEqualTo(6);
        List<Message> messages = TestTables.receive(sqs, queueUrl, 6, Duration.ofSeconds(20));
        assertThat(messages).extracting(m -> SegmentMessageCodec.fromJson(m.body()))
                .allSatisfy(m -> assertThat(m.runId()).isEqualTo(runId))
                .extracting(SegmentMessage::segment)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 6).boxed().toList());
        List<String> outcomeLines = stdout.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith("{") && line.contains("\"outcome\"")).toList();
        assertThat(outcomeLines).singleElement().satisfies(line -> {
            JsonNode outcome = new ObjectMapper().readTree(line);
            assertThat(outcome.get("runId").asText()).isEqualTo(runId);
            assertThat(outcome.get("messagesSent").asLong()).isEqualTo(6);
        });
    }
}
