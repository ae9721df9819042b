package dev.ddbbulk.worker;

import java.time.Duration;
import java.util.Map;

/** Environment variable names the worker Lambda reads (set by template.yaml), in one place. */
public final class WorkerEnv {
    public static final String LEDGER_TABLE = "LEDGER_TABLE";
    public static final String SEGMENT_QUEUE_URL = "SEGMENT_QUEUE_URL";
    public static final String SAFETY_MARGIN_SECONDS = "SAFETY_MARGIN_SECONDS";
    /** Days a done segment's ledger record is kept before the table's TTL may delete it; 0 or unset = forever. */
    public static final String LEDGER_RECORD_TTL_DAYS = "LEDGER_RECORD_TTL_DAYS";
    /** The segment queue's redrive policy's maxReceiveCount: the receive on which a failure dead-letters. */
    public static final String MAX_RECEIVE_COUNT = "MAX_RECEIVE_COUNT";
    /** Seconds before a failed message's first redelivery; each later one waits twice as long, up to the max. */
    public static final String RETRY_DELAY_SECONDS = "RETRY_DELAY_SECONDS";
    public static final String RETRY_MAX_DELAY_SECONDS = "RETRY_MAX_DELAY_SECONDS";
    /** Set by Lambda itself: the worker's metrics' dimension. */
    public static final String AWS_LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME";

    private WorkerEnv() {
    }

    /** The redelivery policy these variables give, each defaulting to {@link Redelivery#DEFAULT}'s. */
    static Redelivery redelivery(Map<String, String> env) {
        return new Redelivery(
                Duration.ofSeconds(number(env, RETRY_DELAY_SECONDS, Redelivery.DEFAULT.firstDelay().toSeconds())),
                Duration.ofSeconds(number(env, RETRY_MAX_DELAY_SECONDS, Redelivery.DEFAULT.maxDelay().toSeconds())),
                (int) number(env, MAX_RECEIVE_COUNT, Redelivery.DEFAULT.maxReceiveCount()));
    }

    static long number(Map<String, String> env, String name, long defaultValue) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Environment variable " + name + " must be a whole number, got '"
                    + value + "'", e);
        }
    }

    static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("Environment variable " + name + " is not set; "
                    + (name.startsWith("AWS_") ? "Lambda" : "the template") + " sets it");
        }
        return value;
    }
}
