package dev.ddbbulk.bench;

import dev.ddbbulk.core.job.TableShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * What the endpoints can do with no pipeline around them, for the bench to hold the pipeline against:
 * a parallel scan whose segments are shared out over the threads, each page written with plain SDK calls
 * (no queue, no ledger, no processor), and plain SendMessageBatch calls for the seeder. Written against the
 * SDK directly, not the project's writer, so that a slow spot in the project's own code shows as a gap.
 */
final class RawCeilings {
    private static final int BATCH_WRITE = 25;

    private RawCeilings() {
    }

    /** How each page is written. */
    enum Write {
        /** BatchWriteItem, 25 puts a call; unprocessed items are sent again at once. */
        BATCH,
        /** One PutItem per item. */
        PUT,
        /**
         * One PutItem per item with the condition conditional mode uses for a copy into another table
         * ({@code attribute_not_exists} of the partition key): what the condition itself costs.
         */
        CONDITIONAL_PUT
    }

    /**
     * Copies {@code source} into {@code destination}: {@code threads} threads take segments 0..n-1 in turn
     * and scan each page by page, as the workers do.
     *
     * @return the items copied
     */
    static long copy(DynamoDbClient dynamoDb, String source, TableShape destination, int totalSegments, int threads,
                     int pageSize, boolean consistentRead, Write write) throws InterruptedException {
        String table = destination.table();
        Map<String, String> names = Map.of("#pk", destination.partitionKey());
        AtomicInteger nextSegment = new AtomicInteger();
        AtomicLong items = new AtomicLong();
        runThreads(threads, "ddb-bulk-raw-copy", () -> {
            for (int segment = nextSegment.getAndIncrement(); segment < totalSegments;
                 segment = nextSegment.getAndIncrement()) {
                Map<String, AttributeValue> startKey = null;
                do {
                    ScanRequest.Builder request = ScanRequest.builder().tableName(source).segment(segment)
                            .totalSegments(totalSegments).limit(pageSize).consistentRead(consistentRead);
                    if (startKey != null) {
                        request.exclusiveStartKey(startKey);
                    }
                    ScanResponse page = dynamoDb.scan(request.build());
                    if (write == Write.BATCH) {
                        batchWrite(dynamoDb, table, page.items());
                    } else if (write == Write.PUT) {
                        for (Map<String, AttributeValue> item : page.items()) {
                            dynamoDb.putItem(b -> b.tableName(table).item(item));
                        }
                    } else {
                        for (Map<String, AttributeValue> item : page.items()) {
                            dynamoDb.putItem(b -> b.tableName(table).item(item)
                                    .conditionExpression("attribute_not_exists(#pk)").expressionAttributeNames(names));
                        }
                    }
                    items.addAndGet(page.items().size());
                    startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                            ? page.lastEvaluatedKey() : null;
                } while (startKey != null);
            }
            return null;
        });
        return items.get();
    }

    private static void batchWrite(DynamoDbClient dynamoDb, String table, List<Map<String, AttributeValue>> items) {
        for (int from = 0; from < items.size(); from += BATCH_WRITE) {
            List<WriteRequest> requests = new ArrayList<>(BATCH_WRITE);
            for (Map<String, AttributeValue> item : items.subList(from, Math.min(items.size(), from + BATCH_WRITE))) {
                requests.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
            while (!requests.isEmpty()) {
                List<WriteRequest> batch = requests;
                var response = dynamoDb.batchWriteItem(b -> b.requestItems(Map.of(table, batch)));
                requests = response.hasUnprocessedItems() ? response.unprocessedItems().getOrDefault(table, List.of())
                        : List.of();
            }
        }
    }

    /**
     * Sends {@code count} messages in SendMessageBatch calls of 10 with {@code inFlight} calls at once,
     * bodies of the seeder's size ({@code body(i)}), nothing validated, shuffled or retried.
     *
     * @return the messages sent
     */
    static long send(SqsClient sqs, String queueUrl, int count, int inFlight,
                     java.util.function.IntFunction<String> body) throws InterruptedException {
        int batches = (count + 9) / 10;
        AtomicInteger nextBatch = new AtomicInteger();
        AtomicLong sent = new AtomicLong();
        runThreads(Math.max(1, Math.min(inFlight, batches)), "ddb-bulk-raw-send", () -> {
            for (int b = nextBatch.getAndIncrement(); b < batches; b = nextBatch.getAndIncrement()) {
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>(10);
                for (int i = b * 10; i < Math.min(count, b * 10 + 10); i++) {
                    entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
                            .messageBody(body.apply(i)).build());
                }
                SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
                if (response.hasFailed() && !response.failed().isEmpty()) {
                    throw new IllegalStateException("SQS refused " + response.failed().size() + " raw messages: "
                            + response.failed().get(0));
                }
                sent.addAndGet(entries.size());
            }
            return null;
        });
        return sent.get();
    }

    private static void runThreads(int threads, String name, Callable<Void> body) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(body));
            }
            for (Future<Void> future : futures) {
                future.get();
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(name + " failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
    }
}
