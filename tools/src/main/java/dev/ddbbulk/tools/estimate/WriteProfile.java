package dev.ddbbulk.tools.estimate;

import dev.ddbbulk.core.job.JobConfig;
import dev.ddbbulk.core.job.WriteMode;
import java.util.Set;

/**
 * What a job's writes do to each item, as far as their cost goes: how many writes of the table an item takes, and
 * which of the destination's indexes they write. A processor may change any attribute, so today's jobs count as
 * writing the whole item; a job that updates named attributes (an expression job) is made with
 * {@link #updating}, and touches only the indexes that key or project them.
 *
 * @param description       how the job writes, for the output
 * @param writesPerItem     writes of the table per item: 1, or 0 for a dry run
 * @param attributesWritten the attributes the writes set or remove, or null for the whole item
 */
public record WriteProfile(String description, int writesPerItem, Set<String> attributesWritten) {

    public WriteProfile {
        attributesWritten = attributesWritten == null ? null : Set.copyOf(attributesWritten);
    }

    /** The writes of {@code job}: one of the whole item each (a put, or a conditional write), none in a dry run. */
    public static WriteProfile of(JobConfig job) {
        if (job.dryRun()) {
            return new WriteProfile("none (dry run)", 0, Set.of());
        }
        return new WriteProfile(job.writeMode() == WriteMode.CONDITIONAL
                ? "one conditional write of the whole item per item" : "BatchWriteItem puts of whole items", 1, null);
    }

    /** Writes that set or remove only {@code attributes} of each item, once per item. */
    public static WriteProfile updating(String description, Set<String> attributes) {
        return new WriteProfile(description, 1, attributes);
    }

    public boolean wholeItem() {
        return attributesWritten == null;
    }

    /**
     * Writes of {@code index} per item: one when the write puts or changes what the index holds of the item, two
     * when it changes one of the index's keys (the index deletes the old entry and puts the new one), none when it
     * leaves the index alone. A whole-item write counts one for every index: an upper bound, since an item without
     * the index's keys (a sparse index) or a write that changes nothing the index holds costs the index nothing.
     */
    public int indexWritesPerItem(IndexFacts index) {
        if (writesPerItem == 0) {
            return 0;
        }
        if (wholeItem()) {
            return writesPerItem;
        }
        if (index.keyAttributes().stream().anyMatch(attributesWritten::contains)) {
            return 2 * writesPerItem;
        }
        boolean projected = switch (index.projectionType()) {
            case "ALL" -> !attributesWritten.isEmpty();
            case "INCLUDE" -> index.projectedAttributes().stream().anyMatch(attributesWritten::contains);
            default -> false;
        };
        return projected ? writesPerItem : 0;
    }
}
