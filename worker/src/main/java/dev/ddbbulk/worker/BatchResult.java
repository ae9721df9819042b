package dev.ddbbulk.worker;

import dev.ddbbulk.core.ledger.Counts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the worker did with one batch of messages: a report for each message taken, in the order taken. From
 * them: the ids to report as batch item failures, and the items handled in this invocation (for live progress
 * and metrics; the ledger has the truth).
 */
public record BatchResult(List<SegmentReport> segments) {
    public BatchResult {
        segments = List.copyOf(segments);
    }

    public List<String> failedMessageIds() {
        return segments.stream().filter(s -> s.outcome() == SegmentOutcome.FAILED).map(SegmentReport::messageId)
                .toList();
    }

    /** Each message's outcome by message id. */
    public Map<String, SegmentOutcome> outcomes() {
        Map<String, SegmentOutcome> outcomes = new LinkedHashMap<>();
        segments.forEach(s -> outcomes.put(s.messageId(), s.outcome()));
        return outcomes;
    }

    public Counts counts() {
        return segments.stream().map(SegmentReport::counts).reduce(Counts.ZERO, Counts::plus);
    }

    public long count(SegmentOutcome outcome) {
        return segments.stream().filter(s -> s.outcome() == outcome).count();
    }
}
