package dev.ddbbulk.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ddbbulk.core.ledger.ProgressLedger.Completion;
import dev.ddbbulk.core.ledger.ProgressLedger.Lease;
import dev.ddbbulk.core.ledger.ProgressLedger.Pages;
import dev.ddbbulk.core.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The completing transaction keeps the run record out of contention: it adds to one counter shard, and the
 * shards that transactions in flight at once pick are spread out.
 */
class SegmentCompletionsTest {
    private static final String RUN = "run-1";
    /** The worker's SQS batch size (template.yaml): a worker completes a batch's segments in one transaction. */
    private static final int BATCH = 10;

    private final List<TransactWriteItemsRequest> sent = new ArrayList<>();
    private final SegmentCompletions completions = new SegmentCompletions(recording(), "ledger",
            MutableClock.atEpochSecond(1_700_000_000), Duration.ZERO);

    @Example
    void complete_whenGivenABatch_addsTheSumsToOneCounterShardAndNeverWritesTheRunRecord() {
        List<Completion> batch = IntStream.range(40, 40 + BATCH)
                .mapToObj(segment -> completion(segment, new Counts(segment, segment, 0, 1, 0, 0), 1)).toList();

        assertThat(completions.complete(batch)).isEmpty();

        assertThat(sent).hasSize(1);
        List<TransactWriteItem> items = sent.get(0).transactItems();
        assertThat(items).hasSize(BATCH + 1);
        assertThat(items).allSatisfy(item -> {
            assertThat(item.put()).isNull();
            assertThat(item.delete()).isNull();
            assertThat(item.conditionCheck()).isNull();
            assertThat(item.update().key()).isNotEqualTo(LedgerItems.runKey(RUN));
        });
        Update shard = items.get(BATCH).update();
        assertThat(shard.key()).isEqualTo(LedgerItems.counterKey(RUN, LedgerItems.counterShard(40)));
        assertThat(shard.key().get(LedgerItems.SK).s()).startsWith("RUN#");
        assertThat(shard.conditionExpression()).isEqualTo("attribute_exists(pk)");
        assertThat(shard.updateExpression()).contains("ADD segmentsCompleted :done, rangesCompleted :ranges, continuations :co");
        assertThat(shard.expressionAttributeValues()).containsEntry(":done", AttributeValue.fromN("10"))
                .containsEntry(":ranges", AttributeValue.fromN("0"))
                .containsEntry(":co", AttributeValue.fromN("10"))
                .containsEntry(":sc", AttributeValue.fromN(Integer.toString(IntStream.range(40, 50).sum())))
                .containsEntry(":sk", AttributeValue.fromN("10"));
        assertThat(items.subList(0, BATCH)).extracting(item -> item.update().key().get(LedgerItems.SK).s())
                .allMatch(sk -> sk.startsWith("SEG#"));
    }

    @Example
    void complete_whenBatchesPickDifferentShards_theirTransactionsShareNoItem() {
        for (int first = 0; first < 64 * BATCH; first += BATCH) {
            completions.complete(IntStream.range(first, first + BATCH)
                    .mapToObj(segment -> completion(segment, Counts.ZERO, 0)).toList());
        }

        for (int i = 0; i < sent.size(); i++) {
            for (int j = i + 1; j < sent.size(); j++) {
                Set<Map<String, AttributeValue>> shared = keys(sent.get(i));
                shared.retainAll(keys(sent.get(j)));
                boolean sameShard = LedgerItems.counterShard(i * BATCH) == LedgerItems.counterShard(j * BATCH);
                assertThat(shared).as("items of transactions %d and %d", i, j).hasSize(sameShard ? 1 : 0);
            }
        }
    }

    @Example
    void counterShard_whenAFleetCompletesNeighbouringSegmentsAtOnce_spreadsThemOverMostShards() {
        // 64 workers at once, each completing a batch of 10 segments (its first one picks), or one segment each.
        Set<Integer> batches = new HashSet<>();
        Set<Integer> singles = new HashSet<>();
        for (int worker = 0; worker < LedgerItems.COUNTER_SHARDS; worker++) {
            batches.add(LedgerItems.counterShard(1_000 + worker * BATCH));
            singles.add(LedgerItems.counterShard(1_000 + worker));
        }

        // A plain modulo would give the batches 32 shards; random picks about 41 of 64.
        assertThat(batches).hasSizeGreaterThanOrEqualTo(48);
        assertThat(singles).hasSizeGreaterThanOrEqualTo(48);
    }

    @Property
    void counterShard_whenAnySegment_isOneOfTheRunsShards(@ForAll int segment) {
        assertThat(LedgerItems.counterShard(segment)).isBetween(0, LedgerItems.COUNTER_SHARDS - 1);
    }

    private static Completion completion(int segment, Counts counts, long continuations) {
        return new Completion(new Lease(RUN, segment, "owner-" + segment, 0), new Pages(1, counts, null), counts,
                continuations);
    }

    private static Set<Map<String, AttributeValue>> keys(TransactWriteItemsRequest request) {
        Set<Map<String, AttributeValue>> keys = new HashSet<>();
        request.transactItems().forEach(item -> keys.add(item.update().key()));
        return keys;
    }

    /** Records the transactions it is sent and answers them as applied. */
    private DynamoDbClient recording() {
        return new DynamoDbClient() {
            @Override
            public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
                sent.add(request);
                return TransactWriteItemsResponse.builder().build();
            }

            @Override
            public String serviceName() {
                return "dynamodb";
            }

            @Override
            public void close() {
            }
        };
    }
}
