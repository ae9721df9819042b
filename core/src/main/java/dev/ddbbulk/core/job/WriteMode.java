package dev.ddbbulk.core.job;

import java.util.Locale;

/** How the worker writes what a processor returns. */
public enum WriteMode {
    /** BatchWriteItem, 25 items a call: fastest; last writer wins. */
    BATCH,
    /**
     * One conditional PutItem/DeleteItem per item: an item deleted since it was read is not recreated and,
     * with a version attribute, an item changed since it was read is not overwritten.
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
