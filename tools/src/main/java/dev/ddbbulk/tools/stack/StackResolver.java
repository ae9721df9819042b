package dev.ddbbulk.tools.stack;

import dev.ddbbulk.core.job.InvalidJobException;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.DescribeStacksRequest;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;

/**
 * Finds a deployed stack's resources by the stack's name: one DescribeStacks call, every output the CLI
 * relies on required, so a wrong name, region or template version fails at once with a one-line fix.
 */
public final class StackResolver {
    private final CloudFormationClient cloudFormation;

    public StackResolver(CloudFormationClient cloudFormation) {
        this.cloudFormation = cloudFormation;
    }


    /** @throws InvalidJobException when the stack does not exist or lacks one of {@link StackResources#OUTPUTS} */
    public StackResources resolve(String stackName) {
        if (stackName == null || stackName.isBlank()) {
            throw new InvalidJobException("--stack is empty; give the name of the stack you deployed with 'sam deploy'");
        }
        Stack stack;
        try {
            var stacks = cloudFormation.describeStacks(DescribeStacksRequest.builder().stackName(stackName).build())
                    .stacks();
            if (stacks.isEmpty()) {
                throw missingStack(stackName, null);
            }
            stack = stacks.get(0);
        } catch (CloudFormationException e) {
            // CloudFormation says so with a 400 ValidationError "Stack with id NAME does not exist".
            String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            if (message != null && message.contains("does not exist")) {
                throw missingStack(stackName, e);
            }
            throw e;
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        for (Output output : stack.outputs()) {
            outputs.put(output.outputKey(), output.outputValue());
        }
        for (String name : StackResources.OUTPUTS) {
            String value = outputs.get(name);
            if (value == null || value.isBlank()) {
                throw new InvalidJobException("Stack '" + stackName + "' (" + stack.stackStatusAsString()
                        + ") has no output '" + name + "'; deploy the current template.yaml to it ('sam deploy')"
                        + " or fix --stack");
            }
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (Parameter parameter : stack.parameters()) {
            if (parameter.parameterValue() != null) {
                parameters.put(parameter.parameterKey(), parameter.parameterValue());
            }
        }
        return StackResources.of(stackName, outputs, parameters);
    }

    private static InvalidJobException missingStack(String stackName, Throwable cause) {
        return new InvalidJobException("Stack '" + stackName + "' does not exist; deploy it with 'sam deploy --guided'"
                + " or fix --stack (and --region)", cause);
    }
}
