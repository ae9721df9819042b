package dev.ddbbulk.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class JobExpressionsTest {
    private static final String NAMES = "{\"#s\":\"status\"}";
    private static final String VALUES = "{\":old\":{\"S\":\"PENDING\"},\":new\":{\"S\":\"OPEN\"}}";

    @Test
    void parse_whenUpdateConditionAndFilterShareNamesAndValues_givesEachExpressionOnlyWhatItUses() {
        JobExpressions job = JobExpressions.parse("SET #s = :new", "#s = :old", "attribute_exists(#s)", NAMES, VALUES);

        assertThat(job.updatesItems()).isTrue();
        assertThat(job.update().names()).isEqualTo(Map.of("#s", "status"));
        assertThat(job.update().values()).isEqualTo(Map.of(":new", AttributeValue.fromS("OPEN")));
        assertThat(job.condition().orElseThrow().values()).isEqualTo(Map.of(":old", AttributeValue.fromS("PENDING")));
        assertThat(job.filter().orElseThrow().values()).isEmpty();
    }

    @Test
    void parse_whenEverythingBlank_isNone() {
        assertThat(JobExpressions.parse(" ", "", null, "", " ")).isEqualTo(JobExpressions.NONE);
        assertThat(JobExpressions.NONE.updatesItems()).isFalse();
        assertThat(JobExpressions.NONE.filter()).isEmpty();
    }

    @Test
    void parse_whenWrittenBackAsJson_readsTheSame() {
        JobExpressions job = JobExpressions.parse("SET #s = :new", "#s = :old", null, NAMES, VALUES);

        assertThat(JobExpressions.parse(job.updateExpression(), job.conditionExpression(), job.filterExpression(),
                job.attributeNamesJson(), job.attributeValuesJson())).isEqualTo(job);
    }

    @Test
    void parse_whenAnExpressionUsesAnUndefinedName_throwsNamingTheExpressionAndThePlaceholder() {
        assertThatThrownBy(() -> JobExpressions.parse("SET #s = :new, #t = :new", null, null, NAMES,
                "{\":new\":{\"S\":\"OPEN\"}}"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("UpdateExpression uses #t, which ExpressionAttributeNames does not define;")
                .hasMessageContaining("--names");
    }

    @Test
    void parse_whenAConditionUsesAnUndefinedValue_throwsNamingTheCondition() {
        assertThatThrownBy(() -> JobExpressions.parse("SET #s = :new", "#s = :gone", null, NAMES,
                "{\":new\":{\"S\":\"OPEN\"}}"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("ConditionExpression uses :gone, which ExpressionAttributeValues does not define;");
    }

    @Test
    void parse_whenANameOrValueIsDefinedButUnused_throwsAsDynamoDbWould() {
        assertThatThrownBy(() -> JobExpressions.parse("SET #s = :new", null, null, "{\"#s\":\"status\",\"#t\":\"t\"}",
                "{\":new\":{\"S\":\"OPEN\"}}"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("ExpressionAttributeNames defines #t, which no expression uses");
        assertThatThrownBy(() -> JobExpressions.parse("SET #s = :new", null, null, NAMES, VALUES))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("ExpressionAttributeValues defines :old, which no expression uses");
    }

    @Test
    void parse_whenConditionWithoutUpdate_throws() {
        assertThatThrownBy(() -> JobExpressions.parse(null, "#s = :old", null, NAMES, "{\":old\":{\"S\":\"x\"}}"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("ConditionExpression conditions each item's update, but there is no"
                        + " UpdateExpression");
    }

    @Test
    void parse_whenAFilterAloneIsGiven_isNotAnExpressionJobButFilters() {
        JobExpressions filter = JobExpressions.parse(null, null, "#s = :old", NAMES, "{\":old\":{\"S\":\"x\"}}");

        assertThat(filter.updatesItems()).isFalse();
        assertThat(filter.filter()).isPresent();
    }

    @Test
    void parse_whenNamesOrValuesAreNotJsonObjects_throwsOneLineNamingTheParameter() {
        assertThatThrownBy(() -> JobExpressions.parse("SET #s = :v", null, null, "{\"#s\":", "{\":v\":{\"S\":\"x\"}}"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("ExpressionAttributeNames is not valid JSON (")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> JobExpressions.parse("SET #s = :v", null, null, NAMES, "[1]"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("ExpressionAttributeValues must be a JSON object like");
        assertThatThrownBy(() -> JobExpressions.parse("SET #s = :v", null, null, NAMES, "{\":v\":\"OPEN\"}"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("ExpressionAttributeValues :v must be one typed value like {\"S\":\"x\"}");
        assertThatThrownBy(() -> JobExpressions.parse("SET #s = :v", null, null, "{\"#s\":1}", "{\":v\":{\"S\":\"x\"}}"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("ExpressionAttributeNames #s must name an attribute as a JSON string");
    }

    @Test
    void parse_whenAKeyIsNotAPlaceholderOrUsesTheReservedPrefix_throws() {
        assertThatThrownBy(() -> JobExpressions.parse("SET #s = :v", null, null, "{\"s\":\"status\"}",
                "{\":v\":{\"S\":\"x\"}}"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("ExpressionAttributeNames key 's' is not a placeholder");
        assertThatThrownBy(() -> JobExpressions.parse("SET #ddbbulk_pk = :v", null, null,
                "{\"#ddbbulk_pk\":\"status\"}", "{\":v\":{\"S\":\"x\"}}"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("#ddbbulk_, which ddb-bulk keeps for its own placeholders");
    }

    @Test
    void parse_whenAnExpressionIsLongerThanDynamoDbTakes_throws() {
        String update = "SET a = b" + ", a = b".repeat(600);

        assertThatThrownBy(() -> JobExpressions.parse(update, null, null, null, null))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("UpdateExpression is 4209 bytes, more than DynamoDB's 4096");
    }
}
