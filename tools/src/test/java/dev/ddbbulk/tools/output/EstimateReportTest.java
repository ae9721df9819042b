package dev.ddbbulk.tools.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.SegmentChoice;
import dev.ddbbulk.tools.estimate.Capacity;
import dev.ddbbulk.tools.estimate.CostModel;
import dev.ddbbulk.tools.estimate.Estimate;
import dev.ddbbulk.tools.estimate.FleetProfile;
import dev.ddbbulk.tools.estimate.IndexFacts;
import dev.ddbbulk.tools.estimate.Prices;
import dev.ddbbulk.tools.estimate.TableFacts;
import dev.ddbbulk.tools.estimate.WriteProfile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class EstimateReportTest {
    private static final JobConfig COPY = JobConfig.builder().sourceTable("orders").destinationTable("orders-v2")
            .totalSegments(100).parallelWorkers(10).build();

    private static Estimate copyIntoProvisionedTable() {
        TableFacts source = new TableFacts("orders", 2_000_000, 3_000_000_000L,
                Capacity.onDemand(Capacity.UNSET, Capacity.UNSET), "STANDARD", List.of(),
                TableFacts.PointInTimeRecovery.of(true), null, null);
        TableFacts destination = new TableFacts("orders-v2", 0, 0, Capacity.provisioned(1000, 4000), "STANDARD",
                List.of(new IndexFacts("by-tenant", true, List.of("tenant"), "KEYS_ONLY", List.of(),
                        Capacity.provisioned(100, 4000))),
                TableFacts.PointInTimeRecovery.of(false), null, null);
        return new CostModel().estimate(COPY, source, destination, WriteProfile.of(COPY), FleetProfile.lambda(),
                Prices.builtIn().forRegion("us-east-1"));
    }

    @Test
    void printText_whenACopyWritesAnIndex_showsTablesUnitsDollarsPaceOverheadAndWarnings() {
        StringWriter text = new StringWriter();

        EstimateReport.printText(copyIntoProvisionedTable(), new PrintWriter(text));

        assertThat(text.toString())
                .contains("Estimate: copy of 'orders' into 'orders-v2', BatchWriteItem puts of whole items; 100 segments,"
                        + " 10 workers on the deployed stack's Lambda fleet")
                .contains("Prices of us-east-1 as of ")
                .containsPattern("orders\\s+2,000,000\\s+2\\.8 GB\\s+1\\.5 KB\\s+on-demand")
                .containsPattern("orders-v2\\s+0\\s+0 B\\s+0 B\\s+provisioned 1000 RCU / 4000 WCU")
                .containsPattern("writes\\s+6,000,000\\s+3\\s")
                .containsPattern("index 'by-tenant'\\s+1\\s+\\(global, 1 write an item\\)")
                .contains("duration  about ")
                .contains("limited by write capacity of 'orders-v2': 4000 units/s provisioned")
                .contains("Step Functions")
                .contains("warning: point-in-time recovery is off on 'orders-v2'")
                .contains("note: item count and size come from DescribeTable");
    }

    @Test
    void printBrief_whenACopyWritesAnIndex_fitsInAFewLinesWithTheWarnings() {
        StringWriter text = new StringWriter();

        EstimateReport.printBrief(copyIntoProvisionedTable(), new PrintWriter(text));

        List<String> lines = text.toString().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("Estimate (DescribeTable figures, updated about every 6 hours; prices of"
                + " us-east-1 as of ");
        // 732,422 units of data and half a unit for each of 20,100 pages; 2 + 1 write units an item.
        assertThat(lines.get(1)).isEqualTo("  2,000,000 items, 2.8 GB: 742,472 read units, 6,000,000 write units"
                + " (indexes by-tenant); DynamoDB $1.18 (reads on-demand, writes provisioned)");
        assertThat(lines.get(2)).startsWith("  about 17 min at 2,000 items/s (write capacity of 'orders-v2': 4000"
                + " units/s provisioned); ddb-bulk's overhead $0.1367 = 11.");
        assertThat(lines.get(3)).startsWith("  warning: point-in-time recovery is off on 'orders-v2'");
        // Ten Lambda workers wait on 4,000 write units for 17 minutes.
        assertThat(lines.get(4)).startsWith("  warning: ddb-bulk's own overhead is 11.")
                .contains("the pace is set by the write capacity of 'orders-v2'");
    }

    @Test
    void printBrief_whenGivenTheSegmentsChoice_showsItSecond() {
        StringWriter text = new StringWriter();

        EstimateReport.printBrief(copyIntoProvisionedTable(), SegmentChoice.given(100), new PrintWriter(text));

        List<String> lines = text.toString().lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(1)).isEqualTo("  TotalSegments: 100");
        assertThat(lines.get(2)).startsWith("  2,000,000 items, 2.8 GB: ");
    }

    @Test
    void segmentsLine_whenSized_showsTheFiguresAndASegmentsTime() {
        SegmentChoice choice = new SegmentChoice(105, SegmentChoice.Basis.SIZED, 50_000_000, 12_992_216_269L, 1600,
                "a worker's modelled pace on AWS");

        assertThat(EstimateReport.segmentsLine(choice)).isEqualTo("TotalSegments: auto -> 105 (50,000,000 items,"
                + " 12.1 GB; about 5 min a segment at 1,600 items/s a worker, a worker's modelled pace on AWS)");
    }

    @Test
    void segmentsLine_whenGivenRecordedUncountedOrEmpty_saysWhereTheNumberCameFrom() {
        assertThat(EstimateReport.segmentsLine(SegmentChoice.given(1000))).isEqualTo("TotalSegments: 1000");
        assertThat(EstimateReport.segmentsLine(SegmentChoice.recorded(7)))
                .isEqualTo("TotalSegments: auto -> 7 (the number the run was started with)");
        assertThat(EstimateReport.segmentsLine(new SegmentChoice(1000, SegmentChoice.Basis.UNCOUNTED, 0, 0, 1600, "x")))
                .startsWith("TotalSegments: auto -> 1,000 (the source's DescribeTable figures read 0, but it holds"
                        + " items: DynamoDB refreshes them about every 6 hours;");
        assertThat(EstimateReport.segmentsLine(new SegmentChoice(10, SegmentChoice.Basis.SIZED, 0, 0, 1600, "x")))
                .isEqualTo("TotalSegments: auto -> 10 (the source is empty: a segment a worker)");
    }

    @Test
    void toJson_whenWritten_namesEveryFigureAsTheRecordsDo() {
        ObjectNode json = EstimateReport.toJson(copyIntoProvisionedTable(), new ObjectMapper());

        assertThat(json.get("items").asLong()).isEqualTo(2_000_000);
        assertThat(json.get("writes").get("units").asDouble()).isEqualTo(6_000_000);
        assertThat(json.get("writes").get("indexes").get(0).get("index").asText()).isEqualTo("by-tenant");
        assertThat(json.get("destination").get("capacity").get("mode").asText()).isEqualTo("PROVISIONED");
        assertThat(json.get("destination").get("pointInTimeRecovery").get("status").asText()).isEqualTo("DISABLED");
        assertThat(json.get("overhead").get("goal").asDouble()).isEqualTo(0.03);
        assertThat(json.get("prices").get("pricedAs").asText()).isEqualTo("us-east-1");
        assertThat(json.get("duration").get("limitedBy").asText()).startsWith("write capacity of 'orders-v2'");
    }

    @Test
    void money_whenSmallOrLarge_showsCentsOrHundredthsOfACent() {
        assertThat(EstimateReport.money(0)).isEqualTo("$0");
        assertThat(EstimateReport.money(0.00001)).isEqualTo("<$0.0001");
        assertThat(EstimateReport.money(0.01234)).isEqualTo("$0.0123");
        assertThat(EstimateReport.money(1234.5)).isEqualTo("$1,234.50");
    }

    @Test
    void bytesAndDuration_whenFormatted_useTheLargestFittingUnit() {
        assertThat(EstimateReport.bytes(999)).isEqualTo("999 B");
        assertThat(EstimateReport.bytes(1536)).isEqualTo("1.5 KB");
        assertThat(EstimateReport.bytes(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GB");
        assertThat(EstimateReport.duration(0.2)).isEqualTo("1 s");
        assertThat(EstimateReport.duration(600)).isEqualTo("10 min");
        assertThat(EstimateReport.duration(3 * 3600)).isEqualTo("3.0 h");
        assertThat(EstimateReport.duration(5 * 86400)).isEqualTo("5.0 days");
    }
}
