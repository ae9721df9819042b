package dev.ddbbulk.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The worker Lambda, fed by the segment queue with ReportBatchItemFailures: only the failed segments of
 * a batch are redelivered. All the work is in {@link SegmentWorker}.
 */
public final class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final SegmentWorker worker;
    private final Clock clock;

    public WorkerHandler() {
        this(SegmentWorker.fromEnvironment(System.getenv()), Clock.systemUTC());
    }

    WorkerHandler(SegmentWorker worker, Clock clock) {
        this.worker = worker;
        this.clock = clock;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Deadline deadline = Deadline.after(Duration.ofMillis(context.getRemainingTimeInMillis()), clock);
        List<QueuedMessage> messages = event.getRecords().stream()
                .map(r -> new QueuedMessage(r.getMessageId(), r.getBody()))
                .toList();
        BatchResult result = worker.process(messages, deadline);
        return SQSBatchResponse.builder()
                .withBatchItemFailures(result.failedMessageIds().stream()
                        .map(id -> SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(id).build())
                        .toList())
                .build();
    }
}
