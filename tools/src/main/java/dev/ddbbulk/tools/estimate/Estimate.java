package dev.ddbbulk.tools.estimate;

import java.util.List;

/**
 * What a job will cost and how long it will take, as {@link CostModel} works it out. Units are DynamoDB's read and
 * write units; dollars are USD at {@code prices}. Printed as a table, or as JSON with these names.
 *
 * @param fleet          {@code LAMBDA} (the deployed stack) or {@code LOCAL} (a local fleet)
 * @param segments       the job's TotalSegments
 * @param workers        the job's ParallelLambdaFunctions
 * @param prices         whose prices, and when they were taken
 * @param source         the source table's figures
 * @param destination    the destination table's figures (the source's, in place)
 * @param items          items to scan: the source's ItemCount
 * @param averageItemBytes the source's TableSizeBytes over its ItemCount
 * @param reads          the scan's reads of the source
 * @param writes         the writes of the destination and its indexes
 * @param dynamoDbDollars reads and writes as the tables are billed
 * @param duration       how long the job takes, and what sets its pace
 * @param overhead       ddb-bulk's own cost: ledger, SQS, Lambda, Step Functions
 * @param totalDollars   DynamoDB and overhead
 * @param warnings       what to fix or weigh before running
 * @param notes          what the figures assume
 */
public record Estimate(String fleet, int segments, int workers, PriceBasis prices, TableFacts source,
                       TableFacts destination, long items, double averageItemBytes, Reads reads, Writes writes,
                       double dynamoDbDollars, Timing duration, Overhead overhead, double totalDollars,
                       List<String> warnings, List<String> notes) {

    public Estimate {
        warnings = List.copyOf(warnings);
        notes = List.copyOf(notes);
    }

    /** The region the job runs in, the region whose prices are used, when those were taken and where from. */
    public record PriceBasis(String region, String pricedAs, String pricesAsOf, String source) {
    }

    /**
     * @param units        read units of the whole scan
     * @param unitsPerItem {@code units} over the items
     * @param consistent   strongly consistent reads (eventually consistent ones cost half)
     * @param billing      how the source is billed: {@code PAY_PER_REQUEST} or {@code PROVISIONED}
     * @param onDemandDollars    the units as on-demand requests
     * @param provisionedDollars the units as provisioned capacity-hours, used to the full
     * @param dollars      of the two, the one of the source's billing mode
     */
    public record Reads(double units, double unitsPerItem, boolean consistent, String billing,
                        double onDemandDollars, double provisionedDollars, double dollars) {
    }

    /**
     * @param how              how the job writes
     * @param units            write units of all writes, indexes included
     * @param unitsPerItem     {@code units} over the items
     * @param tableUnitsPerItem the destination table's own units per item
     * @param indexes          the indexes the writes touch, with their units per item
     * @param billing          how the destination is billed
     * @param onDemandDollars    the units as on-demand requests
     * @param provisionedDollars the units as provisioned capacity-hours, used to the full
     * @param dollars          of the two, the one of the destination's billing mode
     */
    public record Writes(String how, double units, double unitsPerItem, double tableUnitsPerItem,
                         List<IndexWrite> indexes, String billing, double onDemandDollars, double provisionedDollars,
                         double dollars) {
        public Writes {
            indexes = List.copyOf(indexes);
        }
    }

    /** An index the writes touch: its writes and write units per item written. */
    public record IndexWrite(String index, boolean global, int writesPerItem, double unitsPerItem) {
    }

    /**
     * @param seconds       the job's duration at {@code itemsPerSecond}
     * @param itemsPerSecond the least of {@code bounds}
     * @param limitedBy     the bound that sets the pace
     * @param bounds        every limit on the pace, in items/s
     */
    public record Timing(double seconds, double itemsPerSecond, String limitedBy, List<Bound> bounds) {
        public Timing {
            bounds = List.copyOf(bounds);
        }
    }

    /** One limit on the job's pace. */
    public record Bound(String limit, double itemsPerSecond) {
    }

    /**
     * ddb-bulk's own cost. Lambda and Step Functions are zero on a local fleet.
     *
     * @param ledgerReadUnits   read units of the progress ledger (an on-demand Standard table)
     * @param ledgerWriteUnits  its write units (a completing transaction's count twice)
     * @param ledgerDollars     the ledger's units at on-demand prices
     * @param sqsRequests       SQS requests: seeding, receiving and deleting, continuations, idle polls, checks
     * @param sqsDollars        at the SQS price
     * @param lambdaGbSeconds   GB-seconds of the workers, the seeder and the progress checks
     * @param lambdaRequests    Lambda invocations
     * @param lambdaDollars     both at Lambda's prices
     * @param stateTransitions  state transitions of the execution
     * @param stepFunctionsDollars at the Step Functions price
     * @param dollars           all of it
     * @param shareOfDynamoDb   {@code dollars} over the DynamoDB bill, or null when that is zero
     * @param goal              the share ddb-bulk is designed to stay within
     */
    public record Overhead(double ledgerReadUnits, double ledgerWriteUnits, double ledgerDollars, double sqsRequests,
                           double sqsDollars, double lambdaGbSeconds, double lambdaRequests, double lambdaDollars,
                           double stateTransitions, double stepFunctionsDollars, double dollars, Double shareOfDynamoDb,
                           double goal) {
    }
}
