package dev.ddbbulk.seeder;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.aws.AwsClients;
import dev.ddbbulk.core.job.AutoSegments;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.JobConfigCodec;
import dev.ddbbulk.core.job.SegmentCount;
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
 * TotalSegments {@code auto} (the input's, else the stack's) is resolved here, so the ledger and the workers see a
 * number. An invalid job fails the step with {@code InvalidJobException} before anything is written.
 */
public final class SeederHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A worker's 900 s Lambda timeout less its 60 s safety margin, when the template does not say. */
    private static final Duration DEFAULT_WORKER_TIME_BUDGET = Duration.ofSeconds(840);

    private static final String TOTAL_SEGMENTS = "TotalSegments";

    private final SegmentSeeder seeder;
    private final AutoSegments sizing;
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
        this(build(env, dynamoDb, clients), new AutoSegments(dynamoDb), env);
    }

    SeederHandler(SegmentSeeder seeder, AutoSegments sizing, Map<String, String> env) {
        this(seeder, sizing, env, System.out, Clock.systemUTC());
    }

    /**
     * @param sizing reads the source table's figures for TotalSegments {@code auto}
     * @param out    where the seeding's outcome line goes: on Lambda stdout, and from there CloudWatch Logs
     */
    SeederHandler(SegmentSeeder seeder, AutoSegments sizing, Map<String, String> env, PrintStream out, Clock clock) {
        this.seeder = seeder;
        this.sizing = sizing;
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
        JsonNode node = JSON.valueToTree(fields);
        boolean auto = autoSegments(node);
        if (auto && node instanceof ObjectNode object) {
            // The job is built with the stack's or the default number, which the seeder replaces.
            object.remove(TOTAL_SEGMENTS);
        }
        JobConfig job = JobConfigCodec.fromJsonNode(node, SeederEnv.jobDefaults(env));
        job.requireOnePageFits(workerTimeBudget);
        SegmentCount segments = auto ? SegmentCount.AUTO : SegmentCount.of(job.totalSegments());
        Object runId = fields.get("RunId");
        String id = runId == null || runId.toString().isBlank() ? UUID.randomUUID().toString() : runId.toString();
        SeedResult result;
        try {
            result = seeder.seed(id, job, segments, sizing);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Seeding run " + id + " was interrupted; start the execution again", e);
        }
        out.println(outcomeLine(result, clock.instant()));
        return toOutput(result);
    }

    /** Whether the input's TotalSegments, or when it has none the stack's, is {@code auto}. */
    private boolean autoSegments(JsonNode input) {
        JsonNode given = input.get(TOTAL_SEGMENTS);
        if (given == null || given.isNull()) {
            return SeederEnv.totalSegments(env).auto();
        }
        return given.isTextual() && SegmentCount.parse(given.asText()).auto();
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
