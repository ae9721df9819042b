package dev.ddbbulk.worker;

import java.util.Map;

/** Environment variable names the worker Lambda reads (set by template.yaml), in one place. */
public final class WorkerEnv {
    public static final String LEDGER_TABLE = "LEDGER_TABLE";
    public static final String SEGMENT_QUEUE_URL = "SEGMENT_QUEUE_URL";
    public static final String SAFETY_MARGIN_SECONDS = "SAFETY_MARGIN_SECONDS";
    /** Days a done segment's ledger record is kept before the table's TTL may delete it; 0 or unset = forever. */
    public static final String LEDGER_RECORD_TTL_DAYS = "LEDGER_RECORD_TTL_DAYS";

    private WorkerEnv() {
    }

    static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("Environment variable " + name + " is not set; the template sets it");
        }
        return value;
    }
}
