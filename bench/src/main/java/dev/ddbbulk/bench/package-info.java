/**
 * The benchmark: the pipeline against the raw ceilings of DynamoDB and SQS, in a jar of its own
 * ({@code ddb-bulk-bench.jar}), never in {@code ddb-bulk.jar}.
 */
package dev.ddbbulk.bench;
