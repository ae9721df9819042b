package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.core.message.SegmentMessageCodec;
import dev.ddbbulk.core.processor.ItemProcessor;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

@ExtendWith(EmbeddedServicesExtension.class)
class SegmentSeederIT {
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
        source = environment.unique("seed-src");
        TestTables.createAndFill(dynamoDb, source, 20);
        queueUrl = TestTables.createQueue(sqs, environment.unique("seed-q"));
        ledger = new ProgressLedger(dynamoDb, environment.unique("seed-ledger"), Clock.systemUTC());
        ledger.createTableIfMissing();
    }

    @Test
    void seed_whenJobValid_sendsEverySegmentExactlyOnceAndMarksTheRunSeeded() throws Exception {
        int total = 253;
        String runId = environment.unique("run");
        JobConfig job = JobConfig.builder().sourceTable(source).totalSegments(total).build();

        SeedResult result = seeder(sqs).seed(runId, job);

        List<Message> messages = TestTables.receive(sqs, queueUrl, total, Duration.ofSeconds(20));
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).as("messages sent in all").isEqualTo(total);
        List<SegmentMessage> segments = messages.stream().map(m -> SegmentMessageCodec.fromJson(m.body())).toList();
        assertThat(segments).extracting(SegmentMessage::segment)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, total).boxed().toList());
        assertThat(segments).allSatisfy(m -> {
            assertThat(m.runId()).isEqualTo(runId);
            assertThat(m.totalSegments()).isEqualTo(total);
            assertThat(m.exclusiveStartKey()).isNull();
            assertThat(m.continuation()).isZero();
        });
        assertThat(result.messagesSent()).isEqualTo(total);
        assertThat(result.alreadySeeded()).isFalse();
        assertThat(result.totalSegments()).isEqualTo(total);
        RunRecord run = ledger.findRun(runId).orElseThrow();
        assertThat(run.seeded()).isTrue();
        assertThat(run.job()).isEqualTo(job);
    }

    @Test
    void seed_whenRunAlreadySeeded_sendsNothing() throws Exception {
        String runId = environment.unique("run");
        JobConfig job = JobConfig.builder().sourceTable(source).totalSegments(30).build();
        seeder(sqs).seed(runId, job);
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).isEqualTo(30);

        SeedResult again = seeder(sqs).seed(runId, job);

        assertThat(again.alreadySeeded()).isTrue();
        assertThat(again.messagesSent()).isZero();
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).isEqualTo(30);
    }

    @Test
    void seed_whenSqsRefusesSomeEntries_retriesThemUntilEachSegmentIsSentOnce() throws Exception {
        int total = 95;
        FlakySqs flaky = new FlakySqs(sqs);
        String runId = environment.unique("run");

        SeedResult result = seeder(flaky).seed(runId, JobConfig.builder().sourceTable(source).totalSegments(total).build());

        List<Message> messages = TestTables.receive(sqs, queueUrl, total, Duration.ofSeconds(20));
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).as("messages sent in all").isEqualTo(total);
        assertThat(messages).extracting(m -> SegmentMessageCodec.fromJson(m.body()).segment())
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, total).boxed().toList());
        assertThat(flaky.refused.get()).isGreaterThan(0);
        assertThat(result.messagesSent()).isEqualTo(total);
    }

    @Test
    void seed_whenSourceTableMissing_throwsNamingItAndLeavesNoTrace() {
        String runId = environment.unique("run");
        JobConfig job = JobConfig.builder().sourceTable("missing-" + source).totalSegments(10).build();

        assertThatThrownBy(() -> seeder(sqs).seed(runId, job))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("SourceTable 'missing-" + source + "' does not exist");
        assertNoTrace(runId);
    }

    @Test
    void seed_whenDestinationHasAnotherKeySchema_throwsNamingBothKeysAndLeavesNoTrace() {
        String destination = environment.unique("seed-dst");
        TestTables.createTable(dynamoDb, destination, "id", ScalarAttributeType.S, null, null);
        String runId = environment.unique("run");
        JobConfig job = JobConfig.builder().sourceTable(source).destinationTable(destination).totalSegments(10).build();

        assertThatThrownBy(() -> seeder(sqs).seed(runId, job))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("DestinationTable '" + destination + "' has key id (S)")
                .hasMessageContaining("pk (S), sk (N)");
        assertNoTrace(runId);
    }

    @Test
    void seed_whenDestinationSortKeyHasAnotherType_throws() {
        String destination = environment.unique("seed-dst");
        TestTables.createTable(dynamoDb, destination, "pk", ScalarAttributeType.S, "sk", ScalarAttributeType.S);
        String runId = environment.unique("run");
        JobConfig job = JobConfig.builder().sourceTable(source).destinationTable(destination).totalSegments(10).build();

        assertThatThrownBy(() -> seeder(sqs).seed(runId, job))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("sk (S)");
        assertNoTrace(runId);
    }

    @Test
    void seed_whenDestinationMissing_throwsNamingIt() {
        String runId = environment.unique("run");
        JobConfig job = JobConfig.builder().sourceTable(source).destinationTable("nowhere-" + source)
                .totalSegments(10).build();

        assertThatThrownBy(() -> seeder(sqs).seed(runId, job))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("DestinationTable 'nowhere-" + source + "' does not exist");
        assertNoTrace(runId);
    }

    @Test
    void seed_whenProcessorUnknown_throwsNamingItAndLeavesNoTrace() {
        String runId = environment.unique("run");
        JobConfig job = JobConfig.builder().sourceTable(source).processor("com.example.NoSuchProcessor")
                .totalSegments(10).build();

        assertThatThrownBy(() -> seeder(sqs).seed(runId, job))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("ItemProcessor 'com.example.NoSuchProcessor'");
        assertNoTrace(runId);
    }

    @Test
    void seed_whenRunIdTakenByAnotherJob_throwsAndSendsNothing() throws Exception {
        String runId = environment.unique("run");
        ledger.startRun(runId, JobConfig.builder().sourceTable(source).totalSegments(10).build());

        assertThatThrownBy(() -> seeder(sqs).seed(runId, JobConfig.builder().sourceTable(source).totalSegments(11).build()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("another job");
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).isZero();
        assertThat(ledger.findRun(runId).orElseThrow().job().totalSegments()).isEqualTo(10);
    }

    private void assertNoTrace(String runId) {
        assertThat(ledger.findRun(runId)).isEmpty();
        assertThat(TestTables.messagesInQueue(sqs, queueUrl)).isZero();
    }

    private SegmentSeeder seeder(SqsClient client) {
        return new SegmentSeeder(new TableValidator(dynamoDb), ledger, client, queueUrl, new Random(11), 4,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(5), 8), Sleeper.SYSTEM, Clock.systemUTC());
    }

    /** Sends only the first entries of the first calls and reports the rest as failed, as SQS may under load. */
    private static final class FlakySqs implements SqsClient {
        private final SqsClient delegate;
        private final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        FlakySqs(SqsClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public SendMessageBatchResponse sendMessageBatch(SendMessageBatchRequest request) {
            if (calls.incrementAndGet() > 6 || request.entries().size() < 2) {
                return delegate.sendMessageBatch(request);
            }
            int keep = request.entries().size() / 2;
            List<SendMessageBatchRequestEntry> sent = request.entries().subList(0, keep);
            SendMessageBatchResponse response = delegate.sendMessageBatch(request.toBuilder().entries(sent).build());
            List<BatchResultErrorEntry> failed = new ArrayList<>(response.failed());
            for (SendMessageBatchRequestEntry entry : request.entries().subList(keep, request.entries().size())) {
                failed.add(BatchResultErrorEntry.builder().id(entry.id()).senderFault(false)
                        .code("InternalError").message("try again").build());
                refused.incrementAndGet();
            }
            return response.toBuilder().failed(failed).build();
        }

        @Override
        public String serviceName() {
            return delegate.serviceName();
        }

        @Override
        public void close() {
        }
    }
}
