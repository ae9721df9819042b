/** The progress ledger: run and segment records in DynamoDB, changed only by conditional writes, the source of truth for progress, resume and counts. */
package dev.ddbbulk.core.ledger;
