package dev.ddbbulk.seeder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeederEnvTest {

    @Test
    void jobDefaults_whenEnvironmentSetsParameters_buildsJobFromThem() {
        Map<String, String> env = Map.of(SeederEnv.SOURCE_TABLE, "orders", SeederEnv.TOTAL_SEGMENTS, " 64 ",
                SeederEnv.RATE_LIMITER, "150", SeederEnv.CONSISTENT_READ, "false", SeederEnv.ITEM_PROCESSOR, "stamp",
                SeederEnv.DESTINATION_TABLE, "", SeederEnv.CHECKPOINT_INTERVAL_SECONDS, "30");

        JobConfig job = SeederEnv.jobDefaults(env).build();

        assertThat(job.totalSegments()).isEqualTo(64);
        assertThat(job.rateLimit()).isEqualTo(150);
        assertThat(job.consistentRead()).isFalse();
        assertThat(job.processor()).isEqualTo("stamp");
        assertThat(job.destinationTable()).isEqualTo("orders");
        assertThat(job.checkpointIntervalSeconds()).isEqualTo(30);
    }

    @Test
    void jobDefaults_whenNumberMalformed_throwsInvalidJobNamingTheVariable() {
        assertThatThrownBy(() -> SeederEnv.jobDefaults(Map.of(SeederEnv.TOTAL_SEGMENTS, "lots")))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining(SeederEnv.TOTAL_SEGMENTS);
    }
}
