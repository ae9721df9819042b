/** Runs a job in this JVM exactly as the deployed stack does: the seeder's entry point, then a fleet that invokes the worker's Lambda handler the way the SQS event source mapping does. */
package dev.ddbbulk.tools.local;
