package dev.ddbbulk.seeder;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.aws.AwsClients;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.JobConfigCodec;
import dev.ddbbulk.core.job.TableValidator;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.retry.Backoff;
import dev.ddbbulk.core.retry.Sleeper;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The state machine's Seed step. Input: the execution's input, whose fields (named like the template's
 * parameters) override the stack's defaults, plus {@code RunId} (the state machine passes the execution
 * name). Output: {@code runId}, {@code totalSegments}, {@code messagesSent}, {@code alreadySeeded}.
 * An invalid job fails the step with {@code InvalidJobException} before anything is written.
 */
public final class SeederHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A worker's 900 s Lambda timeout less its 60 s safety margin, when the template does not say. */
    private static final Duration DEFAULT_WORKER_TIME_BUDGET = Duration.ofSeconds(840);

    private final SegmentSeeder seeder;
    private final Map<String, String> env;
    private final Duration workerTimeBudget;
    private final PrintStream out;
    private final Clock clock;

    public SeederHandler() {
        this(System.getenv());
    }

    /** The handler Lambda builds, from {@code env} in place of the process environment (see {@link SeederEnv}). */
    SeederHandler(Map<String, String> env) {
        this(env, AwsClients.defaults().dynamoDb(), AwsClients.defaults());
    }

    private SeederHandler(Map<String, String> env, DynamoDbClient dynamoDb, AwsClients clients) {
        this(build(env, dynamoDb, clients), env);
    }

    SeederHandler(SegmentSeeder seeder, Map<String, String> env) {
        this(seeder, env, System.out, Clock.systemUTC());
    }

    /** @param out where the seeding's outcome line goes: on Lambda stdout, and from there CloudWatch Logs */
    SeederHandler(SegmentSeeder seeder, Map<String, String> env, PrintStream out, Clock clock) {
        this.seeder = seeder;
        this.env = env;
        this.out = out;
        this.clock = clock;
        String budget = env.get(SeederEnv.WORKER_TIME_BUDGET_SECONDS);
        this.workerTimeBudget = budget == null || budget.isBlank() ? DEFAULT_WORKER_TIME_BUDGET
                : Duration.ofSeconds(Long.parseLong(budget.trim()));
    }

    private static SegmentSeeder build(Map<String, String> env, DynamoDbClient dynamoDb, AwsClients clients) {
        Clock clock = Clock.systemUTC();
        return new SegmentSeeder(new TableValidator(dynamoDb),
                new ProgressLedger(dynamoDb, SeederEnv.required(env, SeederEnv.LEDGER_TABLE), clock), clients.sqs(),
                // SecureRandom, not Random: under SnapStart every restored environment would otherwise replay
                // the same shuffle from the snapshot's seed.
                SeederEnv.required(env, SeederEnv.SEGMENT_QUEUE_URL), new SecureRandom(),
                Integer.parseInt(env.getOrDefault(SeederEnv.SEND_CONCURRENCY, "32")), Backoff.DEFAULT, Sleeper.SYSTEM,
                clock);
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Map<String, Object> fields = input == null ? Map.of() : input;
        JobConfig job = JobConfigCodec.fromJsonNode(JSON.valueToTree(fields), SeederEnv.jobDefaults(env));
        job.requireOnePageFits(workerTimeBudget);
        Object runId = fields.get("RunId");
        String id = runId == null || runId.toString().isBlank() ? UUID.randomUUID().toString() : runId.toString();
        SeedResult result;
        try {
            result = seeder.seed(id, job);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Seeding run " + id + " was interrupted; start the execution again", e);
        }
        out.println(outcomeLine(result, clock.instant()));
        return toOutput(result);
    }

    /**
     * The seeding's outcome as one JSON object line: with the function's JSON log format Lambda keeps it a JSON
     * object, where its own logger would wrap it in a string.
     */
    static String outcomeLine(SeedResult result, Instant now) {
        ObjectNode line = JSON.createObjectNode();
        line.put("timestamp", now.toString());
        line.put("level", "INFO");
        line.put("message", result.alreadySeeded() ? "Run " + result.runId() + " was already seeded; nothing sent"
                : "Run " + result.runId() + " seeded: " + result.messagesSent() + " segment messages sent");
        line.put("outcome", result.alreadySeeded() ? "already-seeded" : "seeded");
        line.put("runId", result.runId());
        line.put("totalSegments", result.totalSegments());
        line.put("messagesSent", result.messagesSent());
        line.put("alreadySeeded", result.alreadySeeded());
        line.put("durationMs", result.elapsed().toMillis());
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> toOutput(SeedResult result) {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("runId", result.runId());
        output.put("totalSegments", result.totalSegments());
        output.put("messagesSent", result.messagesSent());
        output.put("alreadySeeded", result.alreadySeeded());
        return output;
    }
}
