package dev.ddbbulk.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.JobConfigCodec;
import dev.ddbbulk.core.job.WriteMode;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExecutionInputTest {

    @Test
    void parse_whenSetsGiven_typesEachValueLikeTheTemplateAndAppliesThemOverInput() {
        ObjectNode input = ExecutionInput.parse("{\"TotalSegments\":100,\"ItemProcessor\":\"copy\"}",
                List.of("TotalSegments=200", "ConsistentRead=false", "RateLimiter=-1", "PageSize=50",
                        "DestinationTable=orders-v2", "MaxReadUnits=2.5"));

        assertThat(ExecutionInput.toJson(input)).isEqualTo("{\"TotalSegments\":200,\"ItemProcessor\":\"copy\","
                + "\"ConsistentRead\":false,\"RateLimiter\":-1,\"PageSize\":50,\"DestinationTable\":\"orders-v2\","
                + "\"MaxReadUnits\":2.5}");
    }

    @Test
    void parameters_whenComparedWithTheJobCodec_includeEveryFieldTheSeederReads() throws Exception {
        JobConfig job = JobConfig.builder().sourceTable("orders").writeMode(WriteMode.CONDITIONAL)
                .versionAttribute("version").build();

        JobConfig expressionJob = JobConfig.builder().sourceTable("orders").updateExpression("SET #s = :new")
                .conditionExpression("#s <> :new").filterExpression("attribute_exists(#s)")
                .expressionAttributeNames("{\"#s\":\"status\"}").expressionAttributeValues("{\":new\":{\"S\":\"x\"}}")
                .build();

        JsonNode fields = new ObjectMapper().readTree(JobConfigCodec.toJson(job));
        JsonNode expressionFields = new ObjectMapper().readTree(JobConfigCodec.toJson(expressionJob));

        assertThat(ExecutionInput.PARAMETERS).containsAll(() -> fields.fieldNames());
        assertThat(ExecutionInput.PARAMETERS).containsAll(() -> expressionFields.fieldNames());
    }

    @Test
    void resume_whenGivenARunsJob_isThatJobExactlyPlusTheRunId() {
        JobConfig job = JobConfig.builder().sourceTable("orders").totalSegments(4000).rateLimit(200).build();

        ObjectNode input = ExecutionInput.resume("orders-backfill-1", job);

        assertThat(input.get("RunId").asText()).isEqualTo("orders-backfill-1");
        input.remove("RunId");
        assertThat(JobConfigCodec.fromJsonNode(input, JobConfig.builder())).isEqualTo(job);
    }

    @Test
    void resumeExecutionName_whenRunIdIsLong_staysAValidExecutionNameThatStartsWithTheRunId() {
        String runId = "r".repeat(80);

        String name = ExecutionInput.resumeExecutionName(runId, new Random(7));

        assertThat(ExecutionInput.requireValidRunId(name)).startsWith("r".repeat(63) + "-resume-");
        assertThat(name).hasSizeLessThanOrEqualTo(80);
    }

    @Test
    void parse_whenNothingGiven_isAnEmptyObject() {
        assertThat(ExecutionInput.toJson(ExecutionInput.parse(null, List.of()))).isEqualTo("{}");
    }

    @Test
    void parse_whenParameterNameIsMisspelt_failsNamingItAndTheKnownNames() {
        assertThatThrownBy(() -> ExecutionInput.parse(null, List.of("TotalSegment=5")))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("--set has unknown parameter 'TotalSegment'; use one of SourceTable,");
    }

    @Test
    void parse_whenInputSetsRunId_failsPointingAtRunIdOption() {
        assertThatThrownBy(() -> ExecutionInput.parse("{\"RunId\":\"x\"}", List.of()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("--resume RUN_ID");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "{not json", "42"})
    void parse_whenInputIsNotAJsonObject_failsWithAnExample(String json) {
        assertThatThrownBy(() -> ExecutionInput.parse(json, List.of()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("{\"TotalSegments\":200}");
    }

    @Test
    void parse_whenSetValueIsNotANumber_failsNamingTheParameter() {
        assertThatThrownBy(() -> ExecutionInput.parse(null, List.of("TotalSegments=lots")))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("--set TotalSegments must be auto or a whole number from 1 to 1000000, got 'lots'");
    }

    @Test
    void parse_whenSetMakesTotalSegmentsAuto_passesAutoForTheSeeder() {
        ObjectNode input = ExecutionInput.parse(null, List.of("TotalSegments=auto"));

        assertThat(ExecutionInput.toJson(input)).isEqualTo("{\"TotalSegments\":\"auto\"}");
        assertThat(ExecutionInput.totalSegments(input, Map.of("TotalSegments", "1000")).auto()).isTrue();
    }

    @Test
    void totalSegments_whenTheInputGivesNone_isTheStacksOrTheDefault() {
        ObjectNode none = ExecutionInput.parse(null, List.of());

        assertThat(ExecutionInput.totalSegments(none, Map.of("TotalSegments", "auto")).auto()).isTrue();
        assertThat(ExecutionInput.totalSegments(none, Map.of("TotalSegments", "500")).number()).isEqualTo(500);
        assertThat(ExecutionInput.totalSegments(none, Map.of()).number()).isEqualTo(1000);
    }

    @Test
    void withAutoSegmentsByDefault_whenTheInputGivesNone_addsAutoAndKeepsAGivenNumber() {
        assertThat(ExecutionInput.toJson(ExecutionInput.withAutoSegmentsByDefault(ExecutionInput.parse(null,
                List.of("ItemProcessor=stamp"))))).isEqualTo("{\"ItemProcessor\":\"stamp\",\"TotalSegments\":\"auto\"}");
        assertThat(ExecutionInput.toJson(ExecutionInput.withAutoSegmentsByDefault(ExecutionInput.parse(null,
                List.of("TotalSegments=64"))))).isEqualTo("{\"TotalSegments\":64}");
    }

    @Test
    void job_whenTotalSegmentsIsAuto_buildsTheRestOfTheJob() {
        ObjectNode input = ExecutionInput.parse("{\"TotalSegments\":\"auto\",\"PageSize\":50}", List.of());

        JobConfig job = ExecutionInput.job(input, Map.of("SourceTable", "orders", "TotalSegments", "1000"))
                .orElseThrow();

        assertThat(job.pageSize()).isEqualTo(50);
        assertThat(job.sourceTable()).isEqualTo("orders");
    }

    @Test
    void validate_whenInputPutsAParameterOutOfRange_failsLikeTheSeederWould() {
        ObjectNode input = ExecutionInput.parse("{\"TotalSegments\":0}", List.of());

        assertThatThrownBy(() -> ExecutionInput.validate(input, Map.of("SourceTable", "orders", "TotalSegments", "1000")))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("TotalSegments must be between 1 and 1000000, got 0");
    }

    @Test
    void validate_whenInputFitsTheStacksParameters_passes() {
        ObjectNode input = ExecutionInput.parse(null, List.of("TotalSegments=10", "ItemProcessor=stamp"));

        assertThatCode(() -> ExecutionInput.validate(input, Map.of("SourceTable", "orders", "RateLimiter", "-1",
                "ConsistentRead", "true", "Unrelated", "x"))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "a/b", "x:y", "", "0123456789012345678901234567890123456789012345678901234567890123456789012345678901"})
    void requireValidRunId_whenStepFunctionsWouldRefuseTheName_fails(String runId) {
        assertThatThrownBy(() -> ExecutionInput.requireValidRunId(runId)).isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("--run-id '" + runId + "' cannot name a Step Functions execution");
    }

    @Test
    void requireValidRunId_whenNameIsPlain_returnsIt() {
        assertThat(ExecutionInput.requireValidRunId("backfill-2024.06_01")).isEqualTo("backfill-2024.06_01");
    }
}
