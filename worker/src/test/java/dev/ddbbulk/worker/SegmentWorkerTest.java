package dev.ddbbulk.worker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SegmentWorkerTest {
    /** What template.yaml sets on the worker function. */
    private static final Map<String, String> TEMPLATE_ENVIRONMENT = Map.of(
            WorkerEnv.LEDGER_TABLE, "ddb-bulk-ledger",
            WorkerEnv.SEGMENT_QUEUE_URL, "https://sqs.us-east-1.amazonaws.com/000000000000/ddb-bulk-segments",
            WorkerEnv.SAFETY_MARGIN_SECONDS, "60");

    @ParameterizedTest
    @ValueSource(strings = {WorkerEnv.LEDGER_TABLE, WorkerEnv.SEGMENT_QUEUE_URL})
    void fromEnvironment_whenARequiredVariableIsMissing_throwsNamingIt(String missing) {
        Map<String, String> env = new HashMap<>(TEMPLATE_ENVIRONMENT);
        env.remove(missing);

        assertThatThrownBy(() -> SegmentWorker.fromEnvironment(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Environment variable " + missing + " is not set; the template sets it");
    }

    @ParameterizedTest
    @ValueSource(strings = {WorkerEnv.LEDGER_TABLE, WorkerEnv.SEGMENT_QUEUE_URL})
    void fromEnvironment_whenARequiredVariableIsBlank_throwsNamingIt(String blank) {
        Map<String, String> env = new HashMap<>(TEMPLATE_ENVIRONMENT);
        env.put(blank, " ");

        assertThatThrownBy(() -> SegmentWorker.fromEnvironment(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(blank);
    }
}
