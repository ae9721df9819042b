package dev.ddbbulk.tools.output;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ddbbulk.core.ledger.Counts;
import java.io.PrintWriter;

/**
 * A run's item counts as the run summary ({@code run}, {@code demo}, {@code start --wait}) and {@code status}
 * print them, in text and JSON alike.
 */
public final class CountsOutput {
    private CountsOutput() {
    }

    public static void putJson(ObjectNode node, Counts counts) {
        node.put("itemsScanned", counts.scanned());
        node.put("itemsWritten", counts.written());
        node.put("itemsDeleted", counts.deleted());
        node.put("itemsSkipped", counts.skipped());
        node.put("conditionalCheckFailures", counts.conditionalFailures());
        node.put("itemsAlreadyApplied", counts.alreadyApplied());
    }

    public static void printText(PrintWriter out, Counts counts) {
        out.printf("  items      %d scanned, %d written, %d deleted, %d skipped, %d conditional-check failures,"
                        + " %d already applied%n", counts.scanned(), counts.written(), counts.deleted(),
                counts.skipped(), counts.conditionalFailures(), counts.alreadyApplied());
    }
}
