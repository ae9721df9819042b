/** The seeder: validates a job, records the run and enqueues its segments in shuffled order; the Lambda handlers of the state machine. */
package dev.ddbbulk.seeder;
