package dev.ddbbulk.tools;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.ledger.ProgressLedger;
import dev.ddbbulk.tools.output.ExitCodes;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.tools.report.ReportHtml;
import dev.ddbbulk.tools.report.ReportJson;
import dev.ddbbulk.tools.report.ReportText;
import dev.ddbbulk.tools.report.RunReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Shows a run's skew from its ledger: how items and time spread over its segments, the slowest ones, splits,
 * redeliveries and failures, as text and optionally as one self-contained HTML page.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Show a run's skew: items and duration per segment, the slowest segments, splits, retries"
                + " and failures; --html writes a page with heat maps and charts.")
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AwsMixin aws;

    @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run to report on.")
    String runId;

    @Option(names = "--stack", description = "The deployed stack; its outputs name the ledger.")
    String stack;

    @Option(names = "--ledger-table", description = "Progress ledger table, instead of --stack (a local run).")
    String ledgerTable;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write the report as one self-contained HTML page.")
    Path html;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout instead of the text.")
    boolean json;

    private final CloudFormationClient cloudFormation;
    private final Clock clock;

    ReportCommand() {
        this(null, Clock.systemUTC());
    }

    /** With a CloudFormation client to use instead of building one from the options (tests); it is not closed. */
    ReportCommand(CloudFormationClient cloudFormation, Clock clock) {
        this.cloudFormation = cloudFormation;
        this.clock = clock;
    }

    @Override
    public Integer call() throws Exception {
        if ((stack == null) == (ledgerTable == null)) {
            throw new InvalidJobException("Give --stack NAME, or --ledger-table TABLE for a run outside a stack;"
                    + " not both");
        }
        if (html != null) {
            checkWritable(html);
        }
        String table = stack != null ? aws.resolveStack(stack, cloudFormation).ledgerTableName() : ledgerTable;
        RunReport report;
        try (DynamoDbClient dynamoDb = aws.dynamoDbClients(2).dynamoDb()) {
            report = RunReport.read(new ProgressLedger(dynamoDb, table, clock), runId, clock);
        }
        if (html != null) {
            writeHtml(report, html);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            out.println(mapper.writeValueAsString(ReportJson.toJson(report, mapper)));
            out.flush();
            return ExitCodes.OK;
        }
        ReportText.print(report, out);
        if (html != null) {
            out.printf("HTML report written to %s%n", html);
            out.flush();
        }
        return ExitCodes.OK;
    }

    /** Fails before the ledger is read when the page could not be written anyway. */
    private static void checkWritable(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file)) {
            throw new InvalidJobException("--html " + file + " is a folder; give a file path such as "
                    + file.resolve("report.html"));
        }
        if (folder == null || !Files.isDirectory(folder)) {
            throw new InvalidJobException("--html " + file + ": folder " + folder + " does not exist; create it or"
                    + " give another path");
        }
        if (!Files.isWritable(folder) || (Files.exists(file) && !Files.isWritable(file))) {
            throw new InvalidJobException("--html " + file + " is not writable; give a path you can write to");
        }
    }

    /** Writes the page beside its destination first, so that a failed write leaves no half page behind. */
    private static void writeHtml(RunReport report, Path file) {
        Path target = file.toAbsolutePath();
        Path partial = null;
        try {
            partial = Files.createTempFile(target.getParent(), ".ddb-bulk-report-", ".html.partial");
            try (Writer writer = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                ReportHtml.write(report, writer);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deletePartial(partial, e);
            throw new InvalidJobException("Cannot write --html " + file + ": " + e.getMessage()
                    + "; give a path you can write to", e);
        }
    }

    private static void deletePartial(Path partial, IOException cause) {
        if (partial == null) {
            return;
        }
        try {
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
