package dev.ddbbulk.core.job;

import java.util.Locale;

/** How the worker writes what a processor returns. */
public enum WriteMode {
    /** BatchWriteItem, 25 items a call: fastest; last writer wins. */
    BATCH,
    /**
     * One conditional write per item: an item deleted since it was read is not recreated; in place only the
     * attributes the processor changed are updated, each still holding what was read, and with a version
     * attribute an item changed since it was read is not written at all.
     */
    CONDITIONAL;

    public static WriteMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException("WriteMode must be 'batch' or 'conditional', got '" + text + "'", e);
        }
    }
}
