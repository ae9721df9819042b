package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.AutoSegments;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** TotalSegments auto in a state machine execution's input or the stack's parameters, resolved by the Seed step. */
@ExtendWith(EmbeddedServicesExtension.class)
class SeederAutoSegmentsIT {
    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static EmbeddedEnvironment environment;

    private String source;
    private String queueUrl;
    private ProgressLedger ledger;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, SqsClient sharedSqs,
                                  EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        sqs = sharedSqs;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void newTablesAndQueue() {
        source = environment.unique("auto-src");
        // 20 items in pages of 5 are 4 pages: with 3 workers, a segment a page.
        TestTables.createAndFill(dynamoDb, source, 20);
        queueUrl = TestTables.createQueue(sqs, environment.unique("auto-q"));
        ledger = new ProgressLedger(dynamoDb, environment.unique("auto-ledger"), Clock.systemUTC());
        ledger.createTableIfMissing();
    }

    private SeederHandler handler(String stackSegments) {
        Map<String, String> env = new HashMap<>(Map.of(SeederEnv.SOURCE_TABLE, source, SeederEnv.PAGE_SIZE, "5",
                SeederEnv.PARALLEL_LAMBDA_FUNCTIONS, "3"));
        if (stackSegments != null) {
            env.put(SeederEnv.TOTAL_SEGMENTS, stackSegments);
        }
        SegmentSeeder seeder = new SegmentSeeder(new TableValidator(dynamoDb), ledger, sqs, queueUrl, new Random(3), 4,
                Backoff.DEFAULT, Sleeper.SYSTEM, Clock.systemUTC());
        return new SeederHandler(seeder, new AutoSegments(dynamoDb), env,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Clock.systemUTC());
    }

    @Test
    void handleRequest_whenInputSaysAuto_seedsTheSizedNumberAndTheLedgerRecordsIt() {
        String runId = environment.unique("run");

        Map<String, Object> output = handler("1000").handleRequest(Map.of("RunId", runId, "TotalSegments", "auto"), null);

        assertThat(output).containsEntry("totalSegments", 4).containsEntry("messagesSent", 4L);
        assertThat(ledger.findRun(runId).orElseThrow().job().totalSegments()).isEqualTo(4);
        assertThat(TestTables.receive(sqs, queueUrl, 4, Duration.ofSeconds(20))).hasSize(4);
    }

    @Test
    void handleRequest_whenTheStackSaysAutoAndTheInputNothing_seedsTheSizedNumber() {
        String runId = environment.unique("run");

        Map<String, Object> output = handler("AUTO").handleRequest(Map.of("RunId", runId), null);

        assertThat(output).containsEntry("totalSegments", 4);
        assertThat(ledger.findRun(runId).orElseThrow().job().totalSegments()).isEqualTo(4);
    }

    @Test
    void handleRequest_whenTheStackSaysAutoAndTheInputANumber_seedsTheNumber() {
        String runId = environment.unique("run");

        Map<String, Object> output = handler("auto").handleRequest(Map.of("RunId", runId, "TotalSegments", 7), null);

        assertThat(output).containsEntry("totalSegments", 7);
        assertThat(ledger.findRun(runId).orElseThrow().job().totalSegments()).isEqualTo(7);
    }

    @Test
    void handleRequest_whenAutoFollowsAnExistingRun_keepsTheRecordedNumberThoughTheTableGrew() {
        String runId = environment.unique("run");
        handler("7").handleRequest(Map.of("RunId", runId), null);
        // 200 items more would size to 12 segments now.
        TestTables.fill(dynamoDb, source, 220);

        Map<String, Object> output = handler("auto").handleRequest(Map.of("RunId", runId, "TotalSegments", "auto"),
                null);

        assertThat(output).containsEntry("totalSegments", 7).containsEntry("alreadySeeded", true)
                .containsEntry("messagesSent", 0L);
        assertThat(ledger.findRun(runId).orElseThrow().job().totalSegments()).isEqualTo(7);
        assertThat(ledger.fleetChanges(runId)).isZero();
    }

    @Test
    void handleRequest_whenTheSourceIsEmpty_seedsOneSegmentAWorker() {
        source = environment.unique("auto-empty");
        TestTables.createCompositeTable(dynamoDb, source);
        String runId = environment.unique("run");

        Map<String, Object> output = handler("auto").handleRequest(Map.of("RunId", runId), null);

        assertThat(output).containsEntry("totalSegments", 3);
    }
}
