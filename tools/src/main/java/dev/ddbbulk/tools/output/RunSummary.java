package dev.ddbbulk.tools.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.ledger.Counts;
import dev.ddbbulk.core.ledger.RunProgress;
import dev.ddbbulk.core.ledger.SegmentRecord;
import java.io.PrintWriter;
import java.util.List;

/**
 * The end of a run as its ledger records tell it, with the depth of the DLQ (which other runs may share) for
 * reference. {@code verified} is null when nothing was verified (a {@code run} against existing tables).
 *
 * @param failedSegments       segments whose last delivery failed, still to be delivered again
 * @param deadLetteredSegments segments that failed on their last receive and went to the DLQ
 */
public record RunSummary(String runId, boolean dryRun, int totalSegments, long segmentsCompleted, Counts counts, long continuations,
                  long dlqMessages, List<SegmentRecord> failedSegments, List<SegmentRecord> deadLetteredSegments,
                  long elapsedMs, Boolean verified, String verificationProblem, String dlqUrl, long rangesCreated,
                  long rangesCompleted) {

    public static RunSummary of(RunProgress progress, long dlqMessages, long elapsedMs, Boolean verified,
                         String verificationProblem, String dlqUrl) {
        return new RunSummary(progress.run().runId(), progress.run().job().dryRun(), progress.totalSegments(), progress.segmentsCompleted(),
                progress.counts(), progress.continuations(), dlqMessages, progress.failedSegments(),
                progress.deadLetteredSegments(), elapsedMs, verified, verificationProblem, dlqUrl,
                progress.run().rangesCreated(), progress.run().rangesCompleted());
    }

    /** This summary with the demo's verification result: {@code problem} null means verified. */
    public RunSummary withVerification(String problem) {
        return new RunSummary(runId, dryRun, totalSegments, segmentsCompleted, counts, continuations, dlqMessages,
                failedSegments, deadLetteredSegments, elapsedMs, problem == null, problem, dlqUrl, rangesCreated,
                rangesCompleted);
    }

    boolean complete() {
        return segmentsCompleted == totalSegments;
    }

    /** The run's verdict is its ledger's: every segment done, whatever other runs left in a shared DLQ. */
    public int exitCode() {
        if (!complete()) {
            return ExitCodes.SEGMENTS_FAILED;
        }
        if (Boolean.FALSE.equals(verified)) {
            return ExitCodes.VERIFICATION_FAILED;
        }
        return ExitCodes.OK;
    }

    double itemsPerSecond() {
        return elapsedMs == 0 ? 0 : counts.scanned() * 1000.0 / elapsedMs;
    }

    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("runId", runId);
        node.put("status", exitCode() == ExitCodes.OK ? "SUCCEEDED" : exitCode() == ExitCodes.SEGMENTS_FAILED
                ? "SEGMENTS_FAILED" : "VERIFICATION_FAILED");
        node.put("dryRun", dryRun);
        CountsOutput.putJson(node, counts);
        node.put("segmentsCompleted", segmentsCompleted);
        node.put("totalSegments", totalSegments);
        node.put("continuations", continuations);
        node.put("rangesCreated", rangesCreated);
        node.put("rangesCompleted", rangesCompleted);
        node.put("dlqMessages", dlqMessages);
        node.put("segmentsDeadLettered", deadLetteredSegments.size());
        putSegments(node.putArray("deadLetteredSegments"), deadLetteredSegments);
        putSegments(node.putArray("failedSegments"), failedSegments);
        node.put("elapsedMs", elapsedMs);
        node.put("itemsPerSecond", Math.round(itemsPerSecond()));
        if (verified != null) {
            node.put("verified", verified);
            if (verificationProblem != null) {
                node.put("verificationProblem", verificationProblem);
            }
        }
        return node;
    }

    /** Each segment's number, attempts, items scanned and last error, for the JSON outputs. */
    public static void putSegments(ArrayNode array, List<SegmentRecord> segments) {
        for (SegmentRecord s : segments) {
            var row = array.addObject().put("segment", s.segment());
            if (s.isRange()) {
                row.put("range", s.range());
            }
            row.put("attempts", s.attempts()).put("itemsScanned", s.counts().scanned()).put("lastError", s.lastError());
        }
    }

    /** The ranges split off the run's large item collections and how many are done; nothing when none were. */
    public static void printRanges(PrintWriter out, long completed, long created) {
        if (created > 0) {
            out.printf("  ranges     %d / %d split off large item collections completed%n", completed, created);
        }
    }

    /** Each segment on its own line, after a label saying what became of it, for the text outputs. */
    public static void printSegments(PrintWriter out, String label, List<SegmentRecord> segments) {
        for (SegmentRecord s : segments) {
            out.printf("  %-10s %s after %d attempt(s): %s%n", label, s.describe(), s.attempts(), s.lastError());
        }
    }

    /**
     * Prints the summary: as text on {@code out}, or with {@code json} as exactly one JSON object on
     * {@code out} and the text on {@code err}.
     *
     * @return the exit code the summary stands for
     */
    public int print(PrintWriter out, PrintWriter err, boolean json) {
        if (json) {
            printText(err);
            ObjectMapper mapper = new ObjectMapper();
            try {
                out.println(mapper.writeValueAsString(toJson(mapper)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("Cannot print the summary of run " + runId, e);
            }
            out.flush();
        } else {
            printText(out);
        }
        return exitCode();
    }

    public void printText(PrintWriter out) {
        out.printf("Run %s: %s%n", runId, complete() ? "all segments completed"
                : (totalSegments - segmentsCompleted) + " of " + totalSegments + " segments did not complete"
                + (deadLetteredSegments.isEmpty() ? "" : ", " + deadLetteredSegments.size() + " dead-lettered"));
        if (dryRun) {
            out.println("  DRY RUN    nothing was written; 'written' and 'deleted' count what a real run would write");
        }
        out.printf("  segments   %d / %d completed, %d continuations%n", segmentsCompleted, totalSegments, continuations);
        printRanges(out, rangesCompleted, rangesCreated);
        CountsOutput.printText(out, counts);
        out.printf("  time       %.1f s, %.0f items/s%n", elapsedMs / 1000.0, itemsPerSecond());
        out.printf("  DLQ        %d message(s)%s%n", dlqMessages, dlqMessages > 0 && dlqUrl != null ? " in " + dlqUrl : "");
        printSegments(out, "DEAD", deadLetteredSegments);
        printSegments(out, "FAILED", failedSegments);
        if (verified != null) {
            out.printf("  verified   %s%s%n", verified, verificationProblem == null ? "" : " (" + verificationProblem + ")");
        }
        out.flush();
    }
}
