package dev.ddbbulk.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddbbulk.core.job.AutoSegments;
import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.SegmentChoice;
import dev.ddbbulk.core.job.SegmentCount;
import dev.ddbbulk.tools.estimate.Estimate;
import dev.ddbbulk.tools.estimate.FleetProfile;
import dev.ddbbulk.tools.estimate.JobEstimator;
import dev.ddbbulk.tools.estimate.Prices;
import dev.ddbbulk.tools.local.LocalRun;
import dev.ddbbulk.tools.output.EstimateReport;
import dev.ddbbulk.tools.output.ExitCodes;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What a job would cost and how long it would take, from the tables' DescribeTable figures and a price table,
 * without running it; the same figures {@code run} and {@code start} print before they start.
 */
@Command(name = "estimate", mixinStandardHelpOptions = true,
        description = "Estimate a job's read and write units, their cost on-demand and provisioned, ddb-bulk's own"
                + " overhead and the duration, from the tables' DescribeTable figures; runs nothing.")
final class EstimateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    JobMixin job;

    @Mixin
    FleetMixin fleet;

    @Mixin
    AwsMixin aws;

    @Mixin
    PriceMixin prices;

    @Option(names = "--source", description = "SourceTable: the table to scan. Required.")
    String source;

    @Option(names = "--destination", description = "DestinationTable. Default: the source (update in place).")
    String destination;

    @Option(names = "--segments", defaultValue = SegmentCount.AUTO_TEXT,
            description = "TotalSegments: 1..1000000, or auto (from the source's item count and size: segments of at most"
                    + " about 5 minutes of a worker, at least 4 a worker). Default: ${DEFAULT-VALUE}.")
    String segments;

    @Option(names = "--workers", defaultValue = "10", description = "Workers (ParallelLambdaFunctions). Default: ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--fleet", defaultValue = "lambda",
            description = "Who runs the job: 'lambda' (the deployed stack, as start runs it) or 'local' (a fleet in"
                    + " this JVM, as run does: no Lambda or Step Functions to pay). Default: ${DEFAULT-VALUE}.")
    String fleetKind;

    @Override
    public Integer call() throws Exception {
        fleet.validate();
        if (source == null) {
            throw new InvalidJobException("--source is required; name the table to scan");
        }
        FleetProfile profile = switch (fleetKind.trim().toLowerCase(Locale.ROOT)) {
            case "lambda" -> FleetProfile.lambda();
            case "local" -> FleetProfile.local(fleet.timeBudget, LocalRun.FleetOptions.marginFor(fleet.timeBudget));
            default -> throw new InvalidJobException("--fleet must be 'lambda' or 'local', got '" + fleetKind + "'");
        };
        SegmentCount requestedSegments = SegmentCount.parse(segments);
        JobConfig provisional = job.builder(source, destination, requestedSegments.auto() ? JobConfig.DEFAULT_SEGMENTS
                : requestedSegments.number(), workers).build();
        Prices table = prices.load();
        PrintWriter out = spec.commandLine().getOut();
        try (DynamoDbClient dynamoDb = aws.dynamoDbClients(2).dynamoDb()) {
            JobEstimator estimator = new JobEstimator(dynamoDb, prices.forRegion(table, JobEstimator.regionOf(dynamoDb)));
            // The estimator checks the tables first, so a missing source is reported as it always was.
            estimator.checkTables(provisional);
            SegmentChoice choice = new AutoSegments(dynamoDb).choose(requestedSegments, provisional, Optional.empty());
            Estimate estimate = estimator.estimate(choice.applyTo(provisional), profile);
            if (fleet.json) {
                ObjectMapper mapper = new ObjectMapper();
                out.println(mapper.writeValueAsString(EstimateReport.toJson(estimate, mapper)
                        .put("segmentsRequested", requestedSegments.toString())
                        .put("segmentsBasis", choice.basis().name())));
                out.flush();
            } else {
                out.println(EstimateReport.segmentsLine(choice));
                EstimateReport.printText(estimate, out);
            }
        }
        return ExitCodes.OK;
    }
}
