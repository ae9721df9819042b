/**
 * What a job will cost and how long it will take, before it runs: the tables' figures from DescribeTable, a model of
 * the job's reads and writes and of ddb-bulk's own overhead, and a price table per region.
 */
package dev.ddbbulk.tools.estimate;
