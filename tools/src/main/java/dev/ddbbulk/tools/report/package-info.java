/**
 * A run's skew after the fact: per-segment figures aggregated while streaming the ledger, and their text and
 * self-contained HTML renderings for {@code ddb-bulk report}.
 */
package dev.ddbbulk.tools.report;
