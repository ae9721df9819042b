package dev.ddbbulk.tools.estimate;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.SegmentSizing;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The estimate's model, all in this class. Figures are the source's ItemCount and TableSizeBytes (n items, B bytes,
 * average item a = B / n); everything is an estimate, rounded up where DynamoDB rounds up.
 *
 * <ul>
 * <li><b>Reads.</b> A scan page costs its bytes over 4 KB, rounded up; eventually consistent reads cost half.
 *     Pages: ceil(n / PageSize) plus one a segment (each segment ends with a short page), rounding up half a
 *     unit each: reads = (ceil(B / 4 KB) + pages / 2) × (1 or ½).</li>
 * <li><b>Writes.</b> Each item is written once ({@link WriteProfile}): ceil(a / 1 KB) units (conditional writes
 *     cost the same), plus, for every index the write touches, ceil(a / 1 KB) units (1 for a KEYS_ONLY index)
 *     per index write. A dry run writes nothing.</li>
 * <li><b>Dollars.</b> Units at the table class's on-demand price per million, or as provisioned capacity used to
 *     the full for the job's duration (units / 3600 × the price of a unit-hour); the billed figure is the one of
 *     the table's billing mode.</li>
 * <li><b>Pace</b>, in items/s, is the least of: the fleet (min(TotalSegments, workers) workers, each a page of
 *     PageSize items and WritesInFlight writes per {@value #CALL_MILLIS} ms call); the rate limit × workers; the
 *     read and write budgets over the units per item; the source's read capacity and the destination's (and each
 *     written global index's) write capacity over their units per item: provisioned capacity, or an on-demand
 *     table's maximum, or else the default per-table quota of {@value #TABLE_DEFAULT_UNITS} units/s. Duration =
 *     n / pace.</li>
 * <li><b>Ledger</b> (on-demand, Standard, 1 unit a call): per run a put, a read and an update; per delivery a
 *     claim; per segment its checkpoints (one every CheckpointIntervalSeconds of the segment's time, or after every
 *     page but the last with 0) and its completion in a transaction (2 units, plus 2 for the run record per
 *     transaction of up to {@value #MESSAGES_PER_BATCH} segments); per continuation a release and another claim;
 *     one read per worker, and per progress check.</li>
 * <li><b>SQS</b>: one SendMessageBatch per {@value #MESSAGES_PER_BATCH} segments, a receive and a delete per batch
 *     of {@value #MESSAGES_PER_BATCH} deliveries, a send per continuation; on Lambda also the event source
 *     mapping's {@value #ESM_POLLERS} pollers' long polls of {@value #LONG_POLL_SECONDS} s for the whole run, and
 *     two GetQueueAttributes per progress check.</li>
 * <li><b>Lambda</b> (deployed fleet only): the workers busy the whole duration, the seeder
 *     ({@value #SEEDER_BASE_SECONDS} s plus {@value #SEEDER_MESSAGES_PER_SECOND} messages/s) and
 *     {@value #PROGRESS_CHECK_SECONDS} s per progress check, at the functions' memory; an invocation per batch,
 *     the seeder's and one per check. Progress checks come every 30 s for 10 minutes, every minute until 2 hours,
 *     then every 5 minutes (the state machine's schedule).</li>
 * <li><b>Step Functions</b> (deployed fleet only): 3 transitions, plus 3 per progress check.</li>
 * </ul>
 * Not counted: free tiers, storage, data transfer, CloudWatch Logs, retries after throttling or failures.
 */
public final class CostModel {
    static final double READ_UNIT_BYTES = 4096;
    static final double WRITE_UNIT_BYTES = 1024;
    /**
     * A DynamoDB call on AWS takes 3-10 ms; the slow end keeps the pace from looking better than it will be. The
     * same figure sizes TotalSegments auto, so the two agree on a worker's pace.
     */
    static final int CALL_MILLIS = SegmentSizing.CALL_MILLIS;
    /** DynamoDB's default per-table quota of read (and of write) units/s, which also caps an on-demand table. */
    static final long TABLE_DEFAULT_UNITS = 40_000;
    /** The worker event source mapping's BatchSize, SendMessageBatch's limit, and segments per completion at most. */
    static final int MESSAGES_PER_BATCH = 10;
    /** Pollers the SQS event source mapping keeps long-polling however idle the queue. */
    static final int ESM_POLLERS = 5;
    static final double LONG_POLL_SECONDS = 20;
    static final double PROGRESS_CHECK_SECONDS = 0.3;
    static final double SEEDER_BASE_SECONDS = 2;
    static final double SEEDER_MESSAGES_PER_SECOND = 5000;
    /** ddb-bulk's own cost, as a share of the DynamoDB bill, that its design aims to stay within. */
    public static final double OVERHEAD_GOAL = 0.03;
    private static final double MILLION = 1_000_000;
    private static final double HOUR = 3600;

    /**
     * @param destination the destination's figures; the source's when the job is in place
     */
    public Estimate estimate(JobConfig job, TableFacts source, TableFacts destination, WriteProfile profile,
                             FleetProfile fleet, RegionPrices prices) {
        long items = source.itemCount();
        double averageBytes = source.averageItemBytes();
        int segments = job.totalSegments();
        int workers = Math.min(job.parallelWorkers(), segments);

        double pages = Math.ceil((double) items / job.pageSize()) + segments;
        double readUnits = (Math.ceil(source.sizeBytes() / READ_UNIT_BYTES) + pages / 2) * (job.consistentRead() ? 1 : 0.5);
        double readUnitsPerItem = items == 0 ? 0 : readUnits / items;
        TablePrices sourcePrices = prices.table(source.tableClass());
        Estimate.Reads reads = new Estimate.Reads(readUnits, readUnitsPerItem, job.consistentRead(),
                source.capacity().mode().name(), readUnits / MILLION * sourcePrices.onDemandReadPerMillion(),
                readUnits / HOUR * sourcePrices.provisionedRcuHour(),
                source.capacity().onDemand() ? readUnits / MILLION * sourcePrices.onDemandReadPerMillion()
                        : readUnits / HOUR * sourcePrices.provisionedRcuHour());

        double unitsPerWrite = Math.max(1, Math.ceil(averageBytes / WRITE_UNIT_BYTES));
        double tableUnitsPerItem = profile.writesPerItem() * unitsPerWrite;
        List<Estimate.IndexWrite> indexWrites = new ArrayList<>();
        for (IndexFacts index : destination.indexes()) {
            int writes = profile.indexWritesPerItem(index);
            if (writes > 0) {
                indexWrites.add(new Estimate.IndexWrite(index.name(), index.global(), writes,
                        writes * (index.keysOnly() ? 1 : unitsPerWrite)));
            }
        }
        double writeUnitsPerItem = tableUnitsPerItem + indexWrites.stream().mapToDouble(Estimate.IndexWrite::unitsPerItem).sum();
        double writeUnits = items * writeUnitsPerItem;
        TablePrices destinationPrices = prices.table(destination.tableClass());
        Estimate.Writes writes = new Estimate.Writes(profile.description(), writeUnits, writeUnitsPerItem,
                tableUnitsPerItem, indexWrites, destination.capacity().mode().name(),
                writeUnits / MILLION * destinationPrices.onDemandWritePerMillion(),
                writeUnits / HOUR * destinationPrices.provisionedWcuHour(),
                destination.capacity().onDemand() ? writeUnits / MILLION * destinationPrices.onDemandWritePerMillion()
                        : writeUnits / HOUR * destinationPrices.provisionedWcuHour());
        double dynamoDbDollars = reads.dollars() + writes.dollars();

        Estimate.Timing timing = timing(job, source, destination, workers, readUnitsPerItem, tableUnitsPerItem,
                writeUnitsPerItem, indexWrites, profile.writesPerItem() > 0, items);
        Estimate.Overhead overhead = overhead(job, fleet, prices, workers, pages, timing.seconds(), dynamoDbDollars);

        List<String> warnings = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        explain(job, source, destination, profile, prices, timing, overhead, indexWrites, readUnitsPerItem,
                tableUnitsPerItem, warnings, notes);
        return new Estimate(fleet.kind().name(), segments, job.parallelWorkers(),
                new Estimate.PriceBasis(prices.region(), prices.pricedAs(), prices.pricesAsOf(), prices.source()),
                source, destination, items, averageBytes, reads, writes, dynamoDbDollars, timing, overhead,
                dynamoDbDollars + overhead.dollars(), warnings, notes);
    }

    private static Estimate.Timing timing(JobConfig job, TableFacts source, TableFacts destination, int workers,
                                          double readUnitsPerItem, double tableUnitsPerItem, double writeUnitsPerItem,
                                          List<Estimate.IndexWrite> indexWrites, boolean writing, long items) {
        List<Estimate.Bound> bounds = new ArrayList<>();
        double perCall = CALL_MILLIS / 1000.0;
        double perWorker = writing ? Math.min(job.pageSize(), job.writesInFlight()) / perCall : job.pageSize() / perCall;
        bounds.add(new Estimate.Bound(String.format(Locale.ROOT, "fleet: %d workers, %s at ~%d ms a call", workers,
                writing ? job.writesInFlight() + " writes in flight each" : "a page each", CALL_MILLIS),
                workers * perWorker));
        if (!job.unlimitedRate()) {
            bounds.add(new Estimate.Bound("rate limit: " + number(job.rateLimit()) + " items/s × " + workers
                    + " workers", job.rateLimit() * workers));
        }
        if (job.maxReadUnits() != JobConfig.UNLIMITED && readUnitsPerItem > 0) {
            bounds.add(new Estimate.Bound("read budget: " + number(job.maxReadUnits()) + " units/s",
                    job.maxReadUnits() / readUnitsPerItem));
        }
        if (writing && job.maxWriteUnits() != JobConfig.UNLIMITED) {
            bounds.add(new Estimate.Bound("write budget: " + number(job.maxWriteUnits()) + " units/s",
                    job.maxWriteUnits() / writeUnitsPerItem));
        }
        if (readUnitsPerItem > 0) {
            long capacity = units(source.capacity().readUnits(), source.capacity());
            bounds.add(new Estimate.Bound("read capacity of '" + source.name() + "': " + capacity + " units/s"
                    + describe(source.capacity(), source.capacity().readUnits()), capacity / readUnitsPerItem));
        }
        if (writing) {
            double localIndexUnits = indexWrites.stream().filter(i -> !i.global())
                    .mapToDouble(Estimate.IndexWrite::unitsPerItem).sum();
            long capacity = units(destination.capacity().writeUnits(), destination.capacity());
            bounds.add(new Estimate.Bound("write capacity of '" + destination.name() + "': " + capacity + " units/s"
                    + describe(destination.capacity(), destination.capacity().writeUnits()),
                    capacity / (tableUnitsPerItem + localIndexUnits)));
            for (Estimate.IndexWrite write : indexWrites) {
                IndexFacts index = destination.indexes().stream().filter(i -> i.name().equals(write.index()))
                        .findFirst().orElseThrow();
                if (index.global()) {
                    long indexCapacity = units(index.capacity().writeUnits(), index.capacity());
                    bounds.add(new Estimate.Bound("write capacity of index '" + index.name() + "': " + indexCapacity
                            + " units/s" + describe(index.capacity(), index.capacity().writeUnits()),
                            indexCapacity / write.unitsPerItem()));
                }
            }
        }
        Estimate.Bound pace = bounds.stream().min(Comparator.comparingDouble(Estimate.Bound::itemsPerSecond)).orElseThrow();
        double seconds = items == 0 || pace.itemsPerSecond() <= 0 ? 0 : items / pace.itemsPerSecond();
        return new Estimate.Timing(seconds, pace.itemsPerSecond(), pace.limit(), bounds);
    }

    /** Provisioned units, an on-demand table's maximum, or the default quota. */
    private static long units(long configured, Capacity capacity) {
        return !capacity.onDemand() || configured != Capacity.UNSET ? configured : TABLE_DEFAULT_UNITS;
    }

    private static String describe(Capacity capacity, long configured) {
        if (!capacity.onDemand()) {
            return " provisioned";
        }
        return configured != Capacity.UNSET ? " (on-demand maximum)" : " (on-demand, the default table quota)";
    }

    private static Estimate.Overhead overhead(JobConfig job, FleetProfile fleet, RegionPrices prices, int workers,
                                              double pages, double seconds, double dynamoDbDollars) {
        int segments = job.totalSegments();
        double segmentSeconds = seconds * workers / segments;
        double continuations = Math.floor(segmentSeconds / fleet.workingSeconds());
        double deliveries = segments * (1 + continuations);
        int interval = job.checkpointIntervalSeconds();
        double checkpoints = interval == 0 ? Math.max(0, pages / segments - 1) : Math.floor(segmentSeconds / interval);
        double segmentsPerCompletion = interval == 0 || segmentSeconds >= interval ? 1
                : Math.min(MESSAGES_PER_BATCH, Math.max(1, Math.floor(interval / Math.max(segmentSeconds, 1e-9))));
        double completions = Math.ceil(segments / segmentsPerCompletion);
        double checks = fleet.onLambda() ? progressChecks(seconds) : 0;

        double ledgerWrites = 2 + deliveries + segments * checkpoints + segments * continuations
                + 2.0 * segments + 2 * completions;
        double ledgerReads = 1 + workers + checks;
        TablePrices ledgerPrices = prices.table(RegionPrices.STANDARD);
        double ledgerDollars = ledgerReads / MILLION * ledgerPrices.onDemandReadPerMillion()
                + ledgerWrites / MILLION * ledgerPrices.onDemandWritePerMillion();

        double batches = Math.ceil(deliveries / MESSAGES_PER_BATCH);
        double sqsRequests = Math.ceil((double) segments / MESSAGES_PER_BATCH) + segments * continuations + 2 * batches;
        double lambdaGbSeconds = 0;
        double lambdaRequests = 0;
        double transitions = 0;
        if (fleet.onLambda()) {
            sqsRequests += ESM_POLLERS * Math.ceil(seconds / LONG_POLL_SECONDS) + 2 * checks;
            double seederSeconds = SEEDER_BASE_SECONDS + segments / SEEDER_MESSAGES_PER_SECOND;
            lambdaGbSeconds = fleet.memoryGb() * (workers * seconds + seederSeconds + checks * PROGRESS_CHECK_SECONDS);
            lambdaRequests = batches + 1 + checks;
            transitions = 3 + 3 * checks;
        }
        double sqsDollars = sqsRequests / MILLION * prices.sqsPerMillionRequests();
        double lambdaDollars = lambdaGbSeconds * (fleet.onLambda() ? prices.lambdaGbSecond(fleet.architecture()) : 0)
                + lambdaRequests / MILLION * prices.lambdaPerMillionRequests();
        double stepFunctionsDollars = transitions / 1000 * prices.stepFunctionsPerThousandTransitions();
        double dollars = ledgerDollars + sqsDollars + lambdaDollars + stepFunctionsDollars;
        return new Estimate.Overhead(ledgerReads, ledgerWrites, ledgerDollars, sqsRequests, sqsDollars,
                lambdaGbSeconds, lambdaRequests, lambdaDollars, transitions, stepFunctionsDollars, dollars,
                dynamoDbDollars > 0 ? dollars / dynamoDbDollars : null, OVERHEAD_GOAL);
    }

    /** The state machine's progress checks over {@code seconds}: every 30 s, then every minute, then every 5. */
    static double progressChecks(double seconds) {
        double fast = Math.ceil(Math.min(seconds, 600) / 30);
        double medium = Math.ceil(Math.max(0, Math.min(seconds, 7200) - 600) / 60);
        double slow = Math.ceil(Math.max(0, seconds - 7200) / 300);
        return Math.max(1, fast + medium + slow);
    }

    private static void explain(JobConfig job, TableFacts source, TableFacts destination, WriteProfile profile,
                                RegionPrices prices, Estimate.Timing timing, Estimate.Overhead overhead,
                                List<Estimate.IndexWrite> indexWrites, double readUnitsPerItem,
                                double tableUnitsPerItem, List<String> warnings, List<String> notes) {
        if (profile.writesPerItem() > 0 && destination.pointInTimeRecovery().status()
                == TableFacts.PointInTimeRecovery.Status.DISABLED) {
            warnings.add("point-in-time recovery is off on '" + destination.name() + "', which this job writes: a"
                    + " mistaken job cannot be rolled back; turn it on first (aws dynamodb update-continuous-backups"
                    + " --table-name " + destination.name()
                    + " --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true)");
        }
        if (overhead.shareOfDynamoDb() != null && overhead.shareOfDynamoDb() > OVERHEAD_GOAL) {
            warnings.add(String.format(Locale.ROOT, "ddb-bulk's own overhead is %.1f%% of the DynamoDB bill, above"
                    + " its %.0f%% goal: %s", overhead.shareOfDynamoDb() * 100, OVERHEAD_GOAL * 100,
                    timing.limitedBy().startsWith("fleet")
                            ? "the items are few or small for the fleet's fixed costs"
                            : "the pace is set by the " + timing.limitedBy().replaceFirst(":.*", "")
                                    + ", and idle workers cost while they wait; fewer --workers cost less for the same pace"));
        }
        warnIfAboveWarm(source, timing.itemsPerSecond() * readUnitsPerItem, source.warmReadUnits(), "reads", warnings);
        if (profile.writesPerItem() > 0) {
            warnIfAboveWarm(destination, timing.itemsPerSecond() * tableUnitsPerItem, destination.warmWriteUnits(),
                    "writes", warnings);
        }
        notes.add("item count and size come from DescribeTable, which DynamoDB updates about every 6 hours");
        if (source.itemCount() == 0) {
            notes.add("DescribeTable reports no items in '" + source.name() + "'; items written within the last"
                    + " 6 hours may not show yet");
        }
        if (profile.writesPerItem() > 0) {
            notes.add("write units assume every item is as big as the average; items of mixed sizes round up more");
        }
        if (!indexWrites.isEmpty() && profile.wholeItem()) {
            notes.add("index writes are an upper bound: every item counts as written to every index; an item without"
                    + " an index's keys (a sparse index) costs that index nothing");
        }
        for (TableFacts table : destination == source ? List.of(source) : List.of(source, destination)) {
            if (table.pointInTimeRecovery().status() == TableFacts.PointInTimeRecovery.Status.UNKNOWN) {
                notes.add("point-in-time recovery of '" + table.name() + "' is unknown: "
                        + table.pointInTimeRecovery().unknownBecause());
            }
        }
        if (timing.limitedBy().contains("provisioned")) {
            notes.add("the table's other traffic shares its provisioned capacity, so the job may get less of it");
        }
        if (prices.borrowed()) {
            notes.add("the price table has no prices for " + prices.region() + "; those of " + prices.pricedAs()
                    + " are used (give yours with --price-file)");
        }
        notes.add("not counted: free tiers, storage, data transfer, CloudWatch Logs, retries");
        if (job.dryRun()) {
            notes.add("a dry run writes nothing: the figures are the scan's");
        }
    }

    private static void warnIfAboveWarm(TableFacts table, double unitsPerSecond, Long warm, String what,
                                        List<String> warnings) {
        if (table.capacity().onDemand() && warm != null && warm > 0 && unitsPerSecond > warm) {
            warnings.add(String.format(Locale.ROOT, "the job's %s need about %.0f units/s of '%s', more than it"
                    + " serves at once (its warm throughput, %d units/s): expect throttling while DynamoDB scales it"
                    + " up, or pre-warm it (aws dynamodb update-table --warm-throughput)", what, unitsPerSecond,
                    table.name(), warm));
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
