package dev.ddbbulk.tools.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ddbbulk.core.job.JobConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CostModelTest {
    private static final RegionPrices US_EAST_1 = Prices.builtIn().forRegion("us-east-1");
    private static final double EXACT = 1e-9;
    private final CostModel model = new CostModel();

    static TableFacts table(String name, long items, long bytes, Capacity capacity, IndexFacts... indexes) {
        return new TableFacts(name, items, bytes, capacity, "STANDARD", List.of(indexes),
                TableFacts.PointInTimeRecovery.of(true), null, null);
    }

    private static JobConfig.Builder job(String source) {
        return JobConfig.builder().sourceTable(source).totalSegments(100).parallelWorkers(10);
    }

    @Test
    void estimate_whenOnDemandTableOnLambda_countsUnitsDollarsPaceAndEveryOverhead() {
        // A million items of exactly 1 KB: 250,000 read units of data, one write unit each.
        TableFacts orders = table("orders", 1_000_000, 1_024_000_000L, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET));

        Estimate e = model.estimate(job("orders").build(), orders, orders, WriteProfile.of(job("orders").build()),
                FleetProfile.lambda(), US_EAST_1);

        // 10,000 pages of 100 items plus one short page a segment, each rounding up half a unit.
        assertThat(e.reads().units()).isCloseTo(250_000 + 10_100 / 2.0, within(EXACT));
        assertThat(e.reads().dollars()).isCloseTo(255_050 * 0.125 / 1e6, within(EXACT));
        assertThat(e.reads().provisionedDollars()).isCloseTo(255_050 / 3600.0 * 0.00013, within(EXACT));
        assertThat(e.writes().units()).isCloseTo(1_000_000, within(EXACT));
        assertThat(e.writes().dollars()).isCloseTo(0.625, within(EXACT));
        assertThat(e.writes().billing()).isEqualTo("PAY_PER_REQUEST");
        // 10 workers, 16 writes in flight at 10 ms: 16,000 items/s, under the table's 40,000 units.
        assertThat(e.duration().itemsPerSecond()).isCloseTo(16_000, within(EXACT));
        assertThat(e.duration().limitedBy()).startsWith("fleet");
        assertThat(e.duration().seconds()).isCloseTo(62.5, within(EXACT));

        Estimate.Overhead o = e.overhead();
        // Per run 2 writes; 100 claims; no checkpoint within 6.25 s a segment; 100 completions alone (2 + 2 units each).
        assertThat(o.ledgerWriteUnits()).isCloseTo(2 + 100 + 200 + 200, within(EXACT));
        // The run record read back, once per worker, once per progress check (3 in 62.5 s).
        assertThat(o.ledgerReadUnits()).isCloseTo(1 + 10 + 3, within(EXACT));
        // 10 SendMessageBatch, 10 receives, 10 deletes, 5 pollers × 4 long polls, 2 × 3 queue depths.
        assertThat(o.sqsRequests()).isCloseTo(10 + 20 + 20 + 6, within(EXACT));
        assertThat(o.lambdaGbSeconds()).isCloseTo(10 * 62.5 + 2 + 100 / 5000.0 + 3 * 0.3, within(EXACT));
        assertThat(o.lambdaRequests()).isCloseTo(10 + 1 + 3, within(EXACT));
        assertThat(o.stateTransitions()).isCloseTo(3 + 3 * 3, within(EXACT));
        double expected = (14 * 0.125 + 502 * 0.625) / 1e6 + 56 * 0.40 / 1e6
                + o.lambdaGbSeconds() * 0.0000133334 + 14 * 0.20 / 1e6 + 12 * 0.025 / 1000;
        assertThat(o.dollars()).isCloseTo(expected, within(EXACT));
        assertThat(o.shareOfDynamoDb()).isCloseTo(expected / e.dynamoDbDollars(), within(EXACT))
                .isLessThan(CostModel.OVERHEAD_GOAL);
        assertThat(e.totalDollars()).isCloseTo(e.dynamoDbDollars() + expected, within(EXACT));
        assertThat(e.warnings()).isEmpty();
        assertThat(e.notes()).anyMatch(note -> note.contains("about every 6 hours"));
    }

    @Test
    void estimate_whenReadsAreEventuallyConsistent_halvesTheReadUnits() {
        TableFacts orders = table("orders", 1_000_000, 1_024_000_000L, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET));
        JobConfig eventual = job("orders").consistentRead(false).build();

        Estimate e = model.estimate(eventual, orders, orders, WriteProfile.of(eventual), FleetProfile.lambda(), US_EAST_1);

        assertThat(e.reads().units()).isCloseTo(255_050 / 2.0, within(EXACT));
        assertThat(e.reads().consistent()).isFalse();
    }

    @Test
    void estimate_whenDryRun_writesNothingAndTheScanSetsThePace() {
        TableFacts orders = new TableFacts("orders", 1000, 1_000_000, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET),
                "STANDARD", List.of(), TableFacts.PointInTimeRecovery.of(false), null, null);
        JobConfig dryRun = job("orders").dryRun(true).build();

        Estimate e = model.estimate(dryRun, orders, orders, WriteProfile.of(dryRun), FleetProfile.lambda(), US_EAST_1);

        assertThat(e.writes().units()).isZero();
        assertThat(e.writes().dollars()).isZero();
        assertThat(e.dynamoDbDollars()).isCloseTo(e.reads().dollars(), within(EXACT));
        // A page of 100 items per 10 ms call for each of 10 workers.
        assertThat(e.duration().bounds()).first().satisfies(b -> assertThat(b.itemsPerSecond()).isCloseTo(100_000, within(EXACT)));
        assertThat(e.warnings()).noneMatch(w -> w.contains("point-in-time recovery"));
        assertThat(e.notes()).anyMatch(n -> n.contains("dry run"));
    }

    @Test
    void estimate_whenProvisionedDestinationHasIndexes_addsTheirUnitsAndTheSlowestIndexSetsThePace() {
        TableFacts source = table("orders", 1000, 1_500_000, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET));
        TableFacts destination = table("orders-v2", 0, 0, Capacity.provisioned(100, 50),
                new IndexFacts("by-tenant", true, List.of("tenant"), "ALL", List.of(), Capacity.provisioned(5, 20)),
                new IndexFacts("by-status", true, List.of("status", "pk"), "KEYS_ONLY", List.of(), Capacity.provisioned(5, 30)),
                new IndexFacts("by-date", false, List.of("pk", "date"), "ALL", List.of(), null));
        JobConfig copy = job("orders").destinationTable("orders-v2").build();

        Estimate e = model.estimate(copy, source, destination, WriteProfile.of(copy), FleetProfile.lambda(), US_EAST_1);

        // 1,500 B items: 2 units in the table, 2 in each ALL index, 1 in the KEYS_ONLY one.
        assertThat(e.writes().tableUnitsPerItem()).isEqualTo(2);
        assertThat(e.writes().indexes()).extracting(Estimate.IndexWrite::index, Estimate.IndexWrite::unitsPerItem)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("by-tenant", 2.0),
                        org.assertj.core.groups.Tuple.tuple("by-status", 1.0),
                        org.assertj.core.groups.Tuple.tuple("by-date", 2.0));
        assertThat(e.writes().units()).isCloseTo(7000, within(EXACT));
        assertThat(e.writes().billing()).isEqualTo("PROVISIONED");
        assertThat(e.writes().dollars()).isCloseTo(7000 / 3600.0 * 0.00065, within(EXACT));
        assertThat(e.writes().onDemandDollars()).isCloseTo(7000 * 0.625 / 1e6, within(EXACT));
        assertThat(e.reads().billing()).isEqualTo("PAY_PER_REQUEST");
        // The table's 50 WCU serve 12.5 items/s (its own 2 units and the local index's 2); by-tenant's 20 serve 10.
        assertThat(e.duration().bounds()).anySatisfy(b -> {
            assertThat(b.limit()).startsWith("write capacity of 'orders-v2'");
            assertThat(b.itemsPerSecond()).isCloseTo(12.5, within(EXACT));
        });
        assertThat(e.duration().limitedBy()).startsWith("write capacity of index 'by-tenant': 20 units/s provisioned");
        assertThat(e.duration().seconds()).isCloseTo(100, within(EXACT));
        assertThat(e.notes()).anyMatch(n -> n.contains("upper bound")).anyMatch(n -> n.contains("provisioned capacity"));
    }

    @Test
    void estimate_whenPointInTimeRecoveryIsOffOnTheTableWritten_warns() {
        TableFacts unprotected = new TableFacts("orders-v2", 0, 0, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET),
                "STANDARD", List.of(), TableFacts.PointInTimeRecovery.of(false), null, null);
        TableFacts source = table("orders", 1000, 1_000_000, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET));
        JobConfig copy = job("orders").destinationTable("orders-v2").build();
        JobConfig back = job("orders-v2").destinationTable("orders").build();

        Estimate intoUnprotected = model.estimate(copy, source, unprotected, WriteProfile.of(copy), FleetProfile.lambda(), US_EAST_1);
        Estimate fromUnprotected = model.estimate(back, unprotected, source, WriteProfile.of(back), FleetProfile.lambda(), US_EAST_1);

        assertThat(intoUnprotected.warnings()).anySatisfy(w -> assertThat(w)
                .startsWith("point-in-time recovery is off on 'orders-v2'").contains("update-continuous-backups"));
        assertThat(fromUnprotected.warnings()).noneMatch(w -> w.contains("point-in-time recovery"));
    }

    @Test
    void estimate_whenTheWriteBudgetIsTheLowestLimit_lastsItemsOverTheBudget() {
        TableFacts orders = table("orders", 10_000, 15_000_000, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET));
        JobConfig budgeted = job("orders").maxWriteUnits(100).build();

        Estimate e = model.estimate(budgeted, orders, orders, WriteProfile.of(budgeted), FleetProfile.lambda(), US_EAST_1);

        // 2 units an item: 50 items/s.
        assertThat(e.duration().limitedBy()).isEqualTo("write budget: 100 units/s");
        assertThat(e.duration().seconds()).isCloseTo(200, within(EXACT));
    }

    @Test
    void estimate_whenFewerSegmentsThanWorkers_limitsTheRateToTheWorkersThatHaveASegment() {
        TableFacts orders = table("orders", 900, 900_000, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET));
        JobConfig limited = job("orders").totalSegments(3).parallelWorkers(10).rateLimit(5).build();

        Estimate e = model.estimate(limited, orders, orders, WriteProfile.of(limited), FleetProfile.lambda(), US_EAST_1);

        assertThat(e.duration().limitedBy()).isEqualTo("rate limit: 5 items/s × 3 workers");
        assertThat(e.duration().seconds()).isCloseTo(60, within(EXACT));
    }

    @Test
    void estimate_whenSegmentsOutlastTheTimeBudgetOnALocalFleet_countsContinuationsAndCheckpoints() {
        TableFacts orders = table("orders", 100_000, 102_400_000, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET));
        JobConfig slow = job("orders").totalSegments(10).parallelWorkers(10).rateLimit(10).build();
        FleetProfile local = FleetProfile.local(Duration.ofSeconds(60), Duration.ofSeconds(15));

        Estimate e = model.estimate(slow, orders, orders, WriteProfile.of(slow), local, US_EAST_1);

        // 100 items/s: 1,000 s, each segment 1,000 s long: 22 continuations of 45 s, 100 checkpoints of 10 s.
        assertThat(e.duration().seconds()).isCloseTo(1000, within(EXACT));
        Estimate.Overhead o = e.overhead();
        assertThat(o.ledgerWriteUnits()).isCloseTo(2 + 10 * 23 + 10 * 100 + 10 * 22 + 2 * 10 + 2 * 10, within(EXACT));
        assertThat(o.ledgerReadUnits()).isCloseTo(1 + 10, within(EXACT));
        assertThat(o.sqsRequests()).isCloseTo(1 + 220 + 2 * 23, within(EXACT));
        assertThat(o.lambdaGbSeconds()).isZero();
        assertThat(o.lambdaDollars()).isZero();
        assertThat(o.stateTransitions()).isZero();
        assertThat(e.fleet()).isEqualTo("LOCAL");
    }

    @Test
    void estimate_whenTheTableIsTiny_warnsThatTheOverheadIsAboveItsGoal() {
        TableFacts orders = table("orders", 10, 10_000, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET));
        JobConfig small = job("orders").build();

        Estimate e = model.estimate(small, orders, orders, WriteProfile.of(small), FleetProfile.lambda(), US_EAST_1);

        assertThat(e.overhead().shareOfDynamoDb()).isGreaterThan(CostModel.OVERHEAD_GOAL);
        assertThat(e.warnings()).anySatisfy(w -> assertThat(w).startsWith("ddb-bulk's own overhead is")
                .contains("above its 3% goal"));
    }

    @Test
    void estimate_whenTheTableIsEmpty_takesNoTimeAndStillPaysForTheEmptyScan() {
        TableFacts empty = table("orders", 0, 0, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET));
        JobConfig job = JobConfig.builder().sourceTable("orders").totalSegments(1).parallelWorkers(1).build();

        Estimate e = model.estimate(job, empty, empty, WriteProfile.of(job), FleetProfile.local(Duration.ofMinutes(15),
                Duration.ofMinutes(1)), US_EAST_1);

        assertThat(e.duration().seconds()).isZero();
        assertThat(e.writes().units()).isZero();
        // One empty scan page still costs half a unit.
        assertThat(e.reads().units()).isCloseTo(0.5, within(EXACT));
        assertThat(e.notes()).anyMatch(n -> n.startsWith("DescribeTable reports no items in 'orders'"));
    }

    @Test
    void estimate_whenTheJobNeedsMoreThanAnOnDemandTablesWarmThroughput_warns() {
        TableFacts cold = new TableFacts("orders", 1_000_000, 1_024_000_000L,
                Capacity.onDemand(Capacity.UNSET, Capacity.UNSET), "STANDARD", List.of(),
                TableFacts.PointInTimeRecovery.of(true), 12_000L, 4_000L);
        JobConfig job = job("orders").build();

        Estimate e = model.estimate(job, cold, cold, WriteProfile.of(job), FleetProfile.lambda(), US_EAST_1);

        // 16,000 writes/s against 4,000 warm write units; 4,080 reads/s are within 12,000.
        assertThat(e.warnings()).singleElement().satisfies(w -> assertThat(w)
                .startsWith("the job's writes need about 16000 units/s of 'orders'").contains("4000 units/s"));
    }

    @Test
    void estimate_whenAnOnDemandTableHasAMaximum_isLimitedByIt() {
        TableFacts capped = table("orders", 100_000, 102_400_000, Capacity.onDemand(Capacity.UNSET, 500));
        JobConfig job = job("orders").build();

        Estimate e = model.estimate(job, capped, capped, WriteProfile.of(job), FleetProfile.lambda(), US_EAST_1);

        assertThat(e.duration().limitedBy()).isEqualTo("write capacity of 'orders': 500 units/s (on-demand maximum)");
        assertThat(e.duration().seconds()).isCloseTo(200, within(EXACT));
    }

    @Test
    void estimate_whenTheTableIsStandardIa_usesThatClassesPrices() {
        TableFacts infrequent = new TableFacts("orders", 1000, 1_024_000, Capacity.onDemand(Capacity.UNSET, Capacity.UNSET),
                "STANDARD_INFREQUENT_ACCESS", List.of(), TableFacts.PointInTimeRecovery.of(true), null, null);
        JobConfig job = job("orders").build();

        Estimate e = model.estimate(job, infrequent, infrequent, WriteProfile.of(job), FleetProfile.lambda(), US_EAST_1);

        assertThat(e.writes().dollars()).isCloseTo(1000 * 0.78125 / 1e6, within(EXACT));
    }

    @Test
    void progressChecks_followTheStateMachinesSchedule() {
        assertThat(CostModel.progressChecks(0)).isEqualTo(1);
        assertThat(CostModel.progressChecks(600)).isEqualTo(20);
        assertThat(CostModel.progressChecks(7200)).isEqualTo(20 + 110);
        assertThat(CostModel.progressChecks(7200 + 3000)).isEqualTo(20 + 110 + 10);
    }
}
