package dev.ddbbulk.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.DescribeStacksRequest;
import software.amazon.awssdk.services.cloudformation.model.DescribeStacksResponse;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;

/** A CloudFormation that knows one stack, answering DescribeStacks as the service does. */
public final class StubCloudFormation implements CloudFormationClient {
    private final String stackName;
    private final Map<String, String> outputs;
    private final Map<String, String> parameters;
    public final List<DescribeStacksRequest> requests = new ArrayList<>();

    public StubCloudFormation(String stackName, Map<String, String> outputs, Map<String, String> parameters) {
        this.stackName = stackName;
        this.outputs = outputs;
        this.parameters = parameters;
    }

    /** Every output a stack from template.yaml has, with values derived from the stack's name. */
    public static Map<String, String> outputsOf(String stackName, String ledgerTable, String queueUrl, String dlqUrl) {
        String account = "arn:aws:%s:us-east-1:123456789012:";
        return Map.of("StateMachineArn", account.formatted("states") + "stateMachine:" + stackName + "-machine",
                "SegmentQueueUrl", queueUrl,
                "SegmentQueueArn", account.formatted("sqs") + stackName + "-segments",
                "DeadLetterQueueUrl", dlqUrl,
                "DeadLetterQueueArn", account.formatted("sqs") + stackName + "-dlq",
                "LedgerTableName", ledgerTable,
                "SeederFunctionName", stackName + "-seeder",
                "WorkerFunctionName", stackName + "-worker",
                "ProgressFunctionName", stackName + "-progress");
    }

    @Override
    public DescribeStacksResponse describeStacks(DescribeStacksRequest request) {
        requests.add(request);
        if (!stackName.equals(request.stackName())) {
            throw (CloudFormationException) CloudFormationException.builder().statusCode(400)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationError")
                            .errorMessage("Stack with id " + request.stackName() + " does not exist").build())
                    .build();
        }
        Stack stack = Stack.builder().stackName(stackName).stackStatus(StackStatus.CREATE_COMPLETE)
                .outputs(outputs.entrySet().stream()
                        .map(e -> Output.builder().outputKey(e.getKey()).outputValue(e.getValue()).build()).toList())
                .parameters(parameters.entrySet().stream()
                        .map(e -> Parameter.builder().parameterKey(e.getKey()).parameterValue(e.getValue()).build())
                        .toList())
                .build();
        return DescribeStacksResponse.builder().stacks(stack).build();
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
    }
}
