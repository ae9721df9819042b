package dev.ddbbulk.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.RunProgress;
import dev.ddbbulk.tools.output.CountsOutput;
import dev.ddbbulk.tools.output.RunSummary;
import dev.ddbbulk.tools.stack.ExecutionFollower;
import java.io.PrintWriter;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * A run's state at one moment, from the ledger, the DLQ and (on a stack) its execution: what
 * {@code ddb-bulk status} prints.
 *
 * @param execution   the execution's status, error and cause; null without a stack
 * @param dlqMessages null when no DLQ was given
 * @param elapsedMs   from the run's creation to now, or to its end when it has ended
 */
record RunStatus(RunProgress progress, Execution execution, Long dlqMessages, String dlqUrl, long elapsedMs) {

    /** A state machine execution as Step Functions reports it. */
    record Execution(String arn, String status, String error, String cause) {
    }

    boolean complete() {
        return progress.run().complete();
    }

    double itemsPerSecond() {
        return elapsedMs <= 0 ? 0 : progress.counts().scanned() * 1000.0 / elapsedMs;
    }

    /** Seconds left at the segment rate so far: 0 when complete, null when unknown or the run has stopped. */
    Long etaSeconds() {
        if (complete()) {
            return 0L;
        }
        long done = progress.segmentsCompleted();
        if (done == 0 || (execution != null && ExecutionFollower.ended(ExecutionStatus.fromValue(execution.status())))) {
            return null;
        }
        return Math.round((progress.totalSegments() - done) * (elapsedMs / 1000.0) / done);
    }

    String state() {
        if (execution != null) {
            return execution.status();
        }
        return complete() ? "COMPLETE" : progress.settled() ? "FAILED" : "INCOMPLETE";
    }

    ObjectNode toJson(ObjectMapper json) {
        Counts counts = progress.counts();
        ObjectNode node = json.createObjectNode();
        node.put("runId", progress.run().runId());
        node.put("state", state());
        node.put("complete", complete());
        if (execution != null) {
            node.put("executionArn", execution.arn());
            node.put("executionStatus", execution.status());
            if (execution.error() != null) {
                node.put("error", execution.error());
                node.put("cause", execution.cause());
            }
        }
        node.put("segmentsCompleted", progress.segmentsCompleted());
        node.put("totalSegments", progress.totalSegments());
        node.put("segmentsInProgress", progress.segmentsInProgress());
        node.put("segmentsFailed", progress.failedSegments().size());
        node.put("segmentsDeadLettered", progress.deadLetteredSegments().size());
        CountsOutput.putJson(node, counts);
        node.put("continuations", progress.continuations());
        node.put("rangesCreated", progress.run().rangesCreated());
        node.put("rangesCompleted", progress.run().rangesCompleted());
        node.put("elapsedMs", elapsedMs);
        node.put("itemsPerSecond", Math.round(itemsPerSecond()));
        Long eta = etaSeconds();
        if (eta == null) {
            node.putNull("etaSeconds");
        } else {
            node.put("etaSeconds", eta);
        }
        if (dlqMessages == null) {
            node.putNull("dlqMessages");
        } else {
            node.put("dlqMessages", dlqMessages);
        }
        RunSummary.putSegments(node.putArray("deadLetteredSegments"), progress.deadLetteredSegments());
        RunSummary.putSegments(node.putArray("failedSegments"), progress.failedSegments());
        return node;
    }

    void printText(PrintWriter out) {
        Counts counts = progress.counts();
        out.printf("Run %s: %s%n", progress.run().runId(), state());
        out.printf("  segments   %d / %d completed, %d in progress, %d failed, %d dead-lettered, %d continuations%n",
                progress.segmentsCompleted(), progress.totalSegments(), progress.segmentsInProgress(),
                progress.failedSegments().size(), progress.deadLetteredSegments().size(), progress.continuations());
        RunSummary.printRanges(out, progress.run().rangesCompleted(), progress.run().rangesCreated());
        CountsOutput.printText(out, counts);
        Long eta = etaSeconds();
        out.printf("  rate       %.0f items/s over %s, ETA %s%n", itemsPerSecond(), duration(elapsedMs / 1000),
                eta == null ? "--" : duration(eta));
        if (dlqMessages == null) {
            out.println("  DLQ        not checked (give --dlq-url)");
        } else {
            out.printf("  DLQ        %d message(s)%s%n", dlqMessages, dlqMessages > 0 ? " in " + dlqUrl : "");
        }
        RunSummary.printSegments(out, "DEAD", progress.deadLetteredSegments());
        RunSummary.printSegments(out, "FAILED", progress.failedSegments());
        if (execution != null && execution.error() != null) {
            out.printf("  execution  %s: %s%n", execution.error(), execution.cause());
        }
        out.flush();
    }

    static String duration(long seconds) {
        return seconds >= 3600 ? String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60)
                : String.format("%dm%02ds", seconds / 60, seconds % 60);
    }
}
