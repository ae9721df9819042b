package dev.ddbbulk.tools;

import dev.ddbbulk.tools.stack.ExecutionFollower;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.ListExecutionsRequest;
import software.amazon.awssdk.services.sfn.model.ListExecutionsResponse;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/**
 * A Step Functions with scripted executions: {@code onStart} plays the state machine's part (seeding the
 * ledger, say), and DescribeExecution answers the queued statuses in turn, repeating the last one.
 */
public final class StubSfn implements SfnClient {
    final List<StartExecutionRequest> started = new ArrayList<>();
    private final Deque<DescribeExecutionResponse> statuses = new ArrayDeque<>();
    private final List<String> executions = new ArrayList<>();
    private final java.util.Map<String, String> inputs = new java.util.HashMap<>();
    private Consumer<StartExecutionRequest> onStart = request -> { };
    private Instant startDate = Instant.now();

    public StubSfn onStart(Consumer<StartExecutionRequest> action) {
        this.onStart = action;
        return this;
    }

    /** Adds an execution that already exists (the latest last). */
    StubSfn withExecution(String name) {
        return withExecution(name, "{}");
    }

    StubSfn withExecution(String name, String input) {
        executions.add(name);
        inputs.put(name, input);
        return this;
    }

    /** Queues the next DescribeExecution answer. */
    public StubSfn then(ExecutionStatus status, String error, String cause) {
        statuses.add(DescribeExecutionResponse.builder().status(status).error(error).cause(cause).build());
        return this;
    }

    static String arnOf(String stateMachineArn, String name) {
        return stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name;
    }

    @Override
    public StartExecutionResponse startExecution(StartExecutionRequest request) {
        if (executions.contains(request.name())) {
            throw ExecutionAlreadyExistsException.builder().message("Execution Already Exists: " + request.name()).build();
        }
        started.add(request);
        executions.add(request.name());
        inputs.put(request.name(), request.input());
        startDate = Instant.now();
        onStart.accept(request);
        return StartExecutionResponse.builder().executionArn(arnOf(request.stateMachineArn(), request.name()))
                .startDate(startDate).build();
    }

    @Override
    public DescribeExecutionResponse describeExecution(DescribeExecutionRequest request) {
        String arn = request.executionArn();
        String name = arn.substring(arn.lastIndexOf(':') + 1);
        if (!executions.contains(name)) {
            throw ExecutionDoesNotExistException.builder().message("Execution Does Not Exist: " + arn).build();
        }
        DescribeExecutionResponse next = statuses.size() > 1 ? statuses.poll() : statuses.peek();
        if (next == null) {
            next = DescribeExecutionResponse.builder().status(ExecutionStatus.RUNNING).build();
        }
        boolean ended = ExecutionFollower.ended(next.status());
        return next.toBuilder().executionArn(arn).name(name).input(inputs.get(name)).startDate(startDate)
                .stopDate(ended ? Instant.now() : null).build();
    }

    @Override
    public ListExecutionsResponse listExecutions(ListExecutionsRequest request) {
        List<ExecutionListItem> items = new ArrayList<>();
        for (int i = executions.size() - 1; i >= 0; i--) {
            items.add(ExecutionListItem.builder().name(executions.get(i))
                    .executionArn(arnOf(request.stateMachineArn(), executions.get(i))).build());
        }
        return ListExecutionsResponse.builder()
                .executions(items.subList(0, Math.min(items.size(), request.maxResults() == null ? 100 : request.maxResults())))
                .build();
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
    }
}
