package dev.ddbbulk.seeder;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.ddbbulk.core.aws.AwsClients;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.RunRecord;
import dev.ddbbulk.seeder.progress.ProgressCheck;
import dev.ddbbulk.seeder.progress.QueueDepth;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The state machine's CheckProgress step. Input: {@code runId} and the previous check's {@code idleChecks}
 * (absent at first). Output: the run's counts, its dead-lettered segments, the segment queue's depth and the
 * verdict ({@code done}, {@code failed}, {@code stalled}) the state machine branches on, plus
 * {@code waitSeconds} until the next check. Reads the run record with its counter shards (one query), one
 * marker a dead-lettered segment and the queue's attributes, however many segments the run has.
 */
public final class ProgressHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final Function<String, Optional<RunRecord>> runs;
    private final ToLongFunction<String> deadLettered;
    private final Function<String, QueueDepth> queueDepths;
    private final String queueUrl;
    private final Clock clock;

    public ProgressHandler() {
        this(System.getenv());
    }

    /** The handler Lambda builds, from {@code env} in place of the process environment (see {@link SeederEnv}). */
    ProgressHandler(Map<String, String> env) {
        this(env, AwsClients.defaults(), Clock.systemUTC());
    }

    private ProgressHandler(Map<String, String> env, AwsClients clients, Clock clock) {
        this(new ProgressLedger(clients.dynamoDb(), SeederEnv.required(env, SeederEnv.LEDGER_TABLE), clock),
                QueueDepth.reader(clients.sqs()), SeederEnv.required(env, SeederEnv.SEGMENT_QUEUE_URL), clock);
    }

    private ProgressHandler(ProgressLedger ledger, Function<String, QueueDepth> queueDepths, String queueUrl,
                            Clock clock) {
        this(ledger::findRun, runId -> ledger.deadLettered(runId).size(), queueDepths, queueUrl, clock);
    }

    ProgressHandler(Function<String, Optional<RunRecord>> runs, ToLongFunction<String> deadLettered,
                    Function<String, QueueDepth> queueDepths, String queueUrl, Clock clock) {
        this.runs = runs;
        this.deadLettered = deadLettered;
        this.queueDepths = queueDepths;
        this.queueUrl = queueUrl;
        this.clock = clock;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Map<String, Object> fields = input == null ? Map.of() : input;
        String runId = runId(fields);
        RunRecord run = runs.apply(runId).orElseThrow(() -> new IllegalStateException(
                "Run '" + runId + "' is not in the progress ledger; did the Seed step fail?"));
        ProgressCheck check = ProgressCheck.of(run, deadLettered.applyAsLong(runId), queueDepths.apply(queueUrl),
                previousIdleChecks(fields), clock.instant());
        return toOutput(check);
    }

    static Map<String, Object> toOutput(ProgressCheck check) {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("runId", check.runId());
        output.put("totalSegments", check.totalSegments());
        output.put("segmentsCompleted", check.segmentsCompleted());
        output.put("itemsScanned", check.counts().scanned());
        output.put("itemsWritten", check.counts().written());
        output.put("itemsDeleted", check.counts().deleted());
        output.put("itemsSkipped", check.counts().skipped());
        output.put("conditionalFailures", check.counts().conditionalFailures());
        output.put("itemsAlreadyApplied", check.counts().alreadyApplied());
        output.put("continuations", check.run().continuations());
        output.put("inFlight", check.inFlight());
        output.put("segmentsDeadLettered", check.deadLettered());
        output.put("idleChecks", check.idleChecks());
        output.put("waitSeconds", check.nextPollSeconds());
        output.put("done", check.done());
        output.put("failed", check.failed());
        output.put("stalled", check.stalled());
        return output;
    }

    private static String runId(Map<String, Object> fields) {
        Object value = fields.containsKey("runId") ? fields.get("runId") : fields.get("RunId");
        if (value == null || value.toString().isBlank()) {
            throw new IllegalArgumentException("CheckProgress needs the run id as input field 'runId', got " + fields);
        }
        return value.toString();
    }

    private static int previousIdleChecks(Map<String, Object> fields) {
        Object value = fields.get("idleChecks");
        if (value instanceof Number number) {
            return number.intValue();
        }
        if (value != null && !value.toString().isBlank()) {
            try {
                return Integer.parseInt(value.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("idleChecks must be a whole number, got " + value, e);
            }
        }
        return 0;
    }
}
