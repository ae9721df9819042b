package dev.ddbbulk.tools.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.tools.StubCloudFormation;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StackResolverTest {
    private static final String STACK = "bulk-prod";
    private static final Map<String, String> OUTPUTS = StubCloudFormation.outputsOf(STACK, "bulk-prod-ledger",
            "https://sqs.us-east-1.amazonaws.com/123456789012/bulk-prod-segments",
            "https://sqs.us-east-1.amazonaws.com/123456789012/bulk-prod-dlq");

    @Test
    void resolve_whenStackHasEveryOutput_returnsEachResourceAndTheParameters() {
        var cloudFormation = new StubCloudFormation(STACK, OUTPUTS, Map.of("SourceTable", "orders", "TotalSegments", "500"));

        StackResources resources = new StackResolver(cloudFormation).resolve(STACK);

        assertThat(cloudFormation.requests).singleElement()
                .satisfies(request -> assertThat(request.stackName()).isEqualTo(STACK));
        assertThat(resources.stackName()).isEqualTo(STACK);
        assertThat(resources.stateMachineArn()).isEqualTo(OUTPUTS.get("StateMachineArn"));
        assertThat(resources.segmentQueueUrl()).isEqualTo(OUTPUTS.get("SegmentQueueUrl"));
        assertThat(resources.segmentQueueArn()).isEqualTo(OUTPUTS.get("SegmentQueueArn"));
        assertThat(resources.deadLetterQueueUrl()).isEqualTo(OUTPUTS.get("DeadLetterQueueUrl"));
        assertThat(resources.deadLetterQueueArn()).isEqualTo(OUTPUTS.get("DeadLetterQueueArn"));
        assertThat(resources.ledgerTableName()).isEqualTo("bulk-prod-ledger");
        assertThat(resources.seederFunctionName()).isEqualTo("bulk-prod-seeder");
        assertThat(resources.workerFunctionName()).isEqualTo("bulk-prod-worker");
        assertThat(resources.progressFunctionName()).isEqualTo("bulk-prod-progress");
        assertThat(resources.parameters()).containsEntry("SourceTable", "orders").containsEntry("TotalSegments", "500");
    }

    @Test
    void resolve_whenStackDoesNotExist_failsWithOneLineNamingTheStackAndTheFix() {
        var cloudFormation = new StubCloudFormation(STACK, OUTPUTS, Map.of());

        assertThatThrownBy(() -> new StackResolver(cloudFormation).resolve("bulk-prdo"))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("Stack 'bulk-prdo' does not exist; deploy it with 'sam deploy --guided' or fix --stack"
                        + " (and --region)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"StateMachineArn", "DeadLetterQueueArn", "LedgerTableName", "ProgressFunctionName"})
    void resolve_whenAnOutputIsMissing_failsWithOneLineNamingTheOutputAndTheFix(String missing) {
        Map<String, String> outputs = new HashMap<>(OUTPUTS);
        outputs.remove(missing);
        var cloudFormation = new StubCloudFormation(STACK, outputs, Map.of());

        assertThatThrownBy(() -> new StackResolver(cloudFormation).resolve(STACK))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("Stack '" + STACK + "' (CREATE_COMPLETE) has no output '" + missing + "'; deploy the current"
                        + " template.yaml to it ('sam deploy') or fix --stack")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    }

    @Test
    void executionArn_whenGivenARunId_isTheArnOfTheStateMachinesExecutionOfThatName() {
        StackResources resources = new StackResolver(new StubCloudFormation(STACK, OUTPUTS, Map.of())).resolve(STACK);

        assertThat(resources.executionArn("run-1"))
                .isEqualTo("arn:aws:states:us-east-1:123456789012:execution:bulk-prod-machine:run-1");
    }
}
