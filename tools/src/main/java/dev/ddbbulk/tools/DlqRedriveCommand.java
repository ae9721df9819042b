package dev.ddbbulk.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.tools.dlq.DlqRedriver;
import dev.ddbbulk.tools.local.QueuePair;
import dev.ddbbulk.tools.output.ExitCodes;
import dev.ddbbulk.tools.stack.StackResources;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Sends every dead-lettered segment back to the segment queue, for workers to try again (after the cause was
 * fixed): a segment resumes from its ledger checkpoint, and one already completed is acknowledged without work.
 */
@Command(name = "redrive", mixinStandardHelpOptions = true,
        description = "Move every DLQ message back to the segment queue (an SQS message move task), none lost or duplicated.")
final class DlqRedriveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AwsMixin aws;

    @Option(names = "--stack", description = "The deployed stack; its outputs name the DLQ and the segment queue.")
    String stack;

    @Option(names = "--queue-url", description = "The dead-letter queue to empty, instead of --stack.")
    String queueUrl;

    @Option(names = "--target-url", description = "The segment queue to move the messages to, with --queue-url.")
    String targetUrl;

    @Option(names = "--timeout", converter = DurationConverter.class, defaultValue = "1h",
            description = "Give up waiting for the move task after this long (it goes on in SQS). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--poll-interval", converter = DurationConverter.class, defaultValue = "1s",
            description = "How often to check the move task. Default: ${DEFAULT-VALUE}.")
    Duration pollInterval;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout.")
    boolean json;

    private final CloudFormationClient cloudFormation;

    DlqRedriveCommand() {
        this(null);
    }

    /** With a client to use instead of building one from the options (tests); the command does not close it. */
    DlqRedriveCommand(CloudFormationClient cloudFormation) {
        this.cloudFormation = cloudFormation;
    }

    @Override
    public Integer call() throws Exception {
        if (stack != null ? queueUrl != null || targetUrl != null : queueUrl == null || targetUrl == null) {
            throw new InvalidJobException("Give --stack NAME, or --queue-url DLQ_URL with --target-url QUEUE_URL; not both");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (SqsClient sqs = aws.sqsClients(2).sqs()) {
            DlqRedriver.Queue dlq;
            DlqRedriver.Queue target;
            if (stack != null) {
                StackResources resources = aws.resolveStack(stack, cloudFormation);
                dlq = new DlqRedriver.Queue(resources.deadLetterQueueUrl(), resources.deadLetterQueueArn());
                target = new DlqRedriver.Queue(resources.segmentQueueUrl(), resources.segmentQueueArn());
            } else {
                dlq = new DlqRedriver.Queue(queueUrl, arnOf(sqs, queueUrl));
                target = new DlqRedriver.Queue(targetUrl, arnOf(sqs, targetUrl));
            }
            DlqRedriver.Result result = QueuePair.depth(sqs, dlq.url()) == 0
                    ? new DlqRedriver.Result(DlqRedriver.Method.MOVE_TASK, 0, 0)
                    : new DlqRedriver(sqs, Clock.systemUTC(), pollInterval).redrive(dlq, target, timeout);
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                out.println(mapper.writeValueAsString(mapper.createObjectNode().put("source", dlq.url())
                        .put("destination", target.url()).put("moved", result.moved()).put("refused", result.refused())
                        .put("method", result.method() == DlqRedriver.Method.MOVE_TASK ? "move-task" : "copy")));
            } else {
                out.printf("Moved %d message(s) from %s to %s (%s)%n", result.moved(), dlq.url(), target.url(),
                        result.method() == DlqRedriver.Method.MOVE_TASK ? "SQS message move task"
                                : "copied, then deleted from the DLQ");
                if (stack != null && result.moved() > 0) {
                    out.printf("  Follow each run to its end: ddb-bulk start --stack %s --resume RUN_ID --wait%n", stack);
                }
                if (result.refused() > 0) {
                    out.printf("  %d message(s) were refused by the target and stay in the DLQ; run redrive again%n",
                            result.refused());
                }
            }
            out.flush();
            return result.refused() > 0 ? ExitCodes.ERROR : ExitCodes.OK;
        }
    }

    private static String arnOf(SqsClient sqs, String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }
}
