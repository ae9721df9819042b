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
    void totalSegments_whenTheStackSaysAuto_isAutoAndLeavesTheJobsDefault() {
        Map<String, String> env = Map.of(SeederEnv.SOURCE_TABLE, "orders", SeederEnv.TOTAL_SEGMENTS, " Auto ");

        assertThat(SeederEnv.totalSegments(env).auto()).isTrue();
        assertThat(SeederEnv.jobDefaults(env).build().totalSegments()).isEqualTo(JobConfig.DEFAULT_SEGMENTS);
        assertThat(SeederEnv.totalSegments(Map.of(SeederEnv.TOTAL_SEGMENTS, "64")).number()).isEqualTo(64);
        assertThat(SeederEnv.totalSegments(Map.of()).number()).isEqualTo(JobConfig.DEFAULT_SEGMENTS);
    }

    @Test
    void jobDefaults_whenNumberMalformed_throwsInvalidJobNamingTheVariable() {
        assertThatThrownBy(() -> SeederEnv.jobDefaults(Map.of(SeederEnv.TOTAL_SEGMENTS, "lots")))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining(SeederEnv.TOTAL_SEGMENTS);
    }

    @Test
    void jobDefaults_whenTheStackGivesExpressions_makesAnExpressionJobOfThem() {
        Map<String, String> env = Map.of(SeederEnv.SOURCE_TABLE, "orders",
                SeederEnv.UPDATE_EXPRESSION, "SET #s = :new", SeederEnv.CONDITION_EXPRESSION, "#s = :old",
                SeederEnv.FILTER_EXPRESSION, "", SeederEnv.EXPRESSION_ATTRIBUTE_NAMES, "{\"#s\":\"status\"}",
                SeederEnv.EXPRESSION_ATTRIBUTE_VALUES, "{\":old\":{\"S\":\"PENDING\"},\":new\":{\"S\":\"OPEN\"}}");

        JobConfig job = SeederEnv.jobDefaults(env).build();

        assertThat(job.updatesWithExpression()).isTrue();
        assertThat(job.expressions().conditionExpression()).isEqualTo("#s = :old");
        assertThat(job.expressions().filterExpression()).isNull();
        assertThat(job.expressions().attributeValues()).hasSize(2);
    }
}
