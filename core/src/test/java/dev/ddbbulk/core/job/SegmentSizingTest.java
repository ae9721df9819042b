package dev.ddbbulk.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class SegmentSizingTest {
    private static final long KB = 1024;

    private static JobConfig.Builder job() {
        return JobConfig.builder().sourceTable("orders");
    }

    @Test
    void segments_whenTableIsEmpty_givesOneSegmentAWorker() {
        assertThat(SegmentSizing.segments(0, 0, 1600, 10, 100)).isEqualTo(10);
        assertThat(SegmentSizing.segments(0, 0, 1600, 1, 100)).isEqualTo(1);
    }

    @Test
    void segments_whenTableIsSmallerThanAPageAWorker_givesOneSegmentAWorker() {
        // 500 items are 5 pages: the fleet's ten workers get one segment each, not forty.
        assertThat(SegmentSizing.segments(500, 500 * KB, 1600, 10, 100)).isEqualTo(10);
    }

    @Test
    void segments_whenTableHasFewPagesMoreThanWorkers_givesOneSegmentAPage() {
        assertThat(SegmentSizing.segments(2_500, 2_500 * KB, 1600, 10, 100)).isEqualTo(25);
    }

    @Test
    void segments_whenSegmentsWouldBeShort_keepsFourAWorker() {
        // 1,000,000 items at 1,600 items/s are 3 segments of 5 minutes; 10 workers want 40.
        assertThat(SegmentSizing.segments(1_000_000, 1_000_000 * KB, 1600, 10, 100)).isEqualTo(40);
    }

    @Test
    void segments_whenTableIsLarge_makesSegmentsOfAtMostFiveMinutes() {
        long items = 50_000_000;
        int segments = SegmentSizing.segments(items, items * KB, 1600, 10, 100);

        // 1,600 items/s × 300 s = 480,000 items a segment at most.
        assertThat(segments).isEqualTo(105);
        assertThat((double) items / segments / 1600).isLessThanOrEqualTo(300);
    }

    @Test
    void segments_whenRateLimited_makesMoreSegments() {
        long items = 10_000_000;
        JobConfig limited = job().rateLimit(50).build();
        SegmentSizing.WorkerRate rate = SegmentSizing.workerRate(limited, items, items * KB);

        assertThat(rate.itemsPerSecond()).isEqualTo(50);
        assertThat(rate.setBy()).isEqualTo("RateLimiter");
        // 50 items/s × 300 s = 15,000 items a segment.
        assertThat(SegmentSizing.segments(items, items * KB, rate.itemsPerSecond(), 10, 100)).isEqualTo(667);
    }

    @Test
    void workerRate_whenWriteBudgetGiven_takesTheWorkersShareOverUnitsPerItem() {
        // 2,000 units/s over 10 workers, 3 KB items at 3 units each: about 66.7 items/s a worker.
        JobConfig budgeted = job().maxWriteUnits(2000).build();

        SegmentSizing.WorkerRate rate = SegmentSizing.workerRate(budgeted, 1_000_000, 3_000_000 * KB);

        assertThat(rate.itemsPerSecond()).isCloseTo(200.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(rate.setBy()).contains("MaxWriteUnits");
        assertThat(SegmentSizing.segments(1_000_000, 3_000_000 * KB, rate.itemsPerSecond(), 10, 100)).isEqualTo(50);
    }

    @Test
    void workerRate_whenDryRun_ignoresTheWriteBudget() {
        JobConfig dryRun = job().dryRun(true).maxWriteUnits(10).build();

        SegmentSizing.WorkerRate rate = SegmentSizing.workerRate(dryRun, 1_000, 1_000 * KB);

        assertThat(rate.itemsPerSecond()).isEqualTo(10_000);
        assertThat(rate.setBy()).contains("modelled");
    }

    @Test
    void workerRate_whenReadBudgetGiven_takesTheWorkersShareOverUnitsPerItem() {
        // 100 units/s over 10 workers, 8 KB items read consistently at 2 units each: 5 items/s a worker.
        JobConfig budgeted = job().maxReadUnits(100).build();

        assertThat(SegmentSizing.workerRate(budgeted, 1_000, 8_000 * KB).itemsPerSecond()).isEqualTo(5);
    }

    @Test
    void workerRate_whenNothingLimits_isTheEstimatesModelledPace() {
        // 16 writes in flight at 10 ms a call.
        assertThat(SegmentSizing.workerRate(job().build(), 1_000, 1_000 * KB).itemsPerSecond()).isEqualTo(1600);
        assertThat(SegmentSizing.workerRate(job().rateLimit(5000).build(), 1_000, 0).itemsPerSecond()).isEqualTo(1600);
    }

    @Test
    void segments_whenTableIsHuge_isCappedAtAMillion() {
        long items = 100_000_000_000L;

        assertThat(SegmentSizing.segments(items, items * KB, 10, 10, 100)).isEqualTo(JobConfig.MAX_SEGMENTS);
    }

    @Test
    void segments_whenManyWorkers_givesFourEach() {
        assertThat(SegmentSizing.segments(100_000_000, 100_000_000 * KB, 1600, 1000, 100)).isEqualTo(4000);
    }

    @Test
    void segments_whenAPageTakesLongerThanASegmentShould_givesOneSegmentAPage() {
        // 1 item/s reads a 100-item page in 100 s, but the table has only 50 pages.
        assertThat(SegmentSizing.segments(5_000, 5_000 * KB, 0.01, 10, 100)).isEqualTo(50);
    }

    @Test
    void segments_whenItemsAreLarge_countsPagesOfAMegabyte() {
        // 2,000 items of 100 KB: 20 pages of 100 items, but 196 pages of 1 MB; at 0.01 items/s every page is a segment.
        assertThat(SegmentSizing.segments(2_000, 2_000 * 100 * KB, 0.01, 10, 100)).isEqualTo(196);
    }

    @Test
    void segments_whenItemCountReadsZeroButSizeDoesNot_countsSmallItems() {
        // 100 MB at 100 bytes an item is 1,048,576 items: 3,000 items a segment at 10 items/s.
        assertThat(SegmentSizing.segments(0, 100 * KB * KB, 10, 10, 100)).isEqualTo(350);
    }

    @Test
    void segments_whenRateIsNotPositive_throws() {
        assertThatThrownBy(() -> SegmentSizing.segments(10, 10, 0, 1, 100)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void segments_alwaysWithinLimitsAndEnoughForTheFleet(@ForAll @LongRange(max = 1_000_000_000_000L) long items,
                                                         @ForAll @IntRange(min = 1, max = 4096) int itemBytes,
                                                         @ForAll @DoubleRange(min = 0.01, max = 100_000) double rate,
                                                         @ForAll @IntRange(min = 1, max = 10_000) int workers,
                                                         @ForAll @IntRange(min = 1, max = 10_000) int pageSize) {
        int segments = SegmentSizing.segments(items, items * itemBytes, rate, workers, pageSize);

        assertThat(segments).isBetween(Math.min(workers, JobConfig.MAX_SEGMENTS), JobConfig.MAX_SEGMENTS);
        long pages = Math.max((items + pageSize - 1) / pageSize, (items * itemBytes + (1 << 20) - 1) >> 20);
        assertThat((long) segments).isLessThanOrEqualTo(Math.max(pages, workers));
        if (segments < JobConfig.MAX_SEGMENTS && segments < pages) {
            assertThat((double) items / segments / rate).isLessThanOrEqualTo(300 * (1 + 1e-9));
        }
    }
}
