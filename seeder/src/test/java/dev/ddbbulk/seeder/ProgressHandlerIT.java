package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.testing.TestRuns;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.embedded.testing.SdkSystemProperties;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The CheckProgress step's handler as Lambda builds it: from the environment the template sets, with default clients. */
@ExtendWith(EmbeddedServicesExtension.class)
class ProgressHandlerIT {

    @Test
    void handleRequest_whenBuiltFromTheTemplatesEnvironment_reportsTheRunOfTheLedgerAndTheDepthOfTheQueueItNames(
            DynamoDbClient dynamoDb, SqsClient sqs, EmbeddedEnvironment environment) {
        String queueUrl = TestTables.createQueue(sqs, environment.unique("progress-handler-q"));
        ProgressLedger ledger = new ProgressLedger(dynamoDb, environment.unique("progress-handler-ledger"),
                Clock.systemUTC());
        ledger.createTableIfMissing();
        String runId = TestRuns.seed(ledger, sqs, queueUrl, environment.unique("run"),
                JobConfig.builder().sourceTable("source-table").totalSegments(4).build());
        ledger.recordDeadLettered(runId, 2, "message-2", "IllegalStateException: poison");
        ledger.recordDeadLettered("another-run", 0, "message-0", "IllegalStateException: not this run's");
        Map<String, String> env = Map.of(SeederEnv.LEDGER_TABLE, ledger.table(), SeederEnv.SEGMENT_QUEUE_URL, queueUrl);

        Map<String, Object> output;
        try (SdkSystemProperties ignored = SdkSystemProperties.pointingAt(environment)) {
            output = new ProgressHandler(env).handleRequest(Map.of("runId", runId), null);
        }

        assertThat(output).containsEntry("runId", runId)
                .containsEntry("totalSegments", 4)
                .containsEntry("segmentsCompleted", 0L)
                .containsEntry("inFlight", 4L)
                .containsEntry("segmentsDeadLettered", 1L)
                .containsEntry("done", false)
                .containsEntry("failed", false);
    }
}
