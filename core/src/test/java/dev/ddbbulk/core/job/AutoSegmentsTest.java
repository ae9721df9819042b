package dev.ddbbulk.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

class AutoSegmentsTest {
    private static final JobConfig JOB = JobConfig.builder().sourceTable("orders").build();

    /** DescribeTable with the given figures; a Scan that finds {@code scanned} items. */
    private static final class FiguresDynamoDb implements DynamoDbClient {
        final long items;
        final long bytes;
        final int scanned;
        final AtomicInteger calls = new AtomicInteger();

        FiguresDynamoDb(long items, long bytes, int scanned) {
            this.items = items;
            this.bytes = bytes;
            this.scanned = scanned;
        }

        @Override
        public DescribeTableResponse describeTable(Consumer<DescribeTableRequest.Builder> request) {
            calls.incrementAndGet();
            return DescribeTableResponse.builder().table(t -> t.tableName("orders").itemCount(items)
                    .tableSizeBytes(bytes)).build();
        }

        @Override
        public ScanResponse scan(Consumer<ScanRequest.Builder> request) {
            calls.incrementAndGet();
            List<Map<String, AttributeValue>> found = scanned == 0 ? List.of()
                    : List.of(Map.of("pk", AttributeValue.fromS("a")));
            return ScanResponse.builder().items(found).count(found.size()).build();
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void choose_whenANumberIsGiven_keepsItWithoutAskingDynamoDb() {
        FiguresDynamoDb dynamoDb = new FiguresDynamoDb(50_000_000, 50_000_000_000L, 1);

        SegmentChoice choice = new AutoSegments(dynamoDb).choose(SegmentCount.of(64), JOB, Optional.empty());

        assertThat(choice.segments()).isEqualTo(64);
        assertThat(choice.basis()).isEqualTo(SegmentChoice.Basis.GIVEN);
        assertThat(dynamoDb.calls).hasValue(0);
    }

    @Test
    void choose_whenAutoForAnExistingRun_keepsTheRecordedNumberWithoutAskingDynamoDb() {
        FiguresDynamoDb dynamoDb = new FiguresDynamoDb(50_000_000, 50_000_000_000L, 1);
        JobConfig recorded = JOB.toBuilder().totalSegments(7).build();

        SegmentChoice choice = new AutoSegments(dynamoDb).choose(SegmentCount.AUTO, JOB, Optional.of(recorded));

        assertThat(choice.segments()).isEqualTo(7);
        assertThat(choice.basis()).isEqualTo(SegmentChoice.Basis.RECORDED);
        assertThat(choice.applyTo(JOB).totalSegments()).isEqualTo(7);
        assertThat(dynamoDb.calls).hasValue(0);
    }

    @Test
    void choose_whenAutoForANewRun_sizesFromTheTablesFigures() {
        SegmentChoice choice = new AutoSegments(new FiguresDynamoDb(50_000_000, 50_000_000_000L, 1))
                .choose(SegmentCount.AUTO, JOB, Optional.empty());

        assertThat(choice.basis()).isEqualTo(SegmentChoice.Basis.SIZED);
        assertThat(choice.segments()).isEqualTo(SegmentSizing.segments(50_000_000, 50_000_000_000L, 1600, 10, 100));
        assertThat(choice.itemCount()).isEqualTo(50_000_000);
        assertThat(choice.workerItemsPerSecond()).isEqualTo(1600);
        assertThat(choice.segmentSeconds()).isLessThanOrEqualTo(300);
    }

    @Test
    void size_whenFiguresReadZeroButTheTableHoldsItems_takesTheDefault() {
        SegmentChoice choice = new AutoSegments(new FiguresDynamoDb(0, 0, 1)).size(JOB);

        assertThat(choice.basis()).isEqualTo(SegmentChoice.Basis.UNCOUNTED);
        assertThat(choice.segments()).isEqualTo(JobConfig.DEFAULT_SEGMENTS);
    }

    @Test
    void size_whenFiguresReadZeroForAFleetOfMoreThanTheDefaultOverFour_givesFourSegmentsAWorker() {
        SegmentChoice choice = new AutoSegments(new FiguresDynamoDb(0, 0, 1))
                .size(JOB.toBuilder().parallelWorkers(1000).build());

        assertThat(choice.segments()).isEqualTo(4000);
    }

    @Test
    void size_whenTheTableIsEmpty_givesOneSegmentAWorker() {
        SegmentChoice choice = new AutoSegments(new FiguresDynamoDb(0, 0, 0)).size(JOB);

        assertThat(choice.basis()).isEqualTo(SegmentChoice.Basis.SIZED);
        assertThat(choice.segments()).isEqualTo(10);
    }
}
