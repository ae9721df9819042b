package dev.ddbbulk.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.tools.output.ExitCodes;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartCommandTest {
    private static final String STACK = "bulk";
    private final StubCloudFormation cloudFormation = new StubCloudFormation(STACK,
            StubCloudFormation.outputsOf(STACK, "bulk-ledger", "http://q/segments", "http://q/dlq"),
            Map.of("SourceTable", "orders", "TotalSegments", "1000"));
    private final StubSfn sfn = new StubSfn();
    private final StubDynamoDb dynamoDb = new StubDynamoDb("orders", 2_000_000, 2_000_000_000L);

    private StartCommand command() {
        return new StartCommand(cloudFormation, sfn, dynamoDb);
    }

    @Test
    void start_whenRunIdAndSetsGiven_startsTheStacksStateMachineNamedByTheRunIdWithTheInput() throws Exception {
        Cli result = Cli.runCommand(command(), "--stack", STACK, "--run-id", "backfill-1",
                "--set", "TotalSegments=200", "--set", "ItemProcessor=stamp");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(sfn.started).singleElement().satisfies(request -> {
            assertThat(request.stateMachineArn()).isEqualTo("arn:aws:states:us-east-1:123456789012:stateMachine:bulk-machine");
            assertThat(request.name()).isEqualTo("backfill-1");
            assertThat(new ObjectMapper().readTree(request.input()))
                    .isEqualTo(new ObjectMapper().readTree("{\"TotalSegments\":200,\"ItemProcessor\":\"stamp\"}"));
        });
        assertThat(result.out()).contains("Started run backfill-1")
                .contains("arn:aws:states:us-east-1:123456789012:execution:bulk-machine:backfill-1");
    }

    @Test
    void start_whenNoRunIdAndJson_namesTheExecutionWithANewUuidAndPrintsOneObject() {
        Cli result = Cli.runCommand(command(), "--stack", STACK, "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode json = result.json();
        String runId = json.get("runId").asText();
        assertThat(runId).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(json.get("executionArn").asText()).endsWith(":execution:bulk-machine:" + runId);
        // TotalSegments not given is the CLI's default, auto, for the seeder to pick.
        assertThat(sfn.started).singleElement().satisfies(request -> assertThat(request.input())
                .isEqualTo("{\"TotalSegments\":\"auto\"}"));
    }

    @Test
    void start_whenTheSourceTableIsDescribed_printsTheEstimateOnStderrAndStartsTheExecution() {
        Cli result = Cli.runCommand(command(), "--stack", STACK, "--run-id", "estimated", "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.json().get("runId").asText()).isEqualTo("estimated");
        assertThat(result.err()).startsWith("Estimate (DescribeTable figures, updated about every 6 hours; prices of"
                + " us-east-1 as of ").contains("  2,000,000 items, 1.9 GB: ");
        assertThat(sfn.started).singleElement().satisfies(request -> assertThat(request.name()).isEqualTo("estimated"));
    }

    @Test
    void start_whenTheSourceTableCannotBeDescribed_saysSoAndStartsTheExecutionAllTheSame() {
        Cli result = Cli.runCommand(command(), "--stack", STACK, "--set", "SourceTable=elsewhere");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).startsWith("No estimate: SourceTable 'elsewhere' does not exist;");
        assertThat(sfn.started).hasSize(1);
    }

    @Test
    void start_whenThePriceFileIsMissing_exits2WithOneLineAndStartsNothing() {
        Cli result = Cli.runCommand(command(), "--stack", STACK, "--price-file", "no-such-prices.json");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: --price-file no-such-prices.json does not exist; fix"
                + " the path or drop --price-file for the built-in prices");
        assertThat(sfn.started).isEmpty();
    }

    @Test
    void start_whenAParameterIsOutOfRange_exits2WithOneLineAndStartsNothing() {
        Cli result = Cli.runCommand(command(), "--stack", STACK, "--set", "PageSize=0");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).startsWith("ddb-bulk: PageSize must be between 1 and 10000, got 0");
        assertThat(result.err().strip().lines()).hasSize(1);
        assertThat(sfn.started).isEmpty();
    }

    @Test
    void start_whenExpressionParametersAreSet_passesThemToTheExecutionAsText() throws Exception {
        Cli result = Cli.runCommand(command(), "--stack", STACK, "--run-id", "expr-1",
                "--set", "UpdateExpression=SET #s = :new", "--set", "ConditionExpression=#s = :old",
                "--set", "FilterExpression=attribute_exists(#s)", "--set", "ExpressionAttributeNames={\"#s\":\"status\"}",
                "--set", "ExpressionAttributeValues={\":old\":{\"S\":\"PENDING\"},\":new\":{\"S\":\"OPEN\"}}");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(sfn.started).singleElement().satisfies(request -> {
            JsonNode input = new ObjectMapper().readTree(request.input());
            assertThat(input.get("UpdateExpression").asText()).isEqualTo("SET #s = :new");
            assertThat(input.get("ConditionExpression").asText()).isEqualTo("#s = :old");
            assertThat(input.get("FilterExpression").asText()).isEqualTo("attribute_exists(#s)");
            assertThat(input.get("ExpressionAttributeNames").asText()).isEqualTo("{\"#s\":\"status\"}");
            assertThat(input.get("ExpressionAttributeValues").asText())
                    .isEqualTo("{\":old\":{\"S\":\"PENDING\"},\":new\":{\"S\":\"OPEN\"}}");
        });
    }

    @Test
    void start_whenAnExpressionUsesAnUndefinedValue_exits2WithOneLineAndStartsNothing() {
        Cli result = Cli.runCommand(command(), "--stack", STACK,
                "--set", "UpdateExpression=SET #s = :new", "--set", "ExpressionAttributeNames={\"#s\":\"status\"}");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).startsWith("ddb-bulk: UpdateExpression uses :new, which"
                + " ExpressionAttributeValues does not define;");
        assertThat(result.err().strip().lines()).hasSize(1);
        assertThat(sfn.started).isEmpty();
    }

    @Test
    void start_whenStackDoesNotExist_exits2NamingTheStackAndStartsNothing() {
        Cli result = Cli.runCommand(command(), "--stack", "nope");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: Stack 'nope' does not exist; deploy it with"
                + " 'sam deploy --guided' or fix --stack (and --region)");
        assertThat(sfn.started).isEmpty();
    }

    @Test
    void start_whenRunIdIsTaken_exits2AskingForAnotherRunId() {
        sfn.withExecution("taken");

        Cli result = Cli.runCommand(command(), "--stack", STACK, "--run-id", "taken");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip().lines().reduce((first, second) -> second).orElseThrow())
                .startsWith("ddb-bulk: Run id 'taken' already names another execution of")
                .contains("choose another --run-id");
        assertThat(sfn.started).isEmpty();
    }

    @Test
    void start_whenResumeIsGivenWithJobParameters_exits2AndStartsNothing() {
        Cli result = Cli.runCommand(command(), "--stack", STACK, "--resume", "run-1",
                "--set", "TotalSegments=5");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err().strip()).isEqualTo("ddb-bulk: --resume follows a run with its own job; drop --run-id,"
                + " --input and --set");
        assertThat(sfn.started).isEmpty();
    }
}
