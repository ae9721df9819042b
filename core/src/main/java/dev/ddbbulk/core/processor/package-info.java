/** The API a user implements: an {@link dev.ddbbulk.core.processor.ItemProcessor} turns each scanned item into an {@link dev.ddbbulk.core.processor.ItemAction}. */
package dev.ddbbulk.core.processor;
