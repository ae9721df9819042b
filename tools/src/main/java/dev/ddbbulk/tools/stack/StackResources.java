package dev.ddbbulk.tools.stack;

import java.util.List;
import java.util.Map;

/**
 * What the CLI needs of a deployed stack, read from its CloudFormation outputs by {@link StackResolver}.
 * {@code parameters} are the stack's job parameters (the defaults an execution's input overrides).
 */
public record StackResources(String stackName, String stateMachineArn, String segmentQueueUrl, String segmentQueueArn,
                      String deadLetterQueueUrl, String deadLetterQueueArn, String ledgerTableName,
                      String seederFunctionName, String workerFunctionName, String progressFunctionName,
                      Map<String, String> parameters) {

    /** The output names template.yaml declares, in the order of the record's components. */
    static final List<String> OUTPUTS = List.of("StateMachineArn", "SegmentQueueUrl", "SegmentQueueArn",
            "DeadLetterQueueUrl", "DeadLetterQueueArn", "LedgerTableName", "SeederFunctionName",
            "WorkerFunctionName", "ProgressFunctionName");

    public StackResources {
        parameters = Map.copyOf(parameters);
    }

    static StackResources of(String stackName, Map<String, String> outputs, Map<String, String> parameters) {
        return new StackResources(stackName, outputs.get("StateMachineArn"), outputs.get("SegmentQueueUrl"),
                outputs.get("SegmentQueueArn"), outputs.get("DeadLetterQueueUrl"), outputs.get("DeadLetterQueueArn"),
                outputs.get("LedgerTableName"), outputs.get("SeederFunctionName"), outputs.get("WorkerFunctionName"),
                outputs.get("ProgressFunctionName"), parameters);
    }

    /**
     * The ARN of the execution named {@code runId}: the run id is the execution's name, and a standard state
     * machine's executions are {@code arn:…:execution:<state machine name>:<execution name>}.
     */
    public String executionArn(String runId) {
        return stateMachineArn.replaceFirst(":stateMachine:", ":execution:") + ":" + runId;
    }
}
