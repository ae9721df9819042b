package dev.ddbbulk.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.testing.TestTables;
import dev.ddbbulk.embedded.testing.EmbeddedEnvironment;
import dev.ddbbulk.embedded.testing.EmbeddedServicesExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** An expression job's expressions, checked by DynamoDB Local with requests that write nothing. */
@ExtendWith(EmbeddedServicesExtension.class)
class TableValidatorIT {
    private static final String NAMES = "{\"#s\":\"status\"}";
    private static final String VALUES = "{\":old\":{\"S\":\"PENDING\"},\":new\":{\"S\":\"OPEN\"}}";

    private static DynamoDbClient dynamoDb;
    private static EmbeddedEnvironment environment;

    private String table;

    @BeforeAll
    static void useSharedServices(DynamoDbClient sharedDynamoDb, EmbeddedEnvironment sharedEnvironment) {
        dynamoDb = sharedDynamoDb;
        environment = sharedEnvironment;
    }

    @BeforeEach
    void newTable() {
        table = environment.unique("validate");
        TestTables.createAndFill(dynamoDb, table, 5);
    }

    private JobConfig.Builder job() {
        return JobConfig.builder().sourceTable(table).expressionAttributeNames(NAMES).expressionAttributeValues(VALUES);
    }

    @Test
    void validate_whenExpressionsAreValid_acceptsThemAndWritesNothing() {
        List<Map<String, AttributeValue>> before = TestTables.scanAll(dynamoDb, table);

        TableShape shape = new TableValidator(dynamoDb).validate(job().updateExpression("SET #s = :new")
                .conditionExpression("#s = :old").filterExpression("attribute_exists(#s)").build());

        assertThat(shape.table()).isEqualTo(table);
        assertThat(TestTables.scanAll(dynamoDb, table)).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void validate_whenTheUpdateHasASyntaxError_throwsOneLineNamingTheUpdate() {
        JobConfig bad = job().updateExpression("SET #s = :new,").conditionExpression("#s = :old").build();

        assertThatThrownBy(() -> new TableValidator(dynamoDb).validate(bad))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("UpdateExpression 'SET #s = :new,' is refused by DynamoDB: Invalid UpdateExpression:"
                        + " Syntax error;")
                .hasMessageEndingWith("; fix --update / UpdateExpression (or the names and values it uses)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void validate_whenTheConditionHasASyntaxError_throwsNamingTheCondition() {
        JobConfig bad = job().updateExpression("SET #s = :new").conditionExpression("#s = = :old").build();

        assertThatThrownBy(() -> new TableValidator(dynamoDb).validate(bad))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("ConditionExpression '#s = = :old' is refused by DynamoDB: Invalid"
                        + " ConditionExpression: Syntax error;")
                .hasMessageContaining("fix --condition / ConditionExpression");
    }

    @Test
    void validate_whenTheFilterUsesAReservedWordUnquoted_throwsNamingTheFilter() {
        JobConfig bad = JobConfig.builder().sourceTable(table).filterExpression("status = :old")
                .expressionAttributeValues("{\":old\":{\"S\":\"PENDING\"}}").build();

        assertThatThrownBy(() -> new TableValidator(dynamoDb).validate(bad))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("FilterExpression 'status = :old' is refused by DynamoDB: Invalid FilterExpression:"
                        + " Attribute name is a reserved keyword; reserved keyword: status; fix --filter /"
                        + " FilterExpression (or the names and values it uses)");
    }

    @Test
    void validate_whenTheUpdateGoesToAnotherTable_checksItThereWithoutWriting() {
        String destination = environment.unique("validate-dst");
        TestTables.createCompositeTable(dynamoDb, destination);

        new TableValidator(dynamoDb).validate(job().destinationTable(destination).updateExpression("SET #s = :new")
                .conditionExpression("#s = :old").build());

        assertThat(TestTables.scanAll(dynamoDb, destination)).isEmpty();
        assertThatThrownBy(() -> new TableValidator(dynamoDb).validate(job().destinationTable(destination)
                .updateExpression("SET #s = :new REMOVE #s").conditionExpression("#s = :old").build()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("Two document paths overlap");
    }
}
