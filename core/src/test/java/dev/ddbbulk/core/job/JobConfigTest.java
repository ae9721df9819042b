package dev.ddbbulk.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.rate.RateLimiter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class JobConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JobConfig.Builder valid() {
        return JobConfig.builder().sourceTable("orders");
    }

    @Test
    void build_whenOnlySourceGiven_takesTemplateDefaults() {
        JobConfig job = valid().build();

        assertThat(job.destinationTable()).isEqualTo("orders");
        assertThat(job.inPlace()).isTrue();
        assertThat(job.consistentRead()).isTrue();
        assertThat(job.totalSegments()).isEqualTo(1000);
        assertThat(job.parallelWorkers()).isEqualTo(10);
        assertThat(job.rateLimit()).isEqualTo(-1);
        assertThat(job.unlimitedRate()).isTrue();
        assertThat(job.pageSize()).isEqualTo(100);
        assertThat(job.processor()).isEqualTo("copy");
        assertThat(job.writeMode()).isEqualTo(WriteMode.BATCH);
        assertThat(job.versionAttribute()).isNull();
        assertThat(job.dryRun()).isFalse();
    }

    @Test
    void build_whenDestinationBlankOrNull_defaultsToSource() {
        assertThat(valid().destinationTable(" ").build().destinationTable()).isEqualTo("orders");
        assertThat(valid().destinationTable(null).build().destinationTable()).isEqualTo("orders");
        assertThat(valid().destinationTable("orders-copy").build().inPlace()).isFalse();
    }

    @Test
    void build_whenLimitsAtTheirEdges_accepts() {
        JobConfig job = valid().totalSegments(1_000_000).parallelWorkers(1).rateLimit(0.5).pageSize(10_000).build();

        assertThat(job.totalSegments()).isEqualTo(1_000_000);
        assertThat(valid().totalSegments(1).build().totalSegments()).isEqualTo(1);
        assertThat(job.rateLimit()).isEqualTo(0.5);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 1_000_001, Integer.MAX_VALUE})
    void build_whenTotalSegmentsOutOfRange_throwsNamingTotalSegments(int segments) {
        assertThatThrownBy(() -> valid().totalSegments(segments).build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("TotalSegments")
                .hasMessageContaining("got " + segments);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -5, 10_001})
    void build_whenParallelWorkersOutOfRange_throwsNamingParallelLambdaFunctions(int workers) {
        assertThatThrownBy(() -> valid().parallelWorkers(workers).build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("ParallelLambdaFunctions")
                .hasMessageContaining("got " + workers);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -2, -0.5, Double.NaN, Double.POSITIVE_INFINITY})
    void build_whenRateNeitherPositiveNorMinusOne_throwsNamingRateLimiter(double rate) {
        assertThatThrownBy(() -> valid().rateLimit(rate).build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("RateLimiter")
                .hasMessageContaining("-1");
    }

    @Test
    void build_whenRateIsMinusTwo_reportsTheValueGiven() {
        assertThatThrownBy(() -> valid().rateLimit(-2).build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("got -2;");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10_001})
    void build_whenPageSizeOutOfRange_throwsNamingPageSize(int pageSize) {
        assertThatThrownBy(() -> valid().pageSize(pageSize).build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("PageSize");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 901})
    void build_whenCheckpointIntervalOutOfRange_throwsNamingCheckpointIntervalSeconds(int seconds) {
        assertThatThrownBy(() -> valid().checkpointIntervalSeconds(seconds).build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("CheckpointIntervalSeconds must be between 0 (after every page) and 900, got " + seconds)
                .hasMessageContaining("--checkpoint-interval-seconds");
    }

    @Test
    void checkpointInterval_whenDefault_isTenSecondsAndZeroMeansEveryPage() {
        assertThat(valid().build().checkpointInterval()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(valid().checkpointIntervalSeconds(0).build().checkpointInterval()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "has space", "emoji😀", "slash/name", "colon:name"})
    void build_whenSourceTableNameInvalid_throwsNamingSourceTable(String name) {
        assertThatThrownBy(() -> JobConfig.builder().sourceTable(name).build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("SourceTable")
                .hasMessageContaining("not a valid DynamoDB table name");
    }

    @Test
    void build_whenTableNameLongerThan255_throwsNamingSourceTable() {
        assertThatThrownBy(() -> JobConfig.builder().sourceTable("x".repeat(256)).build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("SourceTable")
                .hasMessageContaining("3-255 characters");
    }

    @Test
    void build_whenSourceTableMissing_throwsSayingItIsRequired() {
        assertThatThrownBy(() -> JobConfig.builder().build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("SourceTable is required");
        assertThatThrownBy(() -> JobConfig.builder().sourceTable("  ").build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("SourceTable is required");
    }

    @Test
    void build_whenDestinationTableNameInvalid_throwsNamingDestinationTable() {
        assertThatThrownBy(() -> valid().destinationTable("a!").build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("DestinationTable 'a!'");
    }

    @Test
    void build_whenTableNameUsesAllAllowedCharacters_accepts() {
        String name = "My_Table-1.v2";

        assertThat(JobConfig.builder().sourceTable(name).build().sourceTable()).isEqualTo(name);
        assertThat(JobConfig.builder().sourceTable("x".repeat(255)).build().sourceTable()).hasSize(255);
    }

    @Test
    void build_whenVersionAttributeWithoutConditionalWrites_throws() {
        assertThatThrownBy(() -> valid().versionAttribute("version").build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("VersionAttribute 'version'")
                .hasMessageContaining("conditional");
        assertThat(valid().writeMode(WriteMode.CONDITIONAL).versionAttribute("version").build().versionAttribute())
                .isEqualTo("version");
    }

    @Test
    void build_whenProcessorBlank_defaultsToCopy() {
        assertThat(valid().processor(" ").build().processor()).isEqualTo("copy");
        assertThat(valid().processor(null).build().processor()).isEqualTo("copy");
    }

    @Test
    void toBuilder_whenBuiltAgain_equalsOriginal() {
        JobConfig job = valid().destinationTable("dest").consistentRead(false).totalSegments(7).parallelWorkers(3)
                .rateLimit(12.5).pageSize(20).processor("stamp").writeMode(WriteMode.CONDITIONAL)
                .versionAttribute("v").dryRun(true).maxReadUnits(40).maxWriteUnits(20).checkpointIntervalSeconds(0).build();

        assertThat(job.toBuilder().build()).isEqualTo(job);
    }

    @Test
    void codec_whenEveryFieldSet_roundTrips() {
        JobConfig job = valid().destinationTable("dest").consistentRead(false).totalSegments(7).parallelWorkers(3)
                .rateLimit(12.5).pageSize(20).processor("com.example.MyProcessor").writeMode(WriteMode.CONDITIONAL)
                .versionAttribute("v").dryRun(true).maxReadUnits(40).maxWriteUnits(20).checkpointIntervalSeconds(30).build();

        assertThat(JobConfigCodec.fromJson(JobConfigCodec.toJson(job))).isEqualTo(job);
    }

    @Test
    void codec_whenDefaults_roundTripsIncludingUnlimitedRate() {
        JobConfig job = valid().build();

        String json = JobConfigCodec.toJson(job);

        assertThat(JobConfigCodec.fromJson(json)).isEqualTo(job);
        assertThat(json).contains("\"SourceTable\":\"orders\"", "\"TotalSegments\":1000", "\"RateLimiter\":-1");
    }

    @Test
    void fromJsonNode_whenInputOverridesSomeFields_keepsDefaultsForTheRest() throws Exception {
        JobConfig.Builder stackDefaults = JobConfig.builder().sourceTable("orders").destinationTable("orders-v2")
                .totalSegments(500).rateLimit(200).processor("stamp");

        JobConfig job = JobConfigCodec.fromJsonNode(JSON.readTree(
                "{\"TotalSegments\": 7, \"RateLimiter\": \"-1\", \"ConsistentRead\": \"false\", \"Ignored\": 1}"),
                stackDefaults);

        assertThat(job.sourceTable()).isEqualTo("orders");
        assertThat(job.destinationTable()).isEqualTo("orders-v2");
        assertThat(job.processor()).isEqualTo("stamp");
        assertThat(job.totalSegments()).isEqualTo(7);
        assertThat(job.rateLimit()).isEqualTo(-1);
        assertThat(job.consistentRead()).isFalse();
        assertThat(job.parallelWorkers()).isEqualTo(10);
    }

    @Test
    void fromJsonNode_whenInputIsNullOrEmpty_returnsDefaults() throws Exception {
        JobConfig defaults = JobConfig.builder().sourceTable("orders").totalSegments(3).build();

        assertThat(JobConfigCodec.fromJsonNode(null, defaults.toBuilder())).isEqualTo(defaults);
        assertThat(JobConfigCodec.fromJsonNode(JSON.readTree("{}"), defaults.toBuilder())).isEqualTo(defaults);
        assertThat(JobConfigCodec.fromJsonNode(JSON.readTree("null"), defaults.toBuilder())).isEqualTo(defaults);
    }

    @Test
    void fromJsonNode_whenInputOverridesWithInvalidValue_throwsNamingTheParameter() throws Exception {
        JobConfig.Builder defaults = JobConfig.builder().sourceTable("orders");

        assertThatThrownBy(() -> JobConfigCodec.fromJsonNode(JSON.readTree("{\"TotalSegments\": 0}"), defaults))
                .isInstanceOf(InvalidJobException.class).hasMessageContaining("TotalSegments");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"SourceTable\":\"orders\",\"TotalSegments\":\"many\"}",
        "{\"SourceTable\":\"orders\",\"TotalSegments\":1.5}",
        "{\"SourceTable\":\"orders\",\"TotalSegments\":10000000000}",
        "{\"SourceTable\":\"orders\",\"ConsistentRead\":\"yes\"}",
        "{\"SourceTable\":\"orders\",\"RateLimiter\":\"fast\"}",
        "{\"SourceTable\":\"orders\",\"WriteMode\":\"sometimes\"}",
        "{\"SourceTable\":\"orders\",\"ParallelLambdaFunctions\":0}",
        "[\"orders\"]",
        "{not json",
    })
    void fromJson_whenFieldMalformed_throwsInvalidJobNamingTheField(String json) {
        assertThatThrownBy(() -> JobConfigCodec.fromJson(json))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageMatching("(?s).*(TotalSegments|ConsistentRead|RateLimiter|WriteMode|ParallelLambdaFunctions"
                        + "|JSON object|not valid JSON).*");
    }

    @Test
    void parse_whenWriteModeAnyCase_acceptsAndRejectsOthers() {
        assertThat(WriteMode.parse(" Conditional ")).isEqualTo(WriteMode.CONDITIONAL);
        assertThat(WriteMode.parse("batch")).isEqualTo(WriteMode.BATCH);
        assertThatThrownBy(() -> WriteMode.parse("fast"))
                .isInstanceOf(InvalidJobException.class).hasMessageContaining("'fast'");
    }

    @Test
    void requireOnePageFits_whenTheRateMakesAPageLongerThanTheBudget_refusesNamingBoth() {
        JobConfig job = JobConfig.builder().sourceTable("orders").rateLimit(1).pageSize(100).build();

        assertThatThrownBy(() -> job.requireOnePageFits(Duration.ofSeconds(90)))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("RateLimiter 1 with PageSize 100 needs at least 100 s a page, more than a worker's time"
                        + " budget of 90 s; raise the rate or the budget, or lower --page-size / PageSize");
        job.requireOnePageFits(Duration.ofSeconds(100));
    }

    @Test
    void requireOnePageFits_whenTheWriteBudgetMakesAPageLongerThanTheBudget_refusesNamingIt() {
        JobConfig job = JobConfig.builder().sourceTable("orders").maxWriteUnits(10).parallelWorkers(10).pageSize(100)
                .build();

        assertThatThrownBy(() -> job.requireOnePageFits(Duration.ofSeconds(60)))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("MaxWriteUnits 10 over 10 workers with PageSize 100 needs at least 100 s");
        JobConfig.builder().sourceTable("orders").build().requireOnePageFits(Duration.ofSeconds(1));
    }

    private static JobConfig.Builder expressionJob() {
        return valid().updateExpression("SET #s = :new").conditionExpression("#s = :old")
                .filterExpression("attribute_exists(#s)").expressionAttributeNames("{\"#s\":\"status\"}")
                .expressionAttributeValues("{\":old\":{\"S\":\"PENDING\"},\":new\":{\"S\":\"OPEN\"}}");
    }

    @Test
    void codec_whenExpressionJob_roundTripsTheExpressionsNamesAndValues() {
        JobConfig job = expressionJob().destinationTable("orders-v2").build();

        JobConfig back = JobConfigCodec.fromJson(JobConfigCodec.toJson(job));

        assertThat(back).isEqualTo(job);
        assertThat(back.updatesWithExpression()).isTrue();
        assertThat(back.expressions().attributeValues()).containsEntry(":new", AttributeValue.fromS("OPEN"));
        assertThat(back.toBuilder().build()).isEqualTo(job);
    }

    @Test
    void fromJsonNode_whenNamesAndValuesAreJsonObjectsRatherThanText_readsThemAlike() throws Exception {
        JobConfig job = JobConfigCodec.fromJsonNode(JSON.readTree("{\"SourceTable\":\"orders\","
                + "\"UpdateExpression\":\"SET #s = :new\",\"ExpressionAttributeNames\":{\"#s\":\"status\"},"
                + "\"ExpressionAttributeValues\":{\":new\":{\"S\":\"OPEN\"}}}"), JobConfig.builder());

        assertThat(job.expressions().attributeNames()).isEqualTo(Map.of("#s", "status"));
        assertThat(job.expressions().update().values()).hasSize(1);
    }

    @Test
    void build_whenUpdateExpressionAndAProcessorAreGiven_refusesBoth() {
        assertThatThrownBy(() -> expressionJob().processor("stamp").build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("ItemProcessor 'stamp' and UpdateExpression both say how to change items; give one: drop"
                        + " --processor / ItemProcessor or --update / UpdateExpression");
        assertThat(expressionJob().processor("copy").build().updatesWithExpression()).isTrue();
    }

    @Test
    void build_whenUpdateExpressionAndAVersionAttributeAreGiven_refusesTheVersionAttribute() {
        assertThatThrownBy(() -> expressionJob().writeMode(WriteMode.CONDITIONAL).versionAttribute("v").build())
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("VersionAttribute 'v' does not apply to an UpdateExpression");
    }

    @Test
    void workDifferences_whenExpressionsDiffer_namesEachParameterThatDiffers() {
        JobConfig job = expressionJob().build();
        JobConfig other = expressionJob().updateExpression("SET #s = :old").conditionExpression("#s = :new")
                .filterExpression(null).build();

        assertThat(job.workDifferences(other)).containsExactly("UpdateExpression", "ConditionExpression",
                "FilterExpression");
        assertThat(job.workDifferences(expressionJob().build())).isEmpty();
        assertThat(job.workDifferences(expressionJob().expressionAttributeValues(
                "{\":old\":{\"S\":\"X\"},\":new\":{\"S\":\"OPEN\"}}").build()))
                .containsExactly("ExpressionAttributeValues");
    }
}
