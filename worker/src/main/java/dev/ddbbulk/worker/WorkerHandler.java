package dev.ddbbulk.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.ddbbulk.worker.report.BatchReporter;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The worker Lambda, fed by the segment queue with ReportBatchItemFailures: only the failed segments of a
 * batch are redelivered. All the work is in {@link SegmentWorker}. The CLI's local fleet calls this same
 * handler, with an event built like the event source mapping's and a context whose remaining time is its
 * time budget.
 */
public final class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final SegmentWorker worker;
    private final Clock clock;
    private final Consumer<BatchResult> observer;

    public WorkerHandler() {
        this(System.getenv());
    }

    /**
     * The handler Lambda builds, from {@code env} in place of the process environment (see {@link WorkerEnv}):
     * each batch's outcome lines and metrics go to stdout, and from there to CloudWatch.
     */
    WorkerHandler(Map<String, String> env) {
        this(SegmentWorker.fromEnvironment(env), Clock.systemUTC(), BatchReporter.forLambda(
                WorkerEnv.required(env, WorkerEnv.AWS_LAMBDA_FUNCTION_NAME), Clock.systemUTC()));
    }

    /**
     * @param observer sees each batch's result: on Lambda a {@link BatchReporter}, in the local fleet its live
     *                 progress
     */
    public WorkerHandler(SegmentWorker worker, Clock clock, Consumer<BatchResult> observer) {
        this.worker = worker;
        this.clock = clock;
        this.observer = observer;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Deadline deadline = Deadline.after(Duration.ofMillis(context.getRemainingTimeInMillis()), clock);
        // Iterated, not copied: the worker takes each record when it reaches it (see SegmentWorker.process).
        Iterator<SQSEvent.SQSMessage> records = event.getRecords().iterator();
        BatchResult result = worker.process(new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public QueuedMessage next() {
                SQSEvent.SQSMessage record = records.next();
                return new QueuedMessage(record.getMessageId(), record.getBody(), record.getReceiptHandle(),
                        receiveCount(record));
            }
        }, deadline);
        observer.accept(result);
        return SQSBatchResponse.builder()
                .withBatchItemFailures(result.failedMessageIds().stream()
                        .map(id -> SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(id).build())
                        .toList())
                .build();
    }

    /** SQS's ApproximateReceiveCount of {@code record}; 1 when the event leaves it out. */
    private static int receiveCount(SQSEvent.SQSMessage record) {
        String count = record.getAttributes() == null ? null : record.getAttributes().get("ApproximateReceiveCount");
        return count == null || count.isBlank() ? 1 : Math.max(1, Integer.parseInt(count.trim()));
    }
}
