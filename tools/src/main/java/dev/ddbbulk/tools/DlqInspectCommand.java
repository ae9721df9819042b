package dev.ddbbulk.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.core.ledger.SegmentRecord;
import dev.ddbbulk.core.message.SegmentMessage;
import dev.ddbbulk.tools.dlq.DlqInspector;
import dev.ddbbulk.tools.output.ExitCodes;
import dev.ddbbulk.tools.stack.StackResources;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Lists the dead-lettered segments with their last error from the ledger, leaving every message in the DLQ. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List dead-lettered segments (run, segment, receive count, last error) without consuming them.")
final class DlqInspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AwsMixin aws;

    @Option(names = "--stack", description = "The deployed stack; its outputs name the DLQ and the ledger.")
    String stack;

    @Option(names = "--queue-url", description = "The dead-letter queue, instead of --stack.")
    String queueUrl;

    @Option(names = "--ledger-table", description = "Ledger with the segments' last errors, with --queue-url. Default: "
            + RunCommand.DEFAULT_LEDGER + ".")
    String ledgerTable;

    @Option(names = "--max", defaultValue = "1000", description = "List at most this many messages. Default: ${DEFAULT-VALUE}.")
    int max;

    @Option(names = "--hold", converter = DurationConverter.class, defaultValue = "60s",
            description = "How long each listed message stays hidden while the listing runs (all are made visible"
                    + " again at the end). Default: ${DEFAULT-VALUE}.")
    Duration hold;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout.")
    boolean json;

    private final CloudFormationClient cloudFormation;

    DlqInspectCommand() {
        this(null);
    }

    /** With a client to use instead of building one from the options (tests); the command does not close it. */
    DlqInspectCommand(CloudFormationClient cloudFormation) {
        this.cloudFormation = cloudFormation;
    }

    @Override
    public Integer call() throws Exception {
        if ((stack == null) == (queueUrl == null)) {
            throw new InvalidJobException("Give --stack NAME or --queue-url DLQ_URL (with --ledger-table), not both");
        }
        if (stack != null && ledgerTable != null) {
            throw new InvalidJobException("--ledger-table goes with --queue-url; with --stack the ledger is the stack's");
        }
        if (max < 1) {
            throw new InvalidJobException("--max must be at least 1, got " + max);
        }
        String dlq = queueUrl;
        String table = ledgerTable != null ? ledgerTable : RunCommand.DEFAULT_LEDGER;
        if (stack != null) {
            StackResources resources = aws.resolveStack(stack, cloudFormation);
            dlq = resources.deadLetterQueueUrl();
            table = resources.ledgerTableName();
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (SqsClient sqs = aws.sqsClients(2).sqs();
             DynamoDbClient dynamoDb = aws.dynamoDbClients(2).dynamoDb()) {
            List<DlqInspector.DeadLetter> letters = new DlqInspector(sqs, hold).peek(dlq, max);
            LastErrors errors = new LastErrors(new ProgressLedger(dynamoDb, table, Clock.systemUTC()), err);
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode node = mapper.createObjectNode().put("queueUrl", dlq).put("ledgerTable", table)
                        .put("count", letters.size()).put("truncated", letters.size() >= max);
                ArrayNode messages = node.putArray("messages");
                for (DlqInspector.DeadLetter letter : letters) {
                    ObjectNode m = messages.addObject().put("messageId", letter.messageId())
                            .put("receiveCount", letter.receiveCount());
                    SegmentMessage segment = letter.segment();
                    if (segment == null) {
                        m.put("body", abbreviate(letter.body())).put("lastError", "not a segment message");
                        continue;
                    }
                    m.put("runId", segment.runId()).put("segment", segment.segment())
                            .put("totalSegments", segment.totalSegments()).put("continuation", segment.continuation());
                    Optional<SegmentRecord> record = errors.of(segment);
                    m.put("segmentStatus", record.map(r -> r.status().name()).orElse(null));
                    m.put("attempts", record.map(SegmentRecord::attempts).orElse(null));
                    m.put("lastError", record.map(SegmentRecord::lastError).orElse(null));
                }
                out.println(mapper.writeValueAsString(node));
            } else {
                out.printf("DLQ %s: %d message(s)%s, none consumed%n", dlq, letters.size(),
                        letters.size() >= max ? " (the first " + max + "; raise --max for more)" : "");
                if (!letters.isEmpty()) {
                    out.printf("  %-36s %8s %8s  %-11s  %s%n", "run", "segment", "receives", "status", "last error");
                }
                for (DlqInspector.DeadLetter letter : letters) {
                    SegmentMessage segment = letter.segment();
                    if (segment == null) {
                        out.printf("  %-36s %8s %8d  %-11s  not a segment message: %s%n", "?", "?",
                                letter.receiveCount(), "-", abbreviate(letter.body()));
                        continue;
                    }
                    Optional<SegmentRecord> record = errors.of(segment);
                    out.printf("  %-36s %8d %8d  %-11s  %s%n", segment.runId(), segment.segment(), letter.receiveCount(),
                            record.map(r -> r.status().name()).orElse("-"),
                            record.map(SegmentRecord::lastError).orElse("(not in ledger " + table + ")"));
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() <= 120 ? body : body.substring(0, 120) + "...";
    }

    /** Each segment's ledger record, read once; a missing ledger table is reported once, not per message. */
    private static final class LastErrors {
        private final ProgressLedger ledger;
        private final PrintWriter err;
        private final Map<String, Optional<SegmentRecord>> cache = new HashMap<>();
        private boolean ledgerMissing;

        LastErrors(ProgressLedger ledger, PrintWriter err) {
            this.ledger = ledger;
            this.err = err;
        }

        Optional<SegmentRecord> of(SegmentMessage message) {
            if (ledgerMissing) {
                return Optional.empty();
            }
            return cache.computeIfAbsent(message.runId() + "/" + message.segment(), k -> {
                try {
                    return ledger.findSegment(message.runId(), message.segment());
                } catch (ResourceNotFoundException e) {
                    ledgerMissing = true;
                    err.println("ddb-bulk: ledger table " + ledger.table() + " does not exist; last errors are unknown"
                            + " (give --ledger-table)");
                    err.flush();
                    return Optional.empty();
                }
            });
        }
    }
}
