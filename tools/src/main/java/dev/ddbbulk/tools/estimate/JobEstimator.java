package dev.ddbbulk.tools.estimate;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.TableValidator;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Estimates a job against its live tables: checks them as the seeder would (both exist with the same key), reads
 * their figures and applies the {@link CostModel}. The processor is not loaded: it may live only in the worker.
 */
public final class JobEstimator {
    private final DynamoDbClient dynamoDb;
    private final RegionPrices prices;
    private final CostModel model = new CostModel();

    public JobEstimator(DynamoDbClient dynamoDb, RegionPrices prices) {
        this.dynamoDb = dynamoDb;
        this.prices = prices;
    }

    /** The region {@code dynamoDb} calls, whose prices an estimate should use. */
    public static String regionOf(DynamoDbClient dynamoDb) {
        return dynamoDb.serviceClientConfiguration().region().id();
    }

    /** {@code job} with the writes its write mode makes. */
    public Estimate estimate(JobConfig job, FleetProfile fleet) {
        return estimate(job, WriteProfile.of(job), fleet);
    }

    /** Checks {@code job}'s tables as the seeder would: both exist with the same key. */
    public void checkTables(JobConfig job) {
        new TableValidator(dynamoDb).validateTables(job);
    }

    public Estimate estimate(JobConfig job, WriteProfile writes, FleetProfile fleet) {
        checkTables(job);
        TableInspector inspector = new TableInspector(dynamoDb);
        TableFacts source = inspector.inspect(job.sourceTable(), "SourceTable", "--source");
        TableFacts destination = job.inPlace() ? source
                : inspector.inspect(job.destinationTable(), "DestinationTable", "--destination");
        return model.estimate(job, source, destination, writes, fleet, prices);
    }
}
