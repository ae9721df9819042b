package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.job.AutoSegments;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.testing.TestProcessors;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import dev.ddbbulk.seeder.progress.QueueDepth;
import dev.ddbbulk.worker.BatchResult;
import dev.ddbbulk.worker.Budgets;
import dev.ddbbulk.worker.Deadline;
import dev.ddbbulk.worker.QueuedMessage;
import dev.ddbbulk.worker.Redelivery;
import dev.ddbbulk.worker.SegmentWorker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The deployed state machine's loop, played by hand on DynamoDB Local and ElasticMQ: the seeder handler's
 * output goes into the progress handler, whose output goes back in, as the ASL passes them. Checks that the
 * real ledger and SQS's real queue attributes lead to the verdicts the state machine branches on.
 */
@ExtendWith(EmbeddedServicesExtension.class)
class StateMachineLoopTest {
    private static final int SEGMENTS = 4;
    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static EmbeddedEnvironment environment;

    private final Clock clock = Clock.systemUTC();
    private String source;
    private String queueUrl;
    private String dlqUrl;
    private ProgressLedger ledger;
    private SeederHandler seeder;
    private ProgressHandler progress;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, SqsClient sharedSqs,
                                  EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        sqs = sharedSqs;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void stack() {
        source = environment.unique("loop-source");
        dynamoDb.createTable(b -> b.tableName(source).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
        for (int i = 0; i < 40; i++) {
            String key = "item-" + i;
            dynamoDb.putItem(b -> b.tableName(source).item(Map.of("pk", AttributeValue.fromS(key))));
        }
        ledger = new ProgressLedger(dynamoDb, environment.unique("loop-ledger"), clock);
        ledger.createTableIfMissing();
        dlqUrl = sqs.createQueue(b -> b.queueName(environment.unique("loop-dlq"))).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        queueUrl = sqs.createQueue(b -> b.queueName(environment.unique("loop-segments")).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"3\"}")))
                .queueUrl();

