package dev.ddbbulk.worker.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.worker.SegmentOutcome;
import dev.ddbbulk.worker.SegmentReport;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Locale;

/**
 * Writes one JSON object a line for each segment delivery: run, segment, outcome, counts, throttles, duration
 * and error. Written to stdout rather than through the Lambda logger: with the function's JSON log format, the
 * Lambda logger would wrap the line as a string in its own record, while a line that is itself a JSON object
 * stays one, so CloudWatch Logs Insights sees its fields. Its {@code level} is the one Lambda filters on.
 */
public final class OutcomeLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final Clock clock;

    public OutcomeLog(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    public void write(SegmentReport report) {
        out.println(line(report));
    }

    String line(SegmentReport report) {
        boolean deadLettered = report.deadLettered();
        String outcome = deadLettered ? "dead-lettered" : outcomeName(report.outcome());
        ObjectNode line = JSON.createObjectNode();
        line.put("timestamp", clock.instant().toString());
        line.put("level", deadLettered ? "ERROR" : report.outcome() == SegmentOutcome.FAILED ? "WARN" : "INFO");
        line.put("message", report.runId() == null ? "Message " + report.messageId() + " " + outcome
                : (report.range() > 0 ? "Range " + report.range() + " of segment " : "Segment ")
                        + report.segment() + " of run " + report.runId() + " " + outcome);
        line.put("outcome", outcome);
        line.put("runId", report.runId());
        line.put("segment", report.segment());
        if (report.range() > 0) {
            line.put("range", report.range());
        }
        line.put("continuation", report.continuation());
        line.put("messageId", report.messageId());
        line.put("receiveCount", report.receiveCount());
        line.put("itemsScanned", report.counts().scanned());
        line.put("itemsWritten", report.counts().written());
        line.put("itemsDeleted", report.counts().deleted());
        line.put("itemsSkipped", report.counts().skipped());
        line.put("conditionalCheckFailures", report.counts().conditionalFailures());
        line.put("itemsAlreadyApplied", report.counts().alreadyApplied());
        line.put("throttles", report.throttles());
        line.put("durationMs", report.duration().toMillis());
        line.put("error", report.error());
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** completed, continued, already-done, duplicate-in-flight or failed. */
    static String outcomeName(SegmentOutcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
