package dev.ddbbulk.worker.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.TableShape;
import dev.ddbbulk.core.processor.ItemAction;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import dev.ddbbulk.core.testing.RecordingSleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

class ItemWriterTest {
    private static final String TABLE = "destination";
    private static final TableShape SHAPE = new TableShape(TABLE, "pk", "S", "sk", "N");
    private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(10), 5);

    @Example
    void write_when60Puts_sendsBatchesOf25And10() throws Exception {
        FakeDynamoDb dynamoDb = new FakeDynamoDb(FakeDynamoDb.ACCEPT_ALL);
        RecordingSleeper sleeper = RecordingSleeper.withoutClock();

        WriteResult result = writer(dynamoDb, FAST, sleeper).write(puts(0, 60));

        assertThat(dynamoDb.calls).extracting(List::size).containsExactly(25, 25, 10);
        assertThat(dynamoDb.stored).hasSize(60);
        assertThat(result).isEqualTo(new WriteResult(60, 0, 0));
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Example
    void write_whenOnlySkips_sendsNothing() throws Exception {
        FakeDynamoDb dynamoDb = new FakeDynamoDb(FakeDynamoDb.ACCEPT_ALL);

        WriteResult result = writer(dynamoDb, FAST, RecordingSleeper.withoutClock())
                .write(List.of(ItemAction.skip(), ItemAction.skip()));

        assertThat(dynamoDb.calls).isEmpty();
        assertThat(result).isEqualTo(WriteResult.NONE);
    }

    @Example
    void write_whenSameKeyTwiceInAPage_splitsTheBatchAndTheLaterActionWins() throws Exception {
        FakeDynamoDb dynamoDb = new FakeDynamoDb(FakeDynamoDb.ACCEPT_ALL);
        List<ItemAction> actions = new ArrayList<>(puts(0, 5));
        actions.add(ItemAction.put(item(2, "second")));
        actions.add(ItemAction.delete(item(3, "ignored")));

        writer(dynamoDb, FAST, RecordingSleeper.withoutClock()).write(actions);

        assertThat(dynamoDb.calls).extracting(List::size).containsExactly(5, 2);
        assertThat(dynamoDb.stored.get("k2|2").get("payload").s()).isEqualTo("second");
        assertThat(dynamoDb.stored).doesNotContainKey("k3|3");
    }

    @Example
    void write_whenDelete_sendsOnlyTheKeyAttributes() throws Exception {
        FakeDynamoDb dynamoDb = new FakeDynamoDb(FakeDynamoDb.ACCEPT_ALL);

        WriteResult result = writer(dynamoDb, FAST, RecordingSleeper.withoutClock())
                .write(List.of(ItemAction.delete(item(7, "whole item"))));

        assertThat(result).isEqualTo(new WriteResult(0, 1, 0));
        assertThat(dynamoDb.calls.get(0).get(0).deleteRequest().key()).containsOnlyKeys("pk", "sk");
    }

    @Example
    void write_whenItemLacksSortKey_throwsNamingIt() {
        FakeDynamoDb dynamoDb = new FakeDynamoDb(FakeDynamoDb.ACCEPT_ALL);
        Map<String, AttributeValue> noSortKey = Map.of("pk", AttributeValue.fromS("a"));

        assertThatThrownBy(() -> writer(dynamoDb, FAST, RecordingSleeper.withoutClock())
                .write(List.of(ItemAction.put(noSortKey))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sk'");
    }

    /** Any mix of puts, deletes and skips over a few keys: batches stay legal and the result is sequential. */
    @Property(tries = 300)
    void write_whenAnyActions_batchesAreLegalAndResultEqualsSequentialApplication(
            @ForAll("actionLists") List<ItemAction> actions) throws Exception {
        FakeDynamoDb dynamoDb = new FakeDynamoDb(FakeDynamoDb.ACCEPT_ALL);

        WriteResult result = writer(dynamoDb, FAST, RecordingSleeper.withoutClock()).write(actions);

        Map<String, Map<String, AttributeValue>> expected = new LinkedHashMap<>();
        long puts = 0;
        long deletes = 0;
        for (ItemAction action : actions) {
            if (action instanceof ItemAction.Put put) {
                expected.put(FakeDynamoDb.key(put.item()), put.item());
                puts++;
            } else if (action instanceof ItemAction.Delete delete) {
                expected.remove(FakeDynamoDb.key(delete.key()));
                deletes++;
            }
        }
        for (List<WriteRequest> call : dynamoDb.calls) {
            assertThat(call).hasSizeBetween(1, ItemWriter.MAX_BATCH);
            Set<String> keys = new HashSet<>();
            for (WriteRequest request : call) {
                assertThat(keys.add(FakeDynamoDb.key(request))).as("key repeated in one batch").isTrue();
            }
        }
        assertThat(dynamoDb.stored).isEqualTo(expected);
        assertThat(result).isEqualTo(new WriteResult(puts, deletes, 0));
    }

    @Example
    void write_whenDynamoDbLeavesItemsUnprocessed_retriesThemUntilWritten() throws Exception {
        // The first two calls process only the first half of what they get.
        FakeDynamoDb dynamoDb = new FakeDynamoDb((call, requests) -> call < 2 ? requests.size() / 2 : requests.size());
        RecordingSleeper sleeper = RecordingSleeper.withoutClock();

        WriteResult result = writer(dynamoDb, FAST, sleeper).write(puts(0, 60));

        assertThat(dynamoDb.stored).hasSize(60);
        assertThat(result.written()).isEqualTo(60);
        assertThat(dynamoDb.calls).extracting(List::size).containsExactly(25, 13, 7, 25, 10);
        assertThat(dynamoDb.calls.get(1)).isEqualTo(dynamoDb.calls.get(0).subList(12, 25));
        assertThat(sleeper.sleeps()).hasSize(2);
    }

    @Example
    void write_whenRetryingTheSameBatch_backsOffExponentially() throws Exception {
        FakeDynamoDb dynamoDb = new FakeDynamoDb((call, requests) -> call < 3 ? 0 : requests.size());
        RecordingSleeper sleeper = RecordingSleeper.withoutClock();
        Random top = new Random() {
            @Override
            public double nextDouble() {
                return Math.nextDown(1.0);
            }
        };

        new ItemWriter(dynamoDb, SHAPE, FAST, top, sleeper).write(puts(0, 3));

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40));
        assertThat(dynamoDb.stored).hasSize(3);
    }

    @Example
    void write_whenItemsStayUnprocessed_throwsWriteFailedAfterMaxAttempts() {
        FakeDynamoDb dynamoDb = new FakeDynamoDb((call, requests) -> 0);
        RecordingSleeper sleeper = RecordingSleeper.withoutClock();
        Backoff fourAttempts = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), 4);

        assertThatThrownBy(() -> writer(dynamoDb, fourAttempts, sleeper).write(puts(0, 3)))
                .isInstanceOf(ItemWriter.WriteFailedException.class)
                .hasMessageContaining("3 of the page's writes to destination stayed unprocessed after 4 attempts");
        assertThat(dynamoDb.calls).hasSize(4);
        assertThat(sleeper.sleeps()).hasSize(3);
        assertThat(dynamoDb.stored).isEmpty();
    }

    @Example
    void write_whenThrottled_retriesUntilWritten() throws Exception {
        FakeDynamoDb dynamoDb = new FakeDynamoDb(FakeDynamoDb.ACCEPT_ALL);
        dynamoDb.failures.add(throughputExceeded());
        dynamoDb.failures.add(error("ThrottlingException", 400));
        dynamoDb.failures.add(error("SomethingNew", 429));
        RecordingSleeper sleeper = RecordingSleeper.withoutClock();

        WriteResult result = writer(dynamoDb, FAST, sleeper).write(puts(0, 30));

        assertThat(dynamoDb.stored).hasSize(30);
        assertThat(result.written()).isEqualTo(30);
        assertThat(dynamoDb.calls).extracting(List::size).containsExactly(25, 25, 25, 25, 5);
        assertThat(sleeper.sleeps()).hasSize(3);
    }

    @Example
    void write_whenThrottledPastMaxAttempts_rethrowsTheThrottlingError() {
        FakeDynamoDb dynamoDb = new FakeDynamoDb(FakeDynamoDb.ACCEPT_ALL);
        for (int i = 0; i < 10; i++) {
            dynamoDb.failures.add(throughputExceeded());
        }
        Backoff threeAttempts = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), 3);

        assertThatThrownBy(() -> writer(dynamoDb, threeAttempts, RecordingSleeper.withoutClock()).write(puts(0, 3)))
                .isInstanceOf(ProvisionedThroughputExceededException.class);
        assertThat(dynamoDb.calls).hasSize(3);
    }

    @Example
    void write_whenRequestIsRejected_failsAtOnceWithoutRetrying() {
        FakeDynamoDb dynamoDb = new FakeDynamoDb(FakeDynamoDb.ACCEPT_ALL);
        dynamoDb.failures.add(error("ValidationException", 400));
        RecordingSleeper sleeper = RecordingSleeper.withoutClock();

        assertThatThrownBy(() -> writer(dynamoDb, FAST, sleeper).write(puts(0, 3)))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("ValidationException");
        assertThat(dynamoDb.calls).hasSize(1);
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Provide
    Arbitrary<List<ItemAction>> actionLists() {
        Arbitrary<ItemAction> action = Combinators.combine(
                        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 30),
                        Arbitraries.strings().alpha().ofMaxLength(5))
                .as((type, key, payload) -> switch (type) {
                    case 0 -> ItemAction.put(item(key, payload));
                    case 1 -> ItemAction.delete(item(key, payload));
                    default -> ItemAction.skip();
                });
        return action.list().ofMaxSize(120);
    }

    private static ItemWriter writer(DynamoDbClient dynamoDb, Backoff backoff, Sleeper sleeper) {
        return new ItemWriter(dynamoDb, SHAPE, backoff, new Random(1), sleeper);
    }

    private static List<ItemAction> puts(int from, int to) {
        List<ItemAction> actions = new ArrayList<>();
        for (int i = from; i < to; i++) {
            actions.add(ItemAction.put(item(i, "v" + i)));
        }
        return actions;
    }

    private static Map<String, AttributeValue> item(int i, String payload) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", AttributeValue.fromS("k" + i));
        item.put("sk", AttributeValue.fromN(Integer.toString(i)));
        item.put("payload", AttributeValue.fromS(payload));
        return item;
    }

    private static ProvisionedThroughputExceededException throughputExceeded() {
        return (ProvisionedThroughputExceededException) ProvisionedThroughputExceededException.builder()
                .message("The level of configured provisioned throughput for the table was exceeded")
                .statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException")
                        .serviceName("DynamoDb").build())
                .build();
    }

    private static DynamoDbException error(String code, int status) {
        return (DynamoDbException) DynamoDbException.builder().message(code + ": test").statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).serviceName("DynamoDb").build())
                .build();
    }

    /**
     * BatchWriteItem on an in-memory map. {@code processed} says how many of a call's requests are applied;
     * the rest come back as UnprocessedItems. Queued failures are thrown by the next calls instead.
     */
    static final class FakeDynamoDb implements DynamoDbClient {
        interface Processed {
            int count(int call, List<WriteRequest> requests);
        }

        static final Processed ACCEPT_ALL = (call, requests) -> requests.size();

        final List<List<WriteRequest>> calls = new ArrayList<>();
        final Map<String, Map<String, AttributeValue>> stored = new LinkedHashMap<>();
        final List<RuntimeException> failures = new ArrayList<>();
        private final Processed processed;

        FakeDynamoDb(Processed processed) {
            this.processed = processed;
        }

        @Override
        public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
            assertThat(request.requestItems()).containsOnlyKeys(TABLE);
            List<WriteRequest> requests = request.requestItems().get(TABLE);
            int call = calls.size();
            calls.add(List.copyOf(requests));
            if (!failures.isEmpty()) {
                throw failures.remove(0);
            }
            int applied = processed.count(call, requests);
            for (WriteRequest r : requests.subList(0, applied)) {
                if (r.putRequest() != null) {
                    stored.put(key(r.putRequest().item()), r.putRequest().item());
                } else {
                    stored.remove(key(r.deleteRequest().key()));
                }
            }
            List<WriteRequest> rest = requests.subList(applied, requests.size());
            return BatchWriteItemResponse.builder()
                    .unprocessedItems(rest.isEmpty() ? Map.of() : Map.of(TABLE, List.copyOf(rest)))
                    .build();
        }

        static String key(Map<String, AttributeValue> item) {
            return item.get("pk").s() + "|" + item.get("sk").n();
        }

        static String key(WriteRequest request) {
            return key(request.putRequest() != null ? request.putRequest().item() : request.deleteRequest().key());
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    }
}