        Map<String, String> env = Map.of(SeederEnv.SOURCE_TABLE, source, SeederEnv.TOTAL_SEGMENTS, Integer.toString(SEGMENTS),
                SeederEnv.PAGE_SIZE, "5");
        seeder = new SeederHandler(new SegmentSeeder(new TableValidator(dynamoDb), ledger, sqs, queueUrl,
                new Random(), 4, Backoff.DEFAULT, Sleeper.SYSTEM, clock), new AutoSegments(dynamoDb), env);
        progress = new ProgressHandler(ledger::findRun, runId -> ledger.deadLettered(runId).size(),
                QueueDepth.reader(sqs), queueUrl, clock);
    }

    @Test
    void loop_whenEverySegmentIsWorked_endsDone() {
        Map<String, Object> state = seed("run-done");

        state = check(state);
        assertThat(state).containsEntry("inFlight", (long) SEGMENTS).containsEntry("done", false)
                .containsEntry("failed", false).containsEntry("stalled", false);

        work(receive(SEGMENTS));
        state = check(state);

        assertThat(state).containsEntry("done", true).containsEntry("segmentsCompleted", (long) SEGMENTS)
                .containsEntry("itemsScanned", 40L).containsEntry("itemsWritten", 40L)
                .containsEntry("inFlight", 0L).containsEntry("failed", false);
    }

    @Test
    void loop_whenASegmentIsDeadLettered_failsOnceTheOtherSegmentsAreDone() {
        Map<String, Object> state = seed("run-dead");
        List<Message> messages = receive(SEGMENTS);
        Message deadLettered = messages.get(0);
        // What the worker does on the queue's last receive; then SQS moves the message to the DLQ.
        ledger.recordDeadLettered((String) state.get("runId"), SegmentMessageCodec.fromJson(deadLettered.body()).segment(),
                deadLettered.messageId(), "IllegalStateException: poison");
        sqs.sendMessage(b -> b.queueUrl(dlqUrl).messageBody(deadLettered.body()));
        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(deadLettered.receiptHandle()));

        state = check(state);
        assertThat(state).containsEntry("done", false).containsEntry("segmentsDeadLettered", 1L)
                .containsEntry("failed", false);

        work(messages.subList(1, SEGMENTS));
        state = check(state);
        assertThat(state).containsEntry("failed", true).containsEntry("stalled", false)
                .containsEntry("segmentsCompleted", (long) SEGMENTS - 1);
    }

    @Test
    void loop_whenTheDlqHoldsAnEarlierRunsSegments_endsDone() {
        sqs.sendMessage(b -> b.queueUrl(dlqUrl).messageBody("a segment of an earlier run"));
        Map<String, Object> state = seed("run-after-a-failed-one");

        work(receive(SEGMENTS));
        state = check(state);

        assertThat(state).containsEntry("done", true).containsEntry("failed", false)
                .containsEntry("segmentsDeadLettered", 0L);
    }

    @Test
    void loop_whenASegmentsMessageIsLost_stallsOnTheThirdIdleCheck() {
        Map<String, Object> state = seed("run-lost");
        List<Message> messages = receive(SEGMENTS);
        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(messages.get(0).receiptHandle()));
        work(messages.subList(1, SEGMENTS));

        state = check(check(state));
        assertThat(state).containsEntry("stalled", false);
        state = check(state);
        assertThat(state).containsEntry("stalled", true).containsEntry("failed", false)
                .containsEntry("segmentsDeadLettered", 0L);
    }

    @Test
    void loop_whenTwoRunsShareTheQueuesAndOneDeadLettersASegment_eachGetsItsOwnVerdict() {
        dynamoDb.putItem(b -> b.tableName(source).item(Map.of("pk", AttributeValue.fromS("poisoned"),
                TestProcessors.Poison.ATTRIBUTE, AttributeValue.fromBool(true))));
        SeederHandler poisonSeeder = new SeederHandler(new SegmentSeeder(new TableValidator(dynamoDb), ledger, sqs,
                queueUrl, new Random(), 4, Backoff.DEFAULT, Sleeper.SYSTEM, clock), new AutoSegments(dynamoDb),
                Map.of(SeederEnv.SOURCE_TABLE, source, SeederEnv.TOTAL_SEGMENTS, Integer.toString(SEGMENTS),
                        SeederEnv.PAGE_SIZE, "5", SeederEnv.ITEM_PROCESSOR, TestProcessors.Poison.class.getName()));
        Map<String, Object> failing = new HashMap<>(poisonSeeder.handleRequest(Map.of("RunId", "run-poisoned"), null));
        failing.put("idleChecks", 0);
        Map<String, Object> healthy = seed("run-healthy");

        // Every message is on its queue's last receive: the poisoned segment's failure dead-letters it.
        List<Message> messages = receive(2 * SEGMENTS);
        SegmentWorker worker = new SegmentWorker(dynamoDb, sqs, queueUrl, ledger, Duration.ofSeconds(5), clock,
                new Random(), Sleeper.SYSTEM, Budgets.PER_WORKER_SHARE,
                new Redelivery(Duration.ZERO, Duration.ZERO, 1));
        BatchResult result = worker.process(messages.stream()
                .map(m -> new QueuedMessage(m.messageId(), m.body(), m.receiptHandle(), 1)).toList(),
                Deadline.after(Duration.ofMinutes(5), clock));
        assertThat(result.failedMessageIds()).hasSize(1);
        messages.stream().filter(m -> !result.failedMessageIds().contains(m.messageId()))
                .forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));

        assertThat(check(failing)).containsEntry("failed", true).containsEntry("done", false)
                .containsEntry("segmentsDeadLettered", 1L).containsEntry("segmentsCompleted", (long) SEGMENTS - 1);
        assertThat(check(healthy)).containsEntry("done", true).containsEntry("failed", false)
                .containsEntry("segmentsDeadLettered", 0L).containsEntry("itemsScanned", 41L);
    }

    /** The Seed state: execution input plus RunId in, its ResultSelector's fields out. */
    private Map<String, Object> seed(String runId) {
        Map<String, Object> output = seeder.handleRequest(Map.of("RunId", runId), null);
        assertThat(output).containsEntry("runId", runId).containsEntry("messagesSent", (long) SEGMENTS);
        Map<String, Object> state = new HashMap<>(output);
        state.put("idleChecks", 0);
        state.put("waitSeconds", 30);
        return state;
    }

    /** The CheckProgress state: its input is the previous state, its output the next. */
    private Map<String, Object> check(Map<String, Object> state) {
        return progress.handleRequest(state, null);
    }

    /** Receives until {@code count} messages have come (SQS may return fewer a call) or 20 s have passed. */
    private List<Message> receive(int count) {
        List<Message> messages = new ArrayList<>();
        Instant giveUp = Instant.now().plusSeconds(20);
        while (messages.size() < count && Instant.now().isBefore(giveUp)) {
            int missing = Math.min(10, count - messages.size());
            messages.addAll(sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(missing)
                    .waitTimeSeconds(1).visibilityTimeout(300)).messages());
        }
        assertThat(messages).hasSize(count);
        return messages;
    }

    /** What Lambda's queue trigger does with the worker's answer: delete all but the reported failures. */
    private void work(List<Message> messages) {
        SegmentWorker worker = new SegmentWorker(dynamoDb, sqs, queueUrl, ledger, Duration.ofSeconds(5), clock,
                new Random(), Sleeper.SYSTEM);
        BatchResult result = worker.process(messages.stream()
                .map(m -> new QueuedMessage(m.messageId(), m.body())).toList(), Deadline.after(Duration.ofMinutes(5), clock));
        assertThat(result.failedMessageIds()).isEmpty();
        messages.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
    }
}
