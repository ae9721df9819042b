package dev.ddbbulk.tools.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.tools.output.CountsOutput;
import dev.ddbbulk.tools.output.RunSummary;

/**
 * A {@link RunReport} as one JSON object, for scripts: the summary, the distributions and the slowest segments;
 * the charts' binned series stay in the HTML page.
 */
public final class ReportJson {
    private ReportJson() {
    }

    public static ObjectNode toJson(RunReport report, ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("runId", report.runId());
        node.put("state", report.state());
        node.put("complete", report.complete());
        node.put("totalSegments", report.totalSegments());
        RunReport.SegmentStates states = report.states();
        node.put("segmentsDone", states.done());
        node.put("segmentsNotStarted", states.notStarted());
        node.put("segmentsInProgress", states.inProgress());
        node.put("segmentsFailed", states.failed());
        node.put("segmentsDeadLettered", states.deadLettered());
        node.put("segmentsExpired", states.expired());
        CountsOutput.putJson(node, report.counts());
        node.put("segmentsSplit", report.splits().segmentsSplit());
        node.put("rangesCreated", report.splits().rangesMade());
        node.put("rangesCompleted", report.splits().rangesDone());
        node.put("continuations", report.continuations());
        node.put("retries", report.retries());
        putDistribution(node.putObject("itemsPerSegment"), report.items());
        putDistribution(node.putObject("durationMsPerSegment"), report.durationsMs());
        var slowest = node.putArray("slowestSegments");
        for (RunReport.SegmentLine line : report.slowest()) {
            slowest.addObject().put("segment", line.segment()).put("items", line.items())
                    .put("durationMs", line.durationMs()).put("running", line.running())
                    .put("continuations", line.continuations()).put("retries", line.retries())
                    .put("ranges", line.ranges());
        }
        RunSummary.putSegments(node.putArray("deadLetteredSegments"), report.deadLettered());
        RunSummary.putSegments(node.putArray("failedSegments"), report.failed());
        return node;
    }

    private static void putDistribution(ObjectNode node, Distribution d) {
        node.put("count", d.count()).put("min", d.min()).put("p50", d.p50()).put("p90", d.p90())
                .put("p99", d.p99()).put("max", d.max());
    }
}
