/** The state machine's progress check: a run's verdict from its ledger record and the queues. */
package dev.ddbbulk.seeder.progress;
