/** The progress ledger: run records with their counter shards and segment records in DynamoDB, changed only by conditional writes, the source of truth for progress, resume and counts. */
package dev.ddbbulk.core.ledger;
