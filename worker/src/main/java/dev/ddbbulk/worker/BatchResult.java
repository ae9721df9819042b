package dev.ddbbulk.worker;

import dev.ddbbulk.core.ledger.Counts;
import java.util.List;
import java.util.Map;

/**
 * What the worker did with one batch of messages: the ids to report as batch item failures, each
 * message's outcome, and the items handled in this invocation (for live progress; the ledger has the truth).
 */
public record BatchResult(List<String> failedMessageIds, Map<String, SegmentOutcome> outcomes, Counts counts) {
    public long count(SegmentOutcome outcome) {
        return outcomes.values().stream().filter(outcome::equals).count();
    }
}
